// Everything that depends on the libwebrtc version (here: Debian's tg_owt, about milestone M108)
// lives behind these few functions, so moving to another libwebrtc (a WEBRTC_ROOT build) is a change
// to webrtc_compat.cc and audio_device_*.cc only.
#pragma once

#include <exception>
#include <memory>
#include <utility>

#include "api/audio/audio_mixer.h"
#include "api/audio_codecs/audio_decoder_factory.h"
#include "api/audio_codecs/audio_encoder_factory.h"
#include "api/peer_connection_interface.h"
#include "api/scoped_refptr.h"
#include "api/task_queue/task_queue_factory.h"
#include "modules/audio_device/include/audio_device.h"
#include "modules/audio_processing/include/audio_processing.h"
#include "rtc_base/network_monitor_factory.h"
#include "rtc_base/thread.h"

namespace cricket {
class VoiceEngineInterface;
}

namespace dt::compat {

// The parts of the voice engine that the legacy RTP path (rtp_media.cc) shares with peer
// connections: the engine (for its AudioState: device, APM, mixer) and the codec factories.
struct AudioEngine {
  cricket::VoiceEngineInterface* voice = nullptr;  // owned by the PeerConnectionFactory
  rtc::scoped_refptr<webrtc::AudioEncoderFactory> encoders;
  rtc::scoped_refptr<webrtc::AudioDecoderFactory> decoders;
};

// Runs `fn` on `thread` and waits for it (inline when already on it). What `fn` throws is caught
// there and rethrown here, in the caller (an export's guard): it must never unwind through
// libwebrtc's thread loop, which std::terminate()s.
// M108: rtc::Thread::BlockingCall (older versions: Invoke<void>(RTC_FROM_HERE, ...)).
template <typename Fn>
void RunOn(rtc::Thread* thread, Fn&& fn) {
  std::exception_ptr thrown;
  thread->BlockingCall([&] {
    try {
      fn();
    } catch (...) {
      thrown = std::current_exception();
    }
  });
  if (thrown) std::rethrow_exception(thrown);
}

std::unique_ptr<webrtc::TaskQueueFactory> CreateTaskQueueFactory();
std::unique_ptr<rtc::Thread> CreateNetworkThread(const char* name);
std::unique_ptr<rtc::Thread> CreateThread(const char* name);

// How the factory's Opus encoders and decoders are made (dt_factory_options.opus_sample_rate_hz).
struct OpusSettings {
  int sample_rate_hz = 48000;  // 16000 or 48000: the encoder's input and the decoder's output
};

// An audio-only PeerConnectionFactory: Opus, G.722, G.711 (PCMU/PCMA) encoders and decoders
// (telephone-event is added by the voice engine), the given audio device and processing, no video
// engine. `network_monitors` (may be null) lets the application tell the network manager that the
// networks changed. `task_queues` (null: libwebrtc's default, a thread per queue) makes the task
// queues of the calls and the engine. Returns null on failure.
rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> CreateAudioOnlyFactory(
    rtc::Thread* network_thread, rtc::Thread* worker_thread, rtc::Thread* signaling_thread,
    rtc::scoped_refptr<webrtc::AudioDeviceModule> audio_device,
    rtc::scoped_refptr<webrtc::AudioProcessing> audio_processing, AudioEngine* out_engine = nullptr,
    std::unique_ptr<rtc::NetworkMonitorFactory> network_monitors = nullptr, OpusSettings opus = {},
    std::unique_ptr<webrtc::TaskQueueFactory> task_queues = nullptr);

}  // namespace dt::compat
