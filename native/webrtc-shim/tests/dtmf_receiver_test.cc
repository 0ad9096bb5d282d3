// Received DTMF through the C ABI: RFC 4733 events read from RTP (no audio decoded), each reported
// once, in order, with its duration and end bit — the end packet libwebrtc sends three times is
// reported once.
#include <gtest/gtest.h>

#include "loopback_call.h"

using namespace dt_test;

namespace {
struct EventLog {
  std::mutex mutex;
  std::vector<dt_dtmf_event> events;
  std::atomic<bool> released{false};
  std::atomic<int> after_release{0};
  static void OnEvent(void* user, const dt_dtmf_event* event) {
    auto* self = static_cast<EventLog*>(user);
    if (self->released) self->after_release++;
    std::lock_guard lock(self->mutex);
    self->events.push_back(*event);
  }
  std::vector<dt_dtmf_event> Get() {
    std::lock_guard lock(mutex);
    return events;
  }
  size_t Ends() {
    size_t n = 0;
    for (const auto& e : Get()) n += e.phase == DT_DTMF_EVENT_END;
    return n;
  }
};

dt_dtmf_sender* ReadySender(Peer& a) {
  dt_dtmf_sender* sender = nullptr;
  if (dt_transceiver_get_dtmf_sender(a.audio, &sender) != DT_OK) return nullptr;
  bool can = false;
  if (!Eventually([&] { return dt_dtmf_sender_can_insert(sender, &can) == DT_OK && can; }, 5000)) return nullptr;
  return sender;
}
}  // namespace

TEST(DtmfReceiver, AllSixteenEventsOnceEachInOrderWithDurationAndEndBit) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio()) << LastError();
  ASSERT_TRUE(b.AddAudio()) << LastError();  // before the offer arrives: reused by it
  EventLog log;
  dt_dtmf_receiver_callbacks callbacks{sizeof(callbacks), EventLog::OnEvent};
  dt_dtmf_receiver* receiver = nullptr;
  ASSERT_EQ(dt_transceiver_create_dtmf_receiver(b.audio, &callbacks, &log, &receiver), DT_OK) << LastError();
  dt_dtmf_receiver* second = nullptr;
  EXPECT_EQ(dt_transceiver_create_dtmf_receiver(b.audio, &callbacks, &log, &second), DT_ERROR_INVALID_STATE);

  std::string error;
  ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
  ASSERT_TRUE(WaitConnected(a, b, 15000));
  AudioPump pump_a(a.factory, 1000, 1000, 0);
  AudioPump pump_b(b.factory, 1000, 1000, 0);
  dt_dtmf_sender* sender = ReadySender(a);
  ASSERT_NE(sender, nullptr) << LastError();

  const std::string tones = "0123456789*#ABCD";
  ASSERT_EQ(dt_dtmf_sender_insert(sender, tones.c_str(), 120, 60), DT_OK) << LastError();
  ASSERT_TRUE(Eventually([&] { return log.Ends() >= tones.size(); }, 15000)) << "ends: " << log.Ends();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // any late duplicate would show now

  auto events = log.Get();
  ASSERT_EQ(events.size(), tones.size() * 2) << "one START and one END per digit, nothing twice";
  for (size_t i = 0; i < tones.size(); ++i) {
    const dt_dtmf_event& start = events[2 * i];
    const dt_dtmf_event& end = events[2 * i + 1];
    SCOPED_TRACE(std::string("digit ") + tones[i]);
    EXPECT_EQ(start.phase, DT_DTMF_EVENT_START);
    EXPECT_EQ(end.phase, DT_DTMF_EVENT_END);
    EXPECT_EQ(start.event, i);
    EXPECT_EQ(start.tone, tones[i]);
    EXPECT_EQ(end.tone, tones[i]);
    EXPECT_EQ(end.rtp_timestamp, start.rtp_timestamp);
    EXPECT_TRUE(end.end_bit);
    EXPECT_TRUE(end.clock_rate_hz == 8000 || end.clock_rate_hz == 48000) << end.clock_rate_hz;
    // libwebrtc's sender reports the duration in steps of its packet interval (120 ms in this
    // build): the end packet says at least the 120 ms asked for, less than one step more.
    EXPECT_GE(end.duration_ms, 120u);
    EXPECT_LT(end.duration_ms, 250u);
    EXPECT_LE(start.duration_ms, end.duration_ms);
    if (i > 0) EXPECT_NE(start.rtp_timestamp, events[2 * i - 2].rtp_timestamp);
  }

  // Released: nothing more arrives, and a new receiver may take the transceiver.
  ASSERT_EQ(dt_dtmf_receiver_release(receiver), DT_OK);
  log.released = true;
  EXPECT_EQ(dt_dtmf_receiver_release(receiver), DT_ERROR_INVALID_HANDLE);
  EventLog log2;
  ASSERT_EQ(dt_transceiver_create_dtmf_receiver(b.audio, &callbacks, &log2, &second), DT_OK) << LastError();
  ASSERT_EQ(dt_dtmf_sender_insert(sender, "5#", 100, 60), DT_OK) << LastError();
  ASSERT_TRUE(Eventually([&] { return log2.Ends() >= 2; }, 10000));
  auto more = log2.Get();
  ASSERT_EQ(more.size(), 4u);
  EXPECT_EQ(more[0].tone, '5');
  EXPECT_EQ(more[2].tone, '#');
  EXPECT_EQ(log.after_release.load(), 0);
  EXPECT_EQ(dt_dtmf_receiver_release(second), DT_OK);
}

TEST(DtmfReceiver, WorksOnPerCallAudioAndBadInputIsAnError) {
  dt_factory_options options{};
  options.struct_size = sizeof(options);
  options.audio_device = static_cast<dt_audio_device_kind>(DT_AUDIO_DEVICE_PER_CALL);
  Peer a(options);
  Peer b(options);
  dt_call_audio_source *sa = nullptr, *sb = nullptr;
  ASSERT_EQ(dt_peer_connection_add_call_audio_track(a.pc, nullptr, nullptr, &a.audio, &sa), DT_OK) << LastError();
  ASSERT_EQ(dt_peer_connection_add_call_audio_track(b.pc, nullptr, nullptr, &b.audio, &sb), DT_OK) << LastError();
  EventLog log;
  dt_dtmf_receiver_callbacks callbacks{sizeof(callbacks), EventLog::OnEvent};
  dt_dtmf_receiver* receiver = nullptr;
  EXPECT_EQ(dt_transceiver_create_dtmf_receiver(b.audio, nullptr, &log, &receiver), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_transceiver_create_dtmf_receiver(b.audio, &callbacks, &log, nullptr), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_transceiver_create_dtmf_receiver(reinterpret_cast<dt_transceiver*>(sa), &callbacks, &log, &receiver),
            DT_ERROR_INVALID_HANDLE);
  ASSERT_EQ(dt_transceiver_create_dtmf_receiver(b.audio, &callbacks, &log, &receiver), DT_OK) << LastError();
  std::string error;
  ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
  ASSERT_TRUE(WaitConnected(a, b, 15000));
  dt_dtmf_sender* sender = ReadySender(a);
  ASSERT_NE(sender, nullptr) << LastError();
  ASSERT_EQ(dt_dtmf_sender_insert(sender, "9*", 200, 100), DT_OK) << LastError();
  ASSERT_TRUE(Eventually([&] { return log.Ends() >= 2; }, 10000));
  auto events = log.Get();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].tone, '9');
  EXPECT_EQ(events[3].tone, '*');
  EXPECT_GE(events[3].duration_ms, 200u);
  EXPECT_LT(events[3].duration_ms, 330u);
  EXPECT_EQ(events[3].clock_rate_hz, 8000u);
  EXPECT_EQ(dt_dtmf_receiver_release(receiver), DT_OK);
  a.ReleaseAll();
  b.ReleaseAll();
  EXPECT_EQ(dt_call_audio_source_release(sa), DT_OK);
  EXPECT_EQ(dt_call_audio_source_release(sb), DT_OK);
}
