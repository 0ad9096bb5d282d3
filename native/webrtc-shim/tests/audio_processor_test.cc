// The standalone audio processor through the C ABI: validation, handles, statistics, live option
// changes, and AEC3 removing a simulated echo of a speech-like far-end signal.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <thread>
#include <vector>

#include "loopback_call.h"

using namespace dt_test;

namespace {
constexpr int kRate = 16000;
constexpr size_t kFrame = kRate / 100;

dt_audio_processing_options EchoOnly(bool echo_cancellation) {
  dt_audio_processing_options o{};
  o.struct_size = sizeof(o);
  o.echo_cancellation = echo_cancellation;
  o.noise_suppression = false;
  o.noise_suppression_level = DT_NOISE_SUPPRESSION_MODERATE;
  o.auto_gain_control = false;
  o.high_pass_filter = false;
  return o;
}

// Speech-like far end: deterministic noise, low-passed, in bursts of 150..350 ms with 50..200 ms
// gaps and varying loudness (a stationary signal would not exercise AEC3's echo/double-talk logic).
std::vector<int16_t> BurstyNoise(size_t samples, uint32_t seed) {
  std::vector<int16_t> out(samples);
  uint32_t state = seed;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / (1u << 24);  // [0, 1)
  };
  double low = 0;
  size_t i = 0;
  while (i < samples) {
    size_t on = static_cast<size_t>((0.15 + 0.2 * next()) * kRate);
    size_t off = static_cast<size_t>((0.05 + 0.15 * next()) * kRate);
    double amplitude = 3000 + 5000 * next();
    for (size_t k = 0; k < on && i < samples; ++k, ++i) {
      low = 0.7 * low + 0.3 * (2 * next() - 1);
      out[i] = static_cast<int16_t>(amplitude * low * 2.5);
    }
    for (size_t k = 0; k < off && i < samples; ++k, ++i) out[i] = 0;
  }
  return out;
}

// Room: direct echo after `delay_ms` at `gain`, plus an exponentially decaying tail.
std::vector<int16_t> Echo(const std::vector<int16_t>& far, int delay_ms, double gain) {
  std::vector<double> h(static_cast<size_t>(kRate * 0.1));  // 100 ms tail
  uint32_t state = 7;
  for (size_t n = 0; n < h.size(); ++n) {
    state = state * 1664525u + 1013904223u;
    double r = static_cast<double>(state >> 8) / (1u << 24) - 0.5;
    h[n] = (n == 0 ? gain : 0) + gain * 0.3 * r * std::exp(-static_cast<double>(n) / (kRate * 0.02));
  }
  size_t delay = static_cast<size_t>(delay_ms) * kRate / 1000;
  std::vector<int16_t> mic(far.size());
  for (size_t i = delay; i < far.size(); ++i) {
    double acc = 0;
    size_t taps = std::min(h.size(), i - delay + 1);
    for (size_t n = 0; n < taps; ++n) acc += h[n] * far[i - delay - n];
    mic[i] = static_cast<int16_t>(std::clamp(acc, -32768.0, 32767.0));
  }
  return mic;
}

double Power(const int16_t* x, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum / static_cast<double>(n);
}

// Runs the processor over the whole signal; returns the output.
std::vector<int16_t> ProcessAll(dt_audio_processor* p, const std::vector<int16_t>& far, const std::vector<int16_t>& mic) {
  std::vector<int16_t> out(mic.size());
  for (size_t i = 0; i + kFrame <= mic.size(); i += kFrame) {
    EXPECT_EQ(dt_audio_processor_process_render(p, far.data() + i, kFrame), DT_OK) << LastError();
    EXPECT_EQ(dt_audio_processor_process_capture(p, mic.data() + i, out.data() + i, kFrame), DT_OK) << LastError();
  }
  return out;
}

int64_t LiveProcessors() {
  dt_live_objects counts{};
  counts.struct_size = sizeof(counts);
  EXPECT_EQ(dt_get_live_objects(&counts), DT_OK);
  return counts.audio_processors;
}
}  // namespace

TEST(AudioProcessor, FormatsAreValidated) {
  dt_audio_processor* p = nullptr;
  EXPECT_EQ(dt_audio_processor_create(nullptr, 44100, 1, &p), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("sample_rate_hz"), std::string::npos);
  EXPECT_EQ(dt_audio_processor_create(nullptr, 48000, 3, &p), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(dt_audio_processor_create(nullptr, 48000, 1, nullptr), DT_ERROR_INVALID_ARGUMENT);
  dt_audio_processing_options bad = EchoOnly(true);
  bad.noise_suppression_level = static_cast<dt_noise_suppression_level>(9);
  EXPECT_EQ(dt_audio_processor_create(&bad, 48000, 1, &p), DT_ERROR_INVALID_ARGUMENT);
  for (uint32_t rate : {8000u, 16000u, 32000u, 48000u}) {
    for (uint32_t channels : {1u, 2u}) {
      ASSERT_EQ(dt_audio_processor_create(nullptr, rate, channels, &p), DT_OK) << rate << " " << LastError();
      std::vector<int16_t> frame(rate / 100 * channels, 100);
      EXPECT_EQ(dt_audio_processor_process_render(p, frame.data(), rate / 100), DT_OK) << LastError();
      EXPECT_EQ(dt_audio_processor_process_capture(p, frame.data(), frame.data(), rate / 100), DT_OK) << LastError();
      EXPECT_EQ(dt_audio_processor_process_capture(p, frame.data(), frame.data(), rate / 100 - 1), DT_ERROR_AUDIO_FORMAT);
      EXPECT_NE(LastError().find("10 ms"), std::string::npos);
      EXPECT_EQ(dt_audio_processor_release(p), DT_OK);
    }
  }
}

TEST(AudioProcessor, HandlesAreCountedAndValidated) {
  int64_t before = LiveProcessors();
  dt_audio_processor* p = nullptr;
  ASSERT_EQ(dt_audio_processor_create(nullptr, 16000, 1, &p), DT_OK) << LastError();
  EXPECT_EQ(LiveProcessors(), before + 1);
  EXPECT_EQ(dt_audio_processor_set_stream_delay_ms(p, -1), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_audio_processor_set_stream_delay_ms(p, 501), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_audio_processor_set_stream_delay_ms(p, 120), DT_OK);
  EXPECT_EQ(dt_audio_processor_set_options(p, nullptr), DT_ERROR_INVALID_ARGUMENT);
  dt_audio_processor_statistics stats{};
  EXPECT_EQ(dt_audio_processor_get_statistics(p, &stats), DT_ERROR_INVALID_ARGUMENT);  // struct_size unset
  int16_t frame[kFrame] = {};
  EXPECT_EQ(dt_audio_processor_process_capture(p, nullptr, frame, kFrame), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_audio_processor_release(p), DT_OK);
  EXPECT_EQ(LiveProcessors(), before);
  EXPECT_EQ(dt_audio_processor_process_render(p, frame, kFrame), DT_ERROR_INVALID_HANDLE);
  EXPECT_NE(LastError().find("audio processor"), std::string::npos);
  EXPECT_EQ(dt_audio_processor_release(p), DT_ERROR_INVALID_HANDLE);
  EXPECT_EQ(dt_audio_processor_release(reinterpret_cast<dt_audio_processor*>(static_cast<uintptr_t>(0x15))),
            DT_ERROR_INVALID_HANDLE);
}

TEST(AudioProcessor, WithEverythingOffTheCaptureStreamPassesThrough) {
  dt_audio_processor* p = nullptr;
  dt_audio_processing_options off = EchoOnly(false);
  ASSERT_EQ(dt_audio_processor_create(&off, kRate, 1, &p), DT_OK) << LastError();
  std::vector<int16_t> far = BurstyNoise(kRate, 1), mic = BurstyNoise(kRate, 2);
  std::vector<int16_t> out = ProcessAll(p, far, mic);
  double diff = 0;
  for (size_t i = 0; i < mic.size(); ++i) diff = std::max(diff, std::abs(static_cast<double>(out[i]) - mic[i]));
  EXPECT_LE(diff, 2.0);
  EXPECT_EQ(dt_audio_processor_release(p), DT_OK);
}

TEST(AudioProcessor, Aec3RemovesASimulatedEchoAndReportsStatistics) {
  std::vector<int16_t> far = BurstyNoise(kRate * 12, 3);
  std::vector<int16_t> mic = Echo(far, 80, 0.5);
  const size_t tail = static_cast<size_t>(kRate) * 4;  // the last 4 s, well after convergence
  const size_t from = mic.size() - tail;

  dt_audio_processor* off = nullptr;
  dt_audio_processing_options no_aec = EchoOnly(false);
  ASSERT_EQ(dt_audio_processor_create(&no_aec, kRate, 1, &off), DT_OK) << LastError();
  std::vector<int16_t> passed = ProcessAll(off, far, mic);
  double erle_off = 10 * std::log10(Power(mic.data() + from, tail) / Power(passed.data() + from, tail));
  EXPECT_LT(erle_off, 1.0) << "without AEC the echo stays";
  dt_audio_processor_release(off);

  dt_audio_processor* p = nullptr;
  dt_audio_processing_options aec = EchoOnly(true);
  ASSERT_EQ(dt_audio_processor_create(&aec, kRate, 1, &p), DT_OK) << LastError();
  ASSERT_EQ(dt_audio_processor_set_stream_delay_ms(p, 80), DT_OK);
  std::vector<int16_t> out = ProcessAll(p, far, mic);
  double erle = 10 * std::log10(Power(mic.data() + from, tail) / std::max(Power(out.data() + from, tail), 1e-9));
  std::printf("AEC3 ERLE on the simulated echo: %.1f dB\n", erle);
  EXPECT_GE(erle, 15.0) << "measured ERLE " << erle << " dB";

  dt_audio_processor_statistics stats{};
  stats.struct_size = sizeof(stats);
  ASSERT_EQ(dt_audio_processor_get_statistics(p, &stats), DT_OK) << LastError();
  EXPECT_EQ(stats.struct_size, sizeof(stats));
  EXPECT_TRUE(stats.has_echo_return_loss_enhancement);
  EXPECT_TRUE(stats.has_echo_return_loss);
  EXPECT_TRUE(stats.has_residual_echo_likelihood);
  EXPECT_TRUE(stats.has_delay_ms);

  // An older, smaller statistics struct gets only what it has room for.
  struct {
    uint32_t struct_size;
    bool has_echo_return_loss;
    double echo_return_loss;
    uint64_t canary;
  } small{};
  small.struct_size = offsetof(dt_audio_processor_statistics, has_echo_return_loss_enhancement);
  small.canary = 0x5a5a5a5a5a5a5a5aull;
  ASSERT_EQ(dt_audio_processor_get_statistics(p, reinterpret_cast<dt_audio_processor_statistics*>(&small)), DT_OK);
  EXPECT_EQ(small.canary, 0x5a5a5a5a5a5a5a5aull);
  EXPECT_TRUE(small.has_echo_return_loss);

  // Switched off live: the echo comes straight through again.
  ASSERT_EQ(dt_audio_processor_set_options(p, &no_aec), DT_OK) << LastError();
  std::vector<int16_t> after = ProcessAll(p, far, mic);
  double erle_after = 10 * std::log10(Power(mic.data() + from, tail) / Power(after.data() + from, tail));
  EXPECT_LT(erle_after, 1.0);
  EXPECT_EQ(dt_audio_processor_release(p), DT_OK);
}

TEST(AudioProcessor, RenderAndCaptureOnTwoThreadsRacingARelease) {
  for (int round = 0; round < 20; ++round) {
    dt_audio_processor* p = nullptr;
    ASSERT_EQ(dt_audio_processor_create(nullptr, 48000, 1, &p), DT_OK) << LastError();
    std::atomic<int> bad{0};
    auto loop = [&](bool render) {
      int16_t frame[480] = {};
      for (int i = 0; i < 200; ++i) {
        int32_t r = render ? dt_audio_processor_process_render(p, frame, 480)
                           : dt_audio_processor_process_capture(p, frame, frame, 480);
        if (r == DT_ERROR_INVALID_HANDLE) break;
        if (r != DT_OK) bad++;
        dt_audio_processor_statistics s{};
        s.struct_size = sizeof(s);
        dt_audio_processor_get_statistics(p, &s);
      }
    };
    std::thread render(loop, true), capture(loop, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(round % 5));
    EXPECT_EQ(dt_audio_processor_release(p), DT_OK);
    render.join();
    capture.join();
    EXPECT_EQ(bad.load(), 0);
  }
}
