#include "webrtc_compat.h"

#include "api/audio_codecs/audio_decoder_factory_template.h"
#include "api/audio_codecs/audio_encoder_factory_template.h"
#include "api/audio_codecs/g711/audio_decoder_g711.h"
#include "api/audio_codecs/g711/audio_encoder_g711.h"
#include "api/audio_codecs/g722/audio_decoder_g722.h"
#include "api/audio_codecs/g722/audio_encoder_g722.h"
#include "api/audio_codecs/opus/audio_decoder_opus.h"
#include "api/audio_codecs/opus/audio_encoder_opus.h"
#include "api/call/call_factory_interface.h"
#include "api/rtc_event_log/rtc_event_log_factory.h"
#include "api/task_queue/default_task_queue_factory.h"
#include "api/transport/field_trial_based_config.h"
#include "media/base/media_engine.h"
#include "media/engine/null_webrtc_video_engine.h"
#include "media/engine/webrtc_voice_engine.h"

namespace dt::compat {

std::unique_ptr<webrtc::TaskQueueFactory> CreateTaskQueueFactory() { return webrtc::CreateDefaultTaskQueueFactory(); }

std::unique_ptr<rtc::Thread> CreateNetworkThread(const char* name) {
  auto thread = rtc::Thread::CreateWithSocketServer();
  thread->SetName(name, nullptr);
  thread->Start();
  return thread;
}

std::unique_ptr<rtc::Thread> CreateThread(const char* name) {
  auto thread = rtc::Thread::Create();
  thread->SetName(name, nullptr);
  thread->Start();
  return thread;
}

rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> CreateAudioOnlyFactory(
    rtc::Thread* network_thread, rtc::Thread* worker_thread, rtc::Thread* signaling_thread,
    rtc::scoped_refptr<webrtc::AudioDeviceModule> audio_device,
    rtc::scoped_refptr<webrtc::AudioProcessing> audio_processing, AudioEngine* out_engine,
    std::unique_ptr<rtc::NetworkMonitorFactory> network_monitors) {
  webrtc::PeerConnectionFactoryDependencies deps;
  deps.network_monitor_factory = std::move(network_monitors);
  deps.network_thread = network_thread;
  deps.worker_thread = worker_thread;
  deps.signaling_thread = signaling_thread;
  deps.task_queue_factory = webrtc::CreateDefaultTaskQueueFactory();
  deps.call_factory = webrtc::CreateCallFactory();
  deps.event_log_factory = std::make_unique<webrtc::RtcEventLogFactory>(deps.task_queue_factory.get());
  deps.trials = std::make_unique<webrtc::FieldTrialBasedConfig>();

  // The builtin encoder factory of this build has no Opus: compose the codecs explicitly.
  auto encoders = webrtc::CreateAudioEncoderFactory<webrtc::AudioEncoderOpus, webrtc::AudioEncoderG722,
                                                    webrtc::AudioEncoderG711>();
  auto decoders = webrtc::CreateAudioDecoderFactory<webrtc::AudioDecoderOpus, webrtc::AudioDecoderG722,
                                                    webrtc::AudioDecoderG711>();
  // The voice engine keeps a reference to the field trials: the composite engine owns them.
  auto engine_trials = std::make_unique<webrtc::FieldTrialBasedConfig>();
  auto voice = std::make_unique<cricket::WebRtcVoiceEngine>(
      deps.task_queue_factory.get(), audio_device.get(), encoders, decoders, /*audio_mixer=*/nullptr,
      std::move(audio_processing), /*audio_frame_processor=*/nullptr, *engine_trials);
  if (out_engine != nullptr) *out_engine = AudioEngine{voice.get(), encoders, decoders};
  deps.media_engine = std::make_unique<cricket::CompositeMediaEngine>(
      std::move(engine_trials), std::move(voice), std::make_unique<cricket::NullWebRtcVideoEngine>());
  return webrtc::CreateModularPeerConnectionFactory(std::move(deps));
}

}  // namespace dt::compat
