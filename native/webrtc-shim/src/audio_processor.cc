// The standalone audio processor (dt_audio_processor_*): one libwebrtc AudioProcessing module fed
// 10 ms frames by the application, for applications that own their audio I/O.
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "api/make_ref_counted.h"
#include "audio_processing.h"
#include "errors.h"
#include "handles.h"
#include "log_sink.h"
#include "modules/audio_processing/include/audio_processing.h"
#include "modules/audio_processing/residual_echo_detector.h"

struct dt_audio_processor {};  // only ever used as an opaque handle type

namespace dt {
namespace {

class AudioProcessor {
 public:
  static constexpr HandleKind kKind = HandleKind::kAudioProcessor;
  static constexpr const char* kTypeName = "audio processor";
  using CHandle = dt_audio_processor;

  AudioProcessor(const dt_audio_processing_options& options, int sample_rate_hz, int channels)
      : config_(sample_rate_hz, static_cast<size_t>(channels)), samples_per_channel_(sample_rate_hz / 100) {
    // The residual echo detector is only created when injected (this libwebrtc does not build
    // CreateEchoDetector()); it gives the residual echo likelihood statistics.
    apm_ = webrtc::AudioProcessingBuilder()
               .SetEchoDetector(rtc::make_ref_counted<webrtc::ResidualEchoDetector>())
               .Create();
    if (!apm_) throw Error(DT_ERROR_CREATE_FAILED, "AudioProcessingBuilder could not create the audio processing module");
    ApplyAudioProcessing(*apm_, options);
    // Initialise for this format now, so the first frame does not pay for it.
    webrtc::ProcessingConfig processing{{config_, config_, config_, config_}};
    if (int error = apm_->Initialize(processing); error != webrtc::AudioProcessing::kNoError) {
      throw Error(DT_ERROR_CREATE_FAILED, "AudioProcessing::Initialize failed with code " + std::to_string(error));
    }
  }

  void ProcessRender(const int16_t* samples, size_t samples_per_channel) {
    CheckFrame(samples_per_channel);
    // The int16 interface writes the (here unmodified) render frame to a destination; a scratch
    // frame keeps the caller's const buffer from being written through. APM's render lock
    // serialises concurrent render calls around it.
    int error = apm_->ProcessReverseStream(samples, config_, config_, render_scratch_);
    Check(error, "ProcessReverseStream");
  }

  void ProcessCapture(const int16_t* input, int16_t* output, size_t samples_per_channel) {
    CheckFrame(samples_per_channel);
    std::lock_guard lock(capture_mutex_);
    // APM forgets the delay after each capture frame; it is set again before every frame.
    apm_->set_stream_delay_ms(stream_delay_ms_.load(std::memory_order_relaxed));
    // APM writes the destination only when some capture processing is active, so a separate
    // output is filled with the input first and processed in place.
    if (output != input) std::memcpy(output, input, samples_per_channel * config_.num_channels() * sizeof(int16_t));
    int error = apm_->ProcessStream(output, config_, config_, output);
    Check(error, "ProcessStream");
  }

  void SetStreamDelay(int delay_ms) { stream_delay_ms_.store(delay_ms, std::memory_order_relaxed); }

  void SetOptions(const dt_audio_processing_options& options) {
    std::lock_guard lock(options_mutex_);  // GetConfig + ApplyConfig as one step
    ApplyAudioProcessing(*apm_, options);
  }

  dt_audio_processor_statistics Statistics() {
    webrtc::AudioProcessingStats stats = apm_->GetStatistics();
    dt_audio_processor_statistics out{};
    out.struct_size = sizeof(out);
    Copy(stats.echo_return_loss, &out.has_echo_return_loss, &out.echo_return_loss);
    Copy(stats.echo_return_loss_enhancement, &out.has_echo_return_loss_enhancement, &out.echo_return_loss_enhancement);
    Copy(stats.divergent_filter_fraction, &out.has_divergent_filter_fraction, &out.divergent_filter_fraction);
    Copy(stats.delay_median_ms, &out.has_delay_median_ms, &out.delay_median_ms);
    Copy(stats.delay_standard_deviation_ms, &out.has_delay_standard_deviation_ms, &out.delay_standard_deviation_ms);
    Copy(stats.residual_echo_likelihood, &out.has_residual_echo_likelihood, &out.residual_echo_likelihood);
    Copy(stats.residual_echo_likelihood_recent_max, &out.has_residual_echo_likelihood_recent_max,
         &out.residual_echo_likelihood_recent_max);
    Copy(stats.delay_ms, &out.has_delay_ms, &out.delay_ms);
    return out;
  }

 private:
  template <typename T, typename U>
  static void Copy(const absl::optional<T>& value, bool* has, U* out) {
    *has = value.has_value();
    *out = value.has_value() ? static_cast<U>(*value) : U{};
  }

  void CheckFrame(size_t samples_per_channel) const {
    if (samples_per_channel != samples_per_channel_) {
      throw Error(DT_ERROR_AUDIO_FORMAT, "a frame is 10 ms: " + std::to_string(samples_per_channel_) +
                                             " samples per channel at " + std::to_string(config_.sample_rate_hz()) +
                                             " Hz, not " + std::to_string(samples_per_channel));
    }
  }

  static void Check(int error, const char* what) {
    // The bad-stream-parameter warning only says a value was clamped; the frame was processed.
    if (error == webrtc::AudioProcessing::kNoError || error == webrtc::AudioProcessing::kBadStreamParameterWarning) return;
    throw Error(DT_ERROR_INTERNAL, std::string("AudioProcessing::") + what + " failed with code " + std::to_string(error));
  }

  LiveCount<LiveCounters::audio_processors> live_;
  const webrtc::StreamConfig config_;
  const size_t samples_per_channel_;
  rtc::scoped_refptr<webrtc::AudioProcessing> apm_;
  std::mutex capture_mutex_;
  std::mutex options_mutex_;
  std::atomic<int> stream_delay_ms_{0};
  int16_t render_scratch_[480 * 2] = {};  // one 10 ms frame at 48 kHz stereo (written by APM only)
};

}  // namespace
}  // namespace dt

using dt::AudioProcessor;
using dt::Guard;

extern "C" {

DT_API int32_t dt_audio_processor_create(const dt_audio_processing_options* options, uint32_t sample_rate_hz,
                                         uint32_t channels, dt_audio_processor** out_processor) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_processor != nullptr, "out_processor is NULL");
    *out_processor = nullptr;
    if (sample_rate_hz != 8000 && sample_rate_hz != 16000 && sample_rate_hz != 32000 && sample_rate_hz != 48000) {
      throw dt::Error(DT_ERROR_INVALID_ARGUMENT, "sample_rate_hz must be 8000, 16000, 32000 or 48000, not " +
                                                     std::to_string(sample_rate_hz));
    }
    if (channels != 1 && channels != 2) {
      throw dt::Error(DT_ERROR_INVALID_ARGUMENT, "channels must be 1 or 2, not " + std::to_string(channels));
    }
    dt_audio_processing_options read = dt::ReadAudioProcessingOptions(options);
    dt::InitLogging();  // libwebrtc's lines go to the application's log callback, never to stderr
    *out_processor = dt::Register(
        std::make_shared<AudioProcessor>(read, static_cast<int>(sample_rate_hz), static_cast<int>(channels)));
    return DT_OK;
  });
}

DT_API int32_t dt_audio_processor_process_render(dt_audio_processor* processor, const int16_t* samples,
                                                 size_t samples_per_channel) {
  return Guard(__func__, [&] {
    dt::RequireArgument(samples != nullptr, "samples is NULL");
    dt::Lookup<AudioProcessor>(processor)->ProcessRender(samples, samples_per_channel);
    return DT_OK;
  });
}

DT_API int32_t dt_audio_processor_process_capture(dt_audio_processor* processor, const int16_t* input,
                                                  int16_t* output, size_t samples_per_channel) {
  return Guard(__func__, [&] {
    dt::RequireArgument(input != nullptr, "input is NULL");
    dt::RequireArgument(output != nullptr, "output is NULL");
    dt::Lookup<AudioProcessor>(processor)->ProcessCapture(input, output, samples_per_channel);
    return DT_OK;
  });
}

DT_API int32_t dt_audio_processor_set_stream_delay_ms(dt_audio_processor* processor, int32_t delay_ms) {
  return Guard(__func__, [&] {
    if (delay_ms < 0 || delay_ms > 500) {
      throw dt::Error(DT_ERROR_INVALID_ARGUMENT, "delay_ms must be 0..500, not " + std::to_string(delay_ms));
    }
    dt::Lookup<AudioProcessor>(processor)->SetStreamDelay(delay_ms);
    return DT_OK;
  });
}

DT_API int32_t dt_audio_processor_set_options(dt_audio_processor* processor,
                                              const dt_audio_processing_options* options) {
  return Guard(__func__, [&] {
    dt::RequireArgument(options != nullptr, "options is NULL");
    dt_audio_processing_options read = dt::ReadAudioProcessingOptions(options);
    dt::Lookup<AudioProcessor>(processor)->SetOptions(read);
    return DT_OK;
  });
}

DT_API int32_t dt_audio_processor_get_statistics(dt_audio_processor* processor,
                                                 dt_audio_processor_statistics* out_statistics) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_statistics != nullptr, "out_statistics is NULL");
    uint32_t size = out_statistics->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_statistics->struct_size is not set");
    dt_audio_processor_statistics stats = dt::Lookup<AudioProcessor>(processor)->Statistics();
    // Writes only as much as the caller's struct holds.
    std::memcpy(out_statistics, &stats, size < sizeof(stats) ? size : sizeof(stats));
    out_statistics->struct_size = size;
    return DT_OK;
  });
}

DT_API int32_t dt_audio_processor_release(dt_audio_processor* processor) {
  return Guard(__func__, [&] {
    dt::Unregister<AudioProcessor>(processor);
    return DT_OK;
  });
}

}  // extern "C"
