// The PulseAudio device's C ABI without a server: errors are clear and quick. (Audio through a real
// server started by the test is covered by the managed PulseAudioDeviceTests.)
#include <gtest/gtest.h>

#include <chrono>

#include "loopback_call.h"

using namespace dt_test;

namespace {
constexpr const char* kNoServer = "unix:/nonexistent/dialtone-test/native";

void Ignore(void*, const char*, const char*, bool) {}
}  // namespace

TEST(PulseDevice, ListingAnUnreachableServerFailsQuicklyWithItsAddress) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(dt_audio_devices_list(kNoServer, DT_AUDIO_DIRECTION_OUTPUT, Ignore, nullptr), DT_ERROR_AUDIO_DEVICE);
  EXPECT_NE(LastError().find("/nonexistent/dialtone-test/native"), std::string::npos) << LastError();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
  EXPECT_EQ(dt_audio_devices_list(kNoServer, DT_AUDIO_DIRECTION_OUTPUT, nullptr, nullptr), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_audio_devices_list(kNoServer, static_cast<dt_audio_direction>(7), Ignore, nullptr),
            DT_ERROR_INVALID_ARGUMENT);
}

TEST(PulseDevice, AFactoryOnAnUnreachableServerIsRefused) {
  dt_factory_options options = VirtualDeviceOptions();
  options.audio_device = DT_AUDIO_DEVICE_PULSEAUDIO;
  options.audio_server = kNoServer;
  dt_factory* factory = nullptr;
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_ERROR_AUDIO_DEVICE);
  EXPECT_EQ(factory, nullptr);
  EXPECT_NE(LastError().find("PulseAudio"), std::string::npos) << LastError();
}

TEST(PulseDevice, FactoryCallbacksAreValidated) {
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK) << LastError();
  dt_factory_callbacks callbacks{};
  EXPECT_EQ(dt_factory_set_callbacks(factory, &callbacks, nullptr), DT_ERROR_INVALID_ARGUMENT);  // struct_size unset
  callbacks.struct_size = sizeof(callbacks);
  EXPECT_EQ(dt_factory_set_callbacks(factory, &callbacks, nullptr), DT_OK);
  EXPECT_EQ(dt_factory_set_callbacks(factory, nullptr, nullptr), DT_OK);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
  EXPECT_EQ(dt_factory_set_callbacks(factory, &callbacks, nullptr), DT_ERROR_INVALID_HANDLE);
}
