// The audio devices of a factory, built on libwebrtc's TestAudioDeviceModule (which runs a real-time
// 10 ms clock on its own task queue) with the shim's own capturer and renderer:
//  - virtual: the application pushes microphone PCM into a FIFO and pulls speaker PCM from another;
//  - WAV file: microphone from a 16-bit PCM WAV, speaker recorded to a WAV (audio_device_wav.cc);
//  - none: silence captured, playout discarded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/scoped_refptr.h"
#include "api/task_queue/task_queue_factory.h"
#include "audio_fifo.h"
#include "modules/audio_device/include/audio_device.h"

namespace dt {

// The two FIFOs of a virtual device, shared by the factory (application side) and the device.
struct VirtualAudioIo {
  VirtualAudioIo(uint32_t rate, uint32_t ch)
      : sample_rate_hz(rate), channels(ch), capture(rate * ch / 2), playout(rate * ch / 2) {}  // 500 ms each
  const uint32_t sample_rate_hz;
  const uint32_t channels;
  AudioFifo capture;  // application -> microphone
  AudioFifo playout;  // speaker -> application
};

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateVirtualAudioDevice(webrtc::TaskQueueFactory* task_queues,
                                                                      std::shared_ptr<VirtualAudioIo> io);

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateSilentAudioDevice(webrtc::TaskQueueFactory* task_queues);

// Throws DT_ERROR_WAV_FILE when the input cannot be read as 16-bit PCM or the output cannot be created.
rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateWavAudioDevice(webrtc::TaskQueueFactory* task_queues,
                                                                  const std::string& input_path, bool loop_input,
                                                                  const std::string& output_path,
                                                                  uint32_t output_rate_hz, uint32_t output_channels);

}  // namespace dt
