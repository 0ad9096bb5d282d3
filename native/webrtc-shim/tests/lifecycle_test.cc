// Lifetimes: many create/connect/close cycles without leaks or late callbacks; stale handles;
// release from inside a callback; pending completions complete exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "loopback_call.h"

using namespace dt_test;

namespace {
dt_live_objects Live() {
  dt_live_objects live{};
  live.struct_size = sizeof(live);
  dt_get_live_objects(&live);
  return live;
}

bool AllReleased() {
  dt_live_objects live = Live();
  return live.factories == 0 && live.peer_connections == 0 && live.data_channels == 0 && live.transceivers == 0;
}

dt_factory_options NoDevice() {
  dt_factory_options options{};
  options.struct_size = sizeof(options);
  options.audio_device = DT_AUDIO_DEVICE_NONE;
  return options;
}
}  // namespace

TEST(Lifecycle, TwoHundredCyclesLeaveNothingBehindAndNoLateCallbacks) {
  ASSERT_TRUE(Eventually(AllReleased, 5000)) << "objects left by an earlier test";
  std::atomic<int> late_callbacks{0};
  int connected = 0;
  for (int cycle = 0; cycle < 200; ++cycle) {
    // One cycle in ten waits for ICE + DTLS and a data channel; the rest stop after offer/answer.
    const bool connect = cycle % 10 == 0;
    auto a = std::make_unique<Peer>(NoDevice());
    auto b = std::make_unique<Peer>(NoDevice());
    ASSERT_NE(a->pc, nullptr) << LastError();
    ASSERT_TRUE(a->AddAudio());
    dt_data_channel* channel = nullptr;
    ASSERT_EQ(dt_peer_connection_create_data_channel(a->pc, "c", nullptr, &channel), DT_OK);
    if (connect) {
      std::string error;
      ASSERT_TRUE(Negotiate(*a, *b, true, &error)) << "cycle " << cycle << ": " << error;
      ASSERT_TRUE(WaitConnected(*a, *b, 15000)) << "cycle " << cycle;
      ++connected;
    } else {
      SdpResult offer, answer;
      DoneResult done;
      ASSERT_EQ(CreateOffer(a->pc, &offer), DT_OK);
      ASSERT_EQ(SetLocal(a->pc, DT_SDP_TYPE_OFFER, offer.sdp, &done), DT_OK);
      ASSERT_EQ(SetRemote(b->pc, DT_SDP_TYPE_OFFER, offer.sdp, &done), DT_OK);
      ASSERT_EQ(CreateAnswer(b->pc, &answer), DT_OK);
      ASSERT_EQ(answer.result, DT_OK) << answer.error;
      ASSERT_EQ(SetLocal(b->pc, DT_SDP_TYPE_ANSWER, answer.sdp, &done), DT_OK);
    }
    // Close A first while B may still be reporting, then release everything.
    EXPECT_EQ(dt_peer_connection_close(a->pc), DT_OK);
    EXPECT_EQ(dt_data_channel_release(channel), DT_OK);
    a->ReleaseAll();
    b->ReleaseAll();
    late_callbacks += a->callbacks_after_release + b->callbacks_after_release;
    if (cycle % 50 == 49) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // late events would land now
      late_callbacks += a->callbacks_after_release + b->callbacks_after_release;
    }
  }
  EXPECT_EQ(connected, 20);
  EXPECT_EQ(late_callbacks.load(), 0);
  EXPECT_TRUE(Eventually(AllReleased, 10000)) << "live: factories " << Live().factories << ", pcs "
                                              << Live().peer_connections << ", channels " << Live().data_channels
                                              << ", transceivers " << Live().transceivers;
}

TEST(Lifecycle, HandlesAreStaleAfterRelease) {
  Peer a(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio());
  dt_transceiver* transceiver = a.audio;
  dt_dtmf_sender* dtmf = nullptr;
  ASSERT_EQ(dt_transceiver_get_dtmf_sender(transceiver, &dtmf), DT_OK);
  dt_data_channel* channel = nullptr;
  ASSERT_EQ(dt_peer_connection_create_data_channel(a.pc, "c", nullptr, &channel), DT_OK);
  dt_live_objects live = Live();
  EXPECT_GE(live.peer_connections, 1);
  EXPECT_GE(live.transceivers, 1);
  EXPECT_GE(live.data_channels, 1);

  dt_peer_connection* pc = a.pc;
  ASSERT_EQ(dt_peer_connection_release(pc), DT_OK);
  a.pc = nullptr;
  dt_signaling_state state;
  EXPECT_EQ(dt_peer_connection_get_signaling_state(pc, &state), DT_ERROR_INVALID_HANDLE);
  EXPECT_EQ(dt_peer_connection_release(pc), DT_ERROR_INVALID_HANDLE);
  EXPECT_EQ(dt_peer_connection_close(pc), DT_ERROR_INVALID_HANDLE);
  dt_transceiver_direction direction;
  EXPECT_EQ(dt_transceiver_get_direction(transceiver, &direction), DT_ERROR_INVALID_HANDLE);
  bool can = false;
  EXPECT_EQ(dt_dtmf_sender_can_insert(dtmf, &can), DT_ERROR_INVALID_HANDLE);
  // The application's data channel reference outlives the connection, which can no longer carry it.
  // (libwebrtc leaves a never-negotiated channel in "connecting" after close.)
  dt_data_channel_state channel_state;
  ASSERT_EQ(dt_data_channel_get_state(channel, &channel_state), DT_OK);
  EXPECT_NE(channel_state, DT_DATA_CHANNEL_STATE_OPEN);
  EXPECT_EQ(dt_data_channel_send(channel, reinterpret_cast<const uint8_t*>("x"), 1, false), DT_ERROR_DATA_CHANNEL_SEND);
  EXPECT_EQ(dt_data_channel_release(channel), DT_OK);
  EXPECT_EQ(dt_data_channel_get_state(channel, &channel_state), DT_ERROR_INVALID_HANDLE);
}

TEST(Lifecycle, ReleaseFromItsOwnCallbackIsRefused) {
  Peer a(VirtualDeviceOptions());
  struct Probe {
    dt_peer_connection* pc;
    std::atomic<int32_t> result{1};
  } probe{a.pc};
  dt_peer_connection_callbacks callbacks{};
  callbacks.struct_size = sizeof(callbacks);
  callbacks.on_signaling_state = [](void* user, dt_signaling_state) {
    auto* p = static_cast<Probe*>(user);
    p->result = dt_peer_connection_release(p->pc);
  };
  ASSERT_EQ(dt_peer_connection_set_callbacks(a.pc, &callbacks, &probe), DT_OK);
  ASSERT_TRUE(a.AddAudio());
  SdpResult offer;
  ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  DoneResult done;
  ASSERT_EQ(SetLocal(a.pc, DT_SDP_TYPE_OFFER, offer.sdp, &done), DT_OK);
  ASSERT_TRUE(Eventually([&] { return probe.result != 1; }, 5000));
  EXPECT_EQ(probe.result.load(), DT_ERROR_INVALID_STATE);
  dt_signaling_state state;
  EXPECT_EQ(dt_peer_connection_get_signaling_state(a.pc, &state), DT_OK) << "still alive";
}

TEST(Lifecycle, CloseCompletesPendingOperationsExactlyOnceAndRefusesNewOnes) {
  Peer a(NoDevice());
  Peer b(NoDevice());
  ASSERT_TRUE(a.AddAudio());
  SdpResult offer;
  ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  struct Count {
    std::atomic<int> calls{0};
    std::atomic<int32_t> result{1};
  };
  static Count counts[20];
  for (auto& c : counts) {
    c.calls = 0;
    c.result = 1;
  }
  auto on_done = [](void* user, int32_t result, const char*) {
    auto* c = static_cast<Count*>(user);
    c->result = result;
    c->calls++;
  };
  // Queue many operations, then close at once: each completes exactly once, OK or CLOSED.
  ASSERT_EQ(dt_peer_connection_set_remote_description(b.pc, DT_SDP_TYPE_OFFER, offer.sdp.c_str(), on_done, &counts[0]), DT_OK);
  for (int i = 1; i < 20; ++i) {
    std::string candidate = "candidate:1 1 udp 2122260223 127.0.0.1 " + std::to_string(40000 + i) + " typ host";
    ASSERT_EQ(dt_peer_connection_add_ice_candidate(b.pc, "0", 0, candidate.c_str(), on_done, &counts[i]), DT_OK);
  }
  ASSERT_EQ(dt_peer_connection_close(b.pc), DT_OK);
  for (auto& c : counts) {
    EXPECT_EQ(c.calls.load(), 1);
    EXPECT_TRUE(c.result == DT_OK || c.result == DT_ERROR_CLOSED || c.result == DT_ERROR_ICE_CANDIDATE) << c.result;
  }
  dt_peer_connection_state state;
  ASSERT_EQ(dt_peer_connection_get_connection_state(b.pc, &state), DT_OK);
  EXPECT_EQ(state, DT_PEER_CONNECTION_STATE_CLOSED);
  SdpResult after;
  EXPECT_EQ(CreateOffer(b.pc, &after), DT_ERROR_CLOSED);
  b.ReleaseAll();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (auto& c : counts) EXPECT_EQ(c.calls.load(), 1);
}

TEST(Lifecycle, FactoryOutlivesItsApplicationReference) {
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK);
  dt_peer_connection* pc = nullptr;
  ASSERT_EQ(dt_peer_connection_create(factory, nullptr, &pc), DT_OK);
  ASSERT_EQ(dt_factory_release(factory), DT_OK);
  dt_transceiver* t = nullptr;
  ASSERT_EQ(dt_peer_connection_add_audio_track(pc, nullptr, &t), DT_OK) << LastError();
  SdpResult offer;
  ASSERT_EQ(CreateOffer(pc, &offer), DT_OK);
  EXPECT_EQ(offer.result, DT_OK);
  EXPECT_EQ(dt_peer_connection_release(pc), DT_OK);
  EXPECT_TRUE(Eventually([] { return Live().factories == 0; }, 5000));
}

TEST(Lifecycle, CallsRacingAReleaseNeverTouchFreedMemory) {
  for (int round = 0; round < 10; ++round) {
    auto a = std::make_unique<Peer>(NoDevice());
    ASSERT_TRUE(a->AddAudio());
    dt_peer_connection* pc = a->pc;
    dt_transceiver* transceiver = a->audio;
    std::atomic<bool> stop{false};
    std::atomic<int> unexpected{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 3; ++t) {
      callers.emplace_back([&] {
        while (!stop) {
          dt_signaling_state state;
          int32_t rc = dt_peer_connection_get_signaling_state(pc, &state);
          dt_transceiver_direction direction;
          int32_t rc2 = dt_transceiver_get_direction(transceiver, &direction);
          StatsResult stats;
          int32_t rc3 = GetStats(pc, &stats);
          auto ok = [](int32_t r) { return r == DT_OK || r == DT_ERROR_INVALID_HANDLE || r == DT_ERROR_CLOSED; };
          if (!ok(rc) || !ok(rc2) || !ok(rc3) || (rc3 == DT_OK && stats.result != DT_OK && stats.result != DT_ERROR_CLOSED)) {
            unexpected++;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    a->ReleaseAll();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop = true;
    for (auto& c : callers) c.join();
    EXPECT_EQ(unexpected.load(), 0);
  }
  EXPECT_TRUE(Eventually(AllReleased, 5000));
}
