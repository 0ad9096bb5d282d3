#include "audio_processing.h"

#include "errors.h"

namespace dt {
namespace {
webrtc::AudioProcessing::Config ToConfig(webrtc::AudioProcessing::Config config,
                                         const dt_audio_processing_options& options) {
  config.echo_canceller.enabled = options.echo_cancellation;  // AEC3
  config.echo_canceller.mobile_mode = false;
  config.noise_suppression.enabled = options.noise_suppression;
  config.noise_suppression.level =
      static_cast<webrtc::AudioProcessing::Config::NoiseSuppression::Level>(options.noise_suppression_level);
  // AGC2 with its adaptive digital controller; the older AGC1 (which the voice engine enables by
  // default) is switched off so the two never run together.
  config.gain_controller1.enabled = false;
  config.gain_controller2.enabled = options.auto_gain_control;
  config.gain_controller2.adaptive_digital.enabled = options.auto_gain_control;
  config.high_pass_filter.enabled = options.high_pass_filter;
  return config;
}
}  // namespace

dt_audio_processing_options DefaultAudioProcessingOptions() {
  dt_audio_processing_options options{};
  options.struct_size = sizeof(options);
  options.echo_cancellation = true;
  options.noise_suppression = true;
  options.noise_suppression_level = DT_NOISE_SUPPRESSION_MODERATE;
  options.auto_gain_control = true;
  options.high_pass_filter = true;
  return options;
}

dt_audio_processing_options ReadAudioProcessingOptions(const dt_audio_processing_options* options) {
  if (options == nullptr || options->struct_size == 0) return DefaultAudioProcessingOptions();
  dt_audio_processing_options result = ReadVersioned(options, DefaultAudioProcessingOptions(), "audio_processing");
  result.noise_suppression_level = CheckedEnum(result.noise_suppression_level, DT_NOISE_SUPPRESSION_LOW,
                                               DT_NOISE_SUPPRESSION_VERY_HIGH, "noise_suppression_level");
  return result;
}

rtc::scoped_refptr<webrtc::AudioProcessing> CreateAudioProcessing(const dt_audio_processing_options& options) {
  auto apm = webrtc::AudioProcessingBuilder().SetConfig(ToConfig({}, options)).Create();
  if (!apm) throw Error(DT_ERROR_CREATE_FAILED, "AudioProcessingBuilder could not create the audio processing module");
  return apm;
}

void ApplyAudioProcessing(webrtc::AudioProcessing& apm, const dt_audio_processing_options& options) {
  apm.ApplyConfig(ToConfig(apm.GetConfig(), options));
}

}  // namespace dt
