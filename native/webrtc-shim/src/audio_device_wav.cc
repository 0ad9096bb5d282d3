#include "audio_device_virtual.h"
#include "errors.h"
#include "modules/audio_device/include/test_audio_device.h"
#include "wav_header.h"

namespace dt {

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateWavAudioDevice(webrtc::TaskQueueFactory* task_queues,
                                                                  const std::string& input_path, bool loop_input,
                                                                  const std::string& output_path,
                                                                  uint32_t output_rate_hz, uint32_t output_channels) {
  using webrtc::TestAudioDeviceModule;
  if (input_path.empty()) throw Error(DT_ERROR_INVALID_ARGUMENT, "wav_input_path is required for DT_AUDIO_DEVICE_WAV_FILE");
  // Validated and read by the shim: libwebrtc's WavReader would abort the process on a bad file.
  auto capturer = CreateWavCapturer(input_path, loop_input);
  std::unique_ptr<TestAudioDeviceModule::Renderer> renderer;
  if (output_path.empty()) {
    renderer = TestAudioDeviceModule::CreateDiscardRenderer(static_cast<int>(output_rate_hz), static_cast<int>(output_channels));
  } else {
    CheckWritable(output_path);
    // The WAV header is completed when the device (and so the writer) is destroyed.
    renderer = TestAudioDeviceModule::CreateWavFileWriter(output_path, static_cast<int>(output_rate_hz),
                                                          static_cast<int>(output_channels));
  }
  return TestAudioDeviceModule::Create(task_queues, std::move(capturer), std::move(renderer));
}

}  // namespace dt
