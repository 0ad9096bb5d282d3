// ABI basics: version, last error, handle validation, option validation, buffer convention.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "loopback_call.h"
#include "temp_path.h"
#include "tone.h"

using namespace dt_test;

TEST(Abi, ReportsItsVersion) { EXPECT_EQ(dt_abi_version(), static_cast<uint32_t>(DT_ABI_VERSION)); }

TEST(Abi, NullAndForeignHandlesAreRejectedWithAMessage) {
  EXPECT_EQ(dt_factory_release(nullptr), DT_ERROR_INVALID_HANDLE);
  EXPECT_NE(LastError(), "");
  auto* forged = reinterpret_cast<dt_peer_connection*>(static_cast<uintptr_t>(0x12345670));
  dt_signaling_state state;
  EXPECT_EQ(dt_peer_connection_get_signaling_state(forged, &state), DT_ERROR_INVALID_HANDLE);
  EXPECT_NE(LastError().find("peer connection"), std::string::npos);
}

TEST(Abi, AHandleOfOneTypeIsNotAcceptedAsAnother) {
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK) << LastError();
  dt_signaling_state state;
  EXPECT_EQ(dt_peer_connection_get_signaling_state(reinterpret_cast<dt_peer_connection*>(factory), &state),
            DT_ERROR_INVALID_HANDLE);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
  EXPECT_EQ(dt_factory_release(factory), DT_ERROR_INVALID_HANDLE);  // stale
}

TEST(Abi, LastErrorMessageFollowsTheBufferConvention) {
  EXPECT_EQ(dt_factory_release(nullptr), DT_ERROR_INVALID_HANDLE);
  size_t needed = dt_last_error_message(nullptr, 0);
  ASSERT_GT(needed, 1u);
  char small[4];
  EXPECT_EQ(dt_last_error_message(small, sizeof(small)), needed);
  EXPECT_EQ(std::strlen(small), 3u);  // truncated, NUL-terminated
}

TEST(Abi, LastErrorIsPerThread) {
  EXPECT_EQ(dt_factory_release(nullptr), DT_ERROR_INVALID_HANDLE);
  std::string other = "unset";
  std::thread([&] { other = LastError(); }).join();
  EXPECT_EQ(other, "");
  EXPECT_NE(LastError(), "");
}

TEST(Abi, FactoryOptionsAreValidated) {
  dt_factory_options options = VirtualDeviceOptions();
  dt_factory* factory = nullptr;
  options.sample_rate_hz = 12345;
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(factory, nullptr);
  options = VirtualDeviceOptions();
  options.audio_device = static_cast<dt_audio_device_kind>(42);
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_ERROR_INVALID_ARGUMENT);
  options = VirtualDeviceOptions();
  options.struct_size = 0;
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_factory_create(nullptr, nullptr), DT_ERROR_INVALID_ARGUMENT);
}

TEST(Abi, MissingOrBadWavInputIsAWavFileError) {
  dt_factory_options options = VirtualDeviceOptions();
  options.audio_device = DT_AUDIO_DEVICE_WAV_FILE;
  options.wav_input_path = "/nonexistent/dialtone-input.wav";
  dt_factory* factory = nullptr;
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_ERROR_WAV_FILE);
  EXPECT_NE(LastError().find("dialtone-input.wav"), std::string::npos);

  std::string path = TempPath("not-a-wav.wav");
  FILE* f = fopen(path.c_str(), "wb");
  fputs("this is not a RIFF file", f);
  fclose(f);
  options.wav_input_path = path.c_str();
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_ERROR_WAV_FILE);
  EXPECT_NE(LastError().find("RIFF"), std::string::npos);
}

TEST(Abi, VirtualAudioChecksFormatAndDevice) {
  dt_factory_options options = VirtualDeviceOptions();
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  int16_t samples[960] = {};
  EXPECT_EQ(dt_factory_push_capture_audio(factory, samples, 480, 48000, 1), DT_OK);
  EXPECT_EQ(dt_factory_push_capture_audio(factory, samples, 480, 16000, 1), DT_ERROR_AUDIO_FORMAT);
  EXPECT_EQ(dt_factory_push_capture_audio(factory, samples, 480, 48000, 2), DT_ERROR_AUDIO_FORMAT);
  size_t read = 99;
  EXPECT_EQ(dt_factory_pull_playout_audio(factory, samples, 480, 48000, 1, &read), DT_OK);
  EXPECT_EQ(read, 0u);  // nothing played: no call
  EXPECT_EQ(dt_factory_release(factory), DT_OK);

  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK);  // no audio device
  EXPECT_EQ(dt_factory_push_capture_audio(factory, samples, 480, 48000, 1), DT_ERROR_INVALID_STATE);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

TEST(Abi, AudioProcessingCanBeChangedLive) {
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK);
  dt_audio_processing_options apm{};
  apm.struct_size = sizeof(apm);
  apm.echo_cancellation = true;
  apm.noise_suppression = true;
  apm.noise_suppression_level = DT_NOISE_SUPPRESSION_VERY_HIGH;
  EXPECT_EQ(dt_factory_set_audio_processing(factory, &apm), DT_OK);
  apm.noise_suppression_level = static_cast<dt_noise_suppression_level>(9);
  EXPECT_EQ(dt_factory_set_audio_processing(factory, &apm), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

TEST(Abi, PeerConnectionConfigIsValidated) {
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK);
  const char* bad_urls[] = {"not-a-stun-url"};
  dt_ice_server server{bad_urls, 1, nullptr, nullptr};
  dt_peer_connection_config config{};
  config.struct_size = sizeof(config);
  config.ice_servers = &server;
  config.ice_server_count = 1;
  dt_peer_connection* pc = nullptr;
  EXPECT_EQ(dt_peer_connection_create(factory, &config, &pc), DT_ERROR_CREATE_FAILED);
  EXPECT_NE(LastError(), "");
  config.ice_server_count = 0;
  int32_t out_of_range = 9;  // what a C caller may pass; read as an integer, never as the enum
  std::memcpy(&config.bundle_policy, &out_of_range, sizeof(out_of_range));
  EXPECT_EQ(dt_peer_connection_create(factory, &config, &pc), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("bundle_policy"), std::string::npos);
  config.bundle_policy = DT_BUNDLE_POLICY_MAX_BUNDLE;
  config.ice_server_count = 1;
  EXPECT_NE(LastError(), "");
  const char* good_urls[] = {"stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp"};
  dt_ice_server servers[] = {{good_urls, 1, nullptr, nullptr}, {good_urls + 1, 1, "user", "secret"}};
  config.ice_servers = servers;
  config.ice_server_count = 2;
  config.ice_transport_policy = DT_ICE_TRANSPORT_POLICY_RELAY;
  config.min_port = 40000;
  config.max_port = 40100;
  ASSERT_EQ(dt_peer_connection_create(factory, &config, &pc), DT_OK) << LastError();
  EXPECT_EQ(dt_peer_connection_release(pc), DT_OK);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

TEST(Abi, OlderSmallerCallbackStructsWork) {
  dt_factory* factory = nullptr;
  ASSERT_EQ(dt_factory_create(nullptr, &factory), DT_OK);
  dt_peer_connection* pc = nullptr;
  ASSERT_EQ(dt_peer_connection_create(factory, nullptr, &pc), DT_OK);
  // A caller compiled when the struct ended after on_ice_gathering_state: garbage beyond must be ignored.
  struct {
    dt_peer_connection_callbacks cb;
  } padded;
  std::memset(&padded, 0xAB, sizeof(padded));
  padded.cb.struct_size = offsetof(dt_peer_connection_callbacks, on_ice_connection_state);
  padded.cb.on_ice_candidate = nullptr;
  padded.cb.on_ice_gathering_state = [](void* user, dt_ice_gathering_state) { ++*static_cast<std::atomic<int>*>(user); };
  std::atomic<int> gathering_events{0};
  ASSERT_EQ(dt_peer_connection_set_callbacks(pc, &padded.cb, &gathering_events), DT_OK);
  dt_transceiver* t = nullptr;
  dt_audio_track_init init{sizeof(init), "t", "s"};
  ASSERT_EQ(dt_peer_connection_add_audio_track(pc, &init, &t), DT_OK);
  SdpResult offer;
  ASSERT_EQ(CreateOffer(pc, &offer), DT_OK);
  DoneResult done;
  ASSERT_EQ(SetLocal(pc, DT_SDP_TYPE_OFFER, offer.sdp, &done), DT_OK);
  EXPECT_EQ(done.result, DT_OK);
  EXPECT_TRUE(Eventually([&] { return gathering_events >= 2; }, 10000));  // gathering, complete; no crash on the rest
  EXPECT_EQ(dt_peer_connection_release(pc), DT_OK);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

TEST(Abi, LibwebrtcLogLinesReachTheCallbackUntilRemoved) {
  static std::atomic<int> lines{0};
  static std::atomic<int> below_minimum{0};
  auto on_log = [](void*, dt_log_severity severity, const char* message) {
    if (severity < DT_LOG_INFO) below_minimum++;
    if (message != nullptr && message[0] != '\0') lines++;
  };
  ASSERT_EQ(dt_set_log_callback(on_log, nullptr, DT_LOG_INFO), DT_OK);
  {
    Peer a(VirtualDeviceOptions());
    ASSERT_TRUE(a.AddAudio());
    SdpResult offer;
    ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  }
  EXPECT_GT(lines.load(), 0);
  EXPECT_EQ(below_minimum.load(), 0);
  ASSERT_EQ(dt_set_log_callback(nullptr, nullptr, DT_LOG_NONE), DT_OK);
  int after_removal = lines.load();
  {
    Peer a(VirtualDeviceOptions());
    ASSERT_TRUE(a.AddAudio());
  }
  EXPECT_EQ(lines.load(), after_removal);
  EXPECT_EQ(dt_set_log_callback(on_log, nullptr, static_cast<dt_log_severity>(7)), DT_ERROR_INVALID_ARGUMENT);
}
