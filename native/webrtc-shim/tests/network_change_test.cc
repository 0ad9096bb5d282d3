// dt_factory_notify_network_change: the network manager enumerates interfaces when told, a call
// survives it, and a factory released right after (the enumeration still queued) is fine.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include "loopback_call.h"

using namespace dt_test;

namespace {

std::atomic<int> enumerations_observed{0};

void CountEnumerations(void*, dt_log_severity, const char* message) {
  // libwebrtc's BasicNetworkManager logs this line when its network monitor reports a change.
  if (message != nullptr && std::strstr(message, "Network change was observed") != nullptr) enumerations_observed++;
}

}  // namespace

TEST(NetworkChange, ANullOrStaleFactoryIsRejected) {
  EXPECT_EQ(dt_factory_notify_network_change(nullptr), DT_ERROR_INVALID_HANDLE);
  dt_factory* factory = nullptr;
  auto options = VirtualDeviceOptions();
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  EXPECT_EQ(dt_factory_notify_network_change(factory), DT_OK) << LastError();  // no peer connection gathers yet
  ASSERT_EQ(dt_factory_release(factory), DT_OK);
  EXPECT_EQ(dt_factory_notify_network_change(factory), DT_ERROR_INVALID_HANDLE);
}

TEST(NetworkChange, TheNetworkManagerEnumeratesWhenToldAndTheCallStaysConnected) {
  ASSERT_EQ(dt_set_log_callback(CountEnumerations, nullptr, DT_LOG_INFO), DT_OK);
  {
    Peer a(VirtualDeviceOptions()), b(VirtualDeviceOptions());
    ASSERT_TRUE(a.AddAudio());
    std::string error;
    ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
    ASSERT_TRUE(WaitConnected(a, b, 15000));

    int before = enumerations_observed.load();
    ASSERT_EQ(dt_factory_notify_network_change(a.factory), DT_OK) << LastError();
    EXPECT_TRUE(Eventually([&] { return enumerations_observed.load() > before; }, 5000))
        << "the network manager did not enumerate after the notification";

    // Nothing really changed: the call is still up after a burst of notifications.
    for (int i = 0; i < 20; ++i) ASSERT_EQ(dt_factory_notify_network_change(a.factory), DT_OK);
    EXPECT_TRUE(Eventually([&] { return enumerations_observed.load() > before + 1; }, 5000));
    std::lock_guard lock(a.mutex);
    EXPECT_EQ(a.connection_state, DT_PEER_CONNECTION_STATE_CONNECTED);
  }
  ASSERT_EQ(dt_set_log_callback(nullptr, nullptr, DT_LOG_NONE), DT_OK);
}

TEST(NetworkChange, ReleasingTheFactoryWithANotificationQueuedIsSafe) {
  for (int i = 0; i < 5; ++i) {
    Peer a(VirtualDeviceOptions());
    ASSERT_TRUE(a.AddAudio());
    SdpResult offer;
    ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
    DoneResult done;
    ASSERT_EQ(SetLocal(a.pc, DT_SDP_TYPE_OFFER, offer.sdp, &done), DT_OK);  // starts gathering: a monitor exists
    for (int j = 0; j < 10; ++j) ASSERT_EQ(dt_factory_notify_network_change(a.factory), DT_OK);
    a.ReleaseAll();  // under ASan: no use of the monitor or the signal after they are gone
  }
}
