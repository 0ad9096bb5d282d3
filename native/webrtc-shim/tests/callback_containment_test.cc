// Exceptions never cross the C ABI in either direction: callbacks of a C++ application that throw
// (every kind: peer connection events, data channel events, completions, the log callback) are
// contained where the shim calls them, so nothing unwinds into libwebrtc's threads (which would
// std::terminate the process) and the shim's own bookkeeping goes on — later events still come,
// close still completes every pending operation, and each contained exception is logged.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "loopback_call.h"

using namespace dt_test;

namespace {

// What a callback saw before it threw.
struct Thrown {
  std::atomic<int> calls{0};
  std::atomic<bool> gathering_complete{false};
  std::atomic<bool> connected{false};
  std::atomic<int> messages{0};
  std::mutex mutex;
  std::vector<dt_data_channel*> channels;

  [[noreturn]] void Throw(const char* what) {
    calls++;
    throw std::runtime_error(what);
  }
};

Thrown* Of(void* user) { return static_cast<Thrown*>(user); }

dt_peer_connection_callbacks ThrowingPeerConnectionCallbacks() {
  dt_peer_connection_callbacks cb{};
  cb.struct_size = sizeof(cb);
  cb.on_ice_candidate = [](void* user, const char*, int32_t, const char*) { Of(user)->Throw("on_ice_candidate"); };
  cb.on_ice_gathering_state = [](void* user, dt_ice_gathering_state state) {
    if (state == DT_ICE_GATHERING_STATE_COMPLETE) Of(user)->gathering_complete = true;
    Of(user)->Throw("on_ice_gathering_state");
  };
  cb.on_ice_connection_state = [](void* user, dt_ice_connection_state) { Of(user)->Throw("on_ice_connection_state"); };
  cb.on_connection_state = [](void* user, dt_peer_connection_state state) {
    if (state == DT_PEER_CONNECTION_STATE_CONNECTED) Of(user)->connected = true;
    Of(user)->Throw("on_connection_state");
  };
  cb.on_signaling_state = [](void* user, dt_signaling_state) { Of(user)->Throw("on_signaling_state"); };
  cb.on_negotiation_needed = [](void* user) { Of(user)->Throw("on_negotiation_needed"); };
  cb.on_track = [](void* user, dt_transceiver*, const char*, const char*) { Of(user)->Throw("on_track"); };
  cb.on_data_channel = [](void* user, dt_data_channel* channel) {
    {
      std::lock_guard lock(Of(user)->mutex);
      Of(user)->channels.push_back(channel);  // ours now, even though we throw
    }
    Of(user)->Throw("on_data_channel");
  };
  return cb;
}

// The log callback records the shim's reports of contained exceptions — and throws as well.
struct LogLines {
  static std::mutex mutex;
  static std::vector<std::string> lines;
  static void On(void*, dt_log_severity, const char* message) {
    {
      std::lock_guard lock(mutex);
      lines.emplace_back(message);
    }
    throw std::runtime_error("the log callback throws too");
  }
  static int Contained() {
    std::lock_guard lock(mutex);
    int n = 0;
    for (const auto& line : lines) n += line.find("exception was contained") != std::string::npos;
    return n;
  }
};
std::mutex LogLines::mutex;
std::vector<std::string> LogLines::lines;

struct LogCallbackScope {
  LogCallbackScope() { EXPECT_EQ(dt_set_log_callback(LogLines::On, nullptr, DT_LOG_ERROR), DT_OK); }
  ~LogCallbackScope() { dt_set_log_callback(nullptr, nullptr, DT_LOG_NONE); }
};

}  // namespace

TEST(CallbackContainment, ThrowingApplicationCallbacksNeverUnwindIntoLibwebrtc) {
  LogCallbackScope log;
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_NE(b.pc, nullptr) << LastError();
  Thrown thrown;
  dt_peer_connection_callbacks throwing = ThrowingPeerConnectionCallbacks();
  ASSERT_EQ(dt_peer_connection_set_callbacks(b.pc, &throwing, &thrown), DT_OK);
  ASSERT_TRUE(a.AddAudio()) << LastError();
  dt_data_channel* channel = nullptr;
  ASSERT_EQ(dt_peer_connection_create_data_channel(a.pc, "chat", nullptr, &channel), DT_OK) << LastError();

  // Offer/answer by hand: B's every event callback throws on libwebrtc's signalling/network threads.
  SdpResult offer, answer;
  DoneResult done;
  ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  ASSERT_EQ(SetLocal(a.pc, DT_SDP_TYPE_OFFER, offer.sdp, &done), DT_OK);
  ASSERT_EQ(done.result, DT_OK) << done.error;
  ASSERT_TRUE(a.WaitFor([&] { return a.gathering_state == DT_ICE_GATHERING_STATE_COMPLETE; }, 10000));
  ASSERT_EQ(SetRemote(b.pc, DT_SDP_TYPE_OFFER, LocalDescription(a.pc), &done), DT_OK);
  ASSERT_EQ(done.result, DT_OK) << done.error;
  ASSERT_EQ(CreateAnswer(b.pc, &answer), DT_OK);
  ASSERT_EQ(answer.result, DT_OK) << answer.error;
  ASSERT_EQ(SetLocal(b.pc, DT_SDP_TYPE_ANSWER, answer.sdp, &done), DT_OK);
  ASSERT_TRUE(Eventually([&] { return thrown.gathering_complete.load(); }, 10000));
  ASSERT_EQ(SetRemote(a.pc, DT_SDP_TYPE_ANSWER, LocalDescription(b.pc), &done), DT_OK);
  ASSERT_EQ(done.result, DT_OK) << done.error;

  // The events kept coming after the first throw: the connection got all the way up.
  ASSERT_TRUE(Eventually([&] { return thrown.connected.load(); }, 15000)) << "B never reported connected";
  ASSERT_TRUE(a.WaitFor([&] { return a.connection_state == DT_PEER_CONNECTION_STATE_CONNECTED; }, 15000));
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(thrown.mutex);
    return !thrown.channels.empty();
  }, 10000)) << "the remote data channel was not announced";
  EXPECT_GE(thrown.calls.load(), 6);

  // Data channel messages: the callback throws for each, and each still arrives.
  dt_data_channel* remote = nullptr;
  {
    std::lock_guard lock(thrown.mutex);
    remote = thrown.channels.front();
  }
  Thrown messages;
  dt_data_channel_callbacks channel_callbacks{};
  channel_callbacks.struct_size = sizeof(channel_callbacks);
  channel_callbacks.on_message = [](void* user, const uint8_t*, size_t, bool) {
    Of(user)->messages++;
    Of(user)->Throw("on_message");
  };
  ASSERT_EQ(dt_data_channel_set_callbacks(remote, &channel_callbacks, &messages), DT_OK);
  ASSERT_TRUE(Eventually([&] {
    dt_data_channel_state state;
    return dt_data_channel_get_state(channel, &state) == DT_OK && state == DT_DATA_CHANNEL_STATE_OPEN;
  }, 10000));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(dt_data_channel_send(channel, reinterpret_cast<const uint8_t*>("hi"), 2, false), DT_OK);
  EXPECT_TRUE(Eventually([&] { return messages.messages.load() == 3; }, 10000)) << messages.messages.load() << " of 3 messages";

  // Completions whose callbacks throw: each is called once, and the next one works as well.
  static std::atomic<int> stats_calls{0};
  stats_calls = 0;
  auto throwing_stats = [](void*, int32_t result, const char*, size_t, const char*) {
    stats_calls++;
    if (result == DT_OK) throw std::runtime_error("stats callback");
  };
  ASSERT_EQ(dt_peer_connection_get_stats(b.pc, throwing_stats, nullptr), DT_OK);
  ASSERT_EQ(dt_peer_connection_get_stats(b.pc, throwing_stats, nullptr), DT_OK);
  EXPECT_TRUE(Eventually([&] { return stats_calls.load() == 2; }, 10000));

  // Every contained exception was reported through the log (whose own throw is swallowed).
  EXPECT_TRUE(Eventually([] { return LogLines::Contained() >= 6; }, 5000)) << LogLines::Contained() << " reports";

  EXPECT_EQ(dt_data_channel_release(remote), DT_OK);
  {
    std::lock_guard lock(thrown.mutex);
    for (size_t i = 1; i < thrown.channels.size(); ++i) dt_data_channel_release(thrown.channels[i]);
  }
  EXPECT_EQ(dt_data_channel_release(channel), DT_OK);
  b.ReleaseAll();
  a.ReleaseAll();
}

TEST(CallbackContainment, OneThrowingCompletionDoesNotKeepCloseFromCompletingTheRest) {
  Peer a(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio()) << LastError();
  SdpResult offer;
  ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  Peer b(VirtualDeviceOptions());
  struct Count {
    std::atomic<int> calls{0};
  };
  static Count counts[10];
  for (auto& c : counts) c.calls = 0;
  // Every completion callback throws once it has counted.
  auto throwing_done = [](void* user, int32_t, const char*) {
    static_cast<Count*>(user)->calls++;
    throw std::runtime_error("completion callback");
  };
  ASSERT_EQ(dt_peer_connection_set_remote_description(b.pc, DT_SDP_TYPE_OFFER, offer.sdp.c_str(), throwing_done, &counts[0]), DT_OK);
  for (int i = 1; i < 10; ++i) {
    std::string candidate = "candidate:1 1 udp 2122260223 127.0.0.1 " + std::to_string(41000 + i) + " typ host";
    ASSERT_EQ(dt_peer_connection_add_ice_candidate(b.pc, "0", 0, candidate.c_str(), throwing_done, &counts[i]), DT_OK);
  }
  // Close reports whatever is still pending — each throws, none may stop the others or the close.
  EXPECT_EQ(dt_peer_connection_close(b.pc), DT_OK) << LastError();
  for (auto& c : counts) EXPECT_EQ(c.calls.load(), 1);
  dt_peer_connection_state state;
  ASSERT_EQ(dt_peer_connection_get_connection_state(b.pc, &state), DT_OK);
  EXPECT_EQ(state, DT_PEER_CONNECTION_STATE_CLOSED);
  EXPECT_EQ(dt_peer_connection_release(b.pc), DT_OK) << LastError();
  b.pc = nullptr;
  for (auto& c : counts) EXPECT_EQ(c.calls.load(), 1);
}
