// Real microphones and speakers on Linux through PulseAudio (PipeWire serves the same API): the
// shim's own AudioDeviceModule, because this libwebrtc is built without its Linux device modules.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include "api/scoped_refptr.h"
#include "modules/audio_device/include/audio_device.h"
#include "webrtc_shim.h"

namespace dt {

struct PulseDeviceInfo {
  std::string id;           // PulseAudio name
  std::string description;  // human-readable
  bool is_default = false;
};

// The server's sources (input) or sinks (output). Throws DT_ERROR_AUDIO_DEVICE when the server
// cannot be reached within 5 s. `server` empty: libpulse's default.
std::vector<PulseDeviceInfo> ListPulseDevices(const std::string& server, dt_audio_direction direction);

// Called on the device's audio thread when a direction stops working.
using AudioDeviceErrorHandler = std::function<void(dt_audio_direction, const std::string&)>;

struct PulseDeviceConfig {
  std::string server;  // empty: default
  std::string input;   // name or description; empty: the server's default source
  std::string output;  // name or description; empty: the server's default sink
  uint32_t sample_rate_hz = 48000;
  uint32_t channels = 1;
};

// Software volume and mute per direction, set by the application, read by the audio threads.
struct DeviceLevels {
  std::atomic<float> input_volume{1.0f};
  std::atomic<float> output_volume{1.0f};
  std::atomic<bool> input_muted{false};
  std::atomic<bool> output_muted{false};
};

// Resolves the devices (DT_ERROR_AUDIO_DEVICE for an unreachable server or an unknown device) and
// creates the module. Streams open when libwebrtc starts recording/playout.
rtc::scoped_refptr<webrtc::AudioDeviceModule> CreatePulseAudioDevice(const PulseDeviceConfig& config,
                                                                    std::shared_ptr<DeviceLevels> levels,
                                                                    AudioDeviceErrorHandler on_error);

}  // namespace dt
