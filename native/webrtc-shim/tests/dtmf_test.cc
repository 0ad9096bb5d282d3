// DTMF: RFC 4733 telephone-events sent by A are reported tone by tone, and B's NetEq plays them
// out as tones, found in B's virtual speaker.
#include <gtest/gtest.h>

#include "loopback_call.h"
#include "tone.h"

using namespace dt_test;

namespace {
struct ToneLog {
  std::mutex mutex;
  std::vector<std::string> tones;
  static void OnToneChange(void* user, const char* tone) {
    auto* self = static_cast<ToneLog*>(user);
    std::lock_guard lock(self->mutex);
    self->tones.emplace_back(tone);
  }
  std::vector<std::string> Get() {
    std::lock_guard lock(mutex);
    return tones;
  }
};

// Does some 40 ms window of `audio` hold both DTMF frequencies, clearly above the others?
bool HasDtmf(const std::vector<int16_t>& audio, double low, double high) {
  const double lows[] = {697, 770, 852, 941}, highs[] = {1209, 1336, 1477, 1633};
  const size_t window = 1920;
  for (size_t start = 0; start + window <= audio.size(); start += 480) {
    const int16_t* w = audio.data() + start;
    double l = ToneAmplitude(w, window, low, 48000), h = ToneAmplitude(w, window, high, 48000);
    if (l < 300 || h < 300) continue;
    bool dominant = true;
    for (double f : lows) if (f != low && ToneAmplitude(w, window, f, 48000) * 3 > l) dominant = false;
    for (double f : highs) if (f != high && ToneAmplitude(w, window, f, 48000) * 3 > h) dominant = false;
    if (dominant) return true;
  }
  return false;
}
}  // namespace

TEST(Dtmf, ToneChangesInOrderAndTonesHeardAtTheReceiver) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio()) << LastError();
  std::string error;
  ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
  ASSERT_TRUE(WaitConnected(a, b, 15000));
  AudioPump pump_a(a.factory, 1000, 1000, /*amplitude=*/0);  // A sends silence
  AudioPump pump_b(b.factory, 1000, 8000, 0);

  dt_dtmf_sender* sender = nullptr;
  ASSERT_EQ(dt_transceiver_get_dtmf_sender(a.audio, &sender), DT_OK) << LastError();
  dt_dtmf_sender* again = nullptr;
  ASSERT_EQ(dt_transceiver_get_dtmf_sender(a.audio, &again), DT_OK);
  EXPECT_EQ(sender, again) << "one handle per sender";
  ToneLog log;
  dt_dtmf_callbacks callbacks{sizeof(callbacks), ToneLog::OnToneChange};
  ASSERT_EQ(dt_dtmf_sender_set_callbacks(sender, &callbacks, &log), DT_OK);
  bool can = false;
  ASSERT_TRUE(Eventually([&] { return dt_dtmf_sender_can_insert(sender, &can) == DT_OK && can; }, 5000));

  EXPECT_EQ(dt_dtmf_sender_insert(sender, "12", 10, 70), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_dtmf_sender_insert(sender, "12", 100, 10), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_dtmf_sender_insert(sender, "1x", 100, 70), DT_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(dt_dtmf_sender_insert(sender, "123#", 200, 100), DT_OK) << LastError();

  ASSERT_TRUE(Eventually([&] { auto t = log.Get(); return !t.empty() && t.back().empty(); }, 8000));
  EXPECT_EQ(log.Get(), (std::vector<std::string>{"1", "2", "3", "#", ""}));

  // B's jitter buffer plays the tones out some time after the sender's last event (longer on a
  // loaded machine): wait, bounded, until all four have been heard.
  std::vector<int16_t> heard;
  auto all_heard = [&] {
    heard = pump_b.Recent(8000);
    return HasDtmf(heard, 697, 1209) && HasDtmf(heard, 697, 1336) && HasDtmf(heard, 697, 1477) &&
           HasDtmf(heard, 941, 1477);
  };
  EXPECT_TRUE(Eventually(all_heard, 6000))
      << "heard at B: 1 " << HasDtmf(heard, 697, 1209) << ", 2 " << HasDtmf(heard, 697, 1336) << ", 3 "
      << HasDtmf(heard, 697, 1477) << ", # " << HasDtmf(heard, 941, 1477);
  EXPECT_FALSE(HasDtmf(heard, 852, 1209)) << "digit 7 was never sent";
}

TEST(Dtmf, NoDtmfSenderWithoutALocalTrack) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio());
  std::string error;
  ASSERT_TRUE(Negotiate(a, b, /*answerer_audio=*/false, &error)) << error;  // B receives only
  dt_transceiver* at_b = nullptr;
  {
    std::lock_guard lock(b.mutex);
    ASSERT_EQ(b.track_transceivers.size(), 1u);
    at_b = b.track_transceivers[0];
  }
  EXPECT_EQ(dt_transceiver_set_muted(at_b, true), DT_ERROR_INVALID_STATE);
  dt_dtmf_sender* sender = nullptr;
  int32_t rc = dt_transceiver_get_dtmf_sender(at_b, &sender);
  if (rc == DT_OK) {
    // libwebrtc gives every audio sender a DTMF sender; without a track it cannot insert.
    bool can = true;
    ASSERT_EQ(dt_dtmf_sender_can_insert(sender, &can), DT_OK);
    EXPECT_FALSE(can);
    EXPECT_EQ(dt_dtmf_sender_insert(sender, "1", 100, 70), DT_ERROR_DTMF);
    EXPECT_NE(LastError(), "");
  } else {
    EXPECT_EQ(rc, DT_ERROR_INVALID_STATE);
  }
}
