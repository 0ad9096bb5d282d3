#include "webrtc_compat.h"

#include "absl/strings/match.h"
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
namespace {

bool IsOpus(const webrtc::SdpAudioFormat& format) { return absl::EqualsIgnoreCase(format.name, "opus"); }

// The Opus formats of `specs` with this factory's rate declared (RFC 7587 §6.1): maxplaybackrate
// (we decode at that rate: a peer need not encode more) and sprop-maxcapturerate (we encode from
// that rate). The SDP's fmtp line is built from these parameters, so a libwebrtc or browser peer
// encodes wideband for us instead of fullband that we would only throw away.
std::vector<webrtc::AudioCodecSpec> WithOpusRate(std::vector<webrtc::AudioCodecSpec> specs, int rate) {
  for (auto& spec : specs) {
    if (!IsOpus(spec.format)) continue;
    spec.format.parameters["maxplaybackrate"] = std::to_string(rate);
    spec.format.parameters["sprop-maxcapturerate"] = std::to_string(rate);
  }
  return specs;
}

// The stock encoders, except that an Opus encoder takes the factory's input rate. libwebrtc offers
// no other way in: the config is built from the negotiated SDP when the send stream is
// (re)configured, so it is adjusted here, where the encoder is made. The rest (bitrate, FEC, DTX,
// frame size) still follows the SDP.
class OpusTunedEncoderFactory : public webrtc::AudioEncoderFactory {
 public:
  OpusTunedEncoderFactory(rtc::scoped_refptr<webrtc::AudioEncoderFactory> base, OpusSettings opus)
      : base_(std::move(base)), opus_(opus) {}
  std::vector<webrtc::AudioCodecSpec> GetSupportedEncoders() override {
    return WithOpusRate(base_->GetSupportedEncoders(), opus_.sample_rate_hz);
  }
  absl::optional<webrtc::AudioCodecInfo> QueryAudioEncoder(const webrtc::SdpAudioFormat& format) override {
    return base_->QueryAudioEncoder(format);
  }
  std::unique_ptr<webrtc::AudioEncoder> MakeAudioEncoder(int payload_type, const webrtc::SdpAudioFormat& format,
                                                         absl::optional<webrtc::AudioCodecPairId> pair) override {
    if (!IsOpus(format)) return base_->MakeAudioEncoder(payload_type, format, pair);
    auto config = webrtc::AudioEncoderOpus::SdpToConfig(format);
    if (!config) return nullptr;  // what the stock factory does with an Opus format it cannot parse
    config->sample_rate_hz = opus_.sample_rate_hz;
    return webrtc::AudioEncoderOpus::MakeAudioEncoder(*config, payload_type, pair);
  }

 private:
  rtc::scoped_refptr<webrtc::AudioEncoderFactory> base_;
  const OpusSettings opus_;
};

// The stock decoders, except that an Opus decoder produces the factory's rate. NetEq then runs at
// that rate (it scales the 48 kHz RTP timestamps to it), and so does the mixer when every call does.
class OpusTunedDecoderFactory : public webrtc::AudioDecoderFactory {
 public:
  OpusTunedDecoderFactory(rtc::scoped_refptr<webrtc::AudioDecoderFactory> base, OpusSettings opus)
      : base_(std::move(base)), opus_(opus) {}
  std::vector<webrtc::AudioCodecSpec> GetSupportedDecoders() override {
    return WithOpusRate(base_->GetSupportedDecoders(), opus_.sample_rate_hz);
  }
  bool IsSupportedDecoder(const webrtc::SdpAudioFormat& format) override { return base_->IsSupportedDecoder(format); }
  std::unique_ptr<webrtc::AudioDecoder> MakeAudioDecoder(const webrtc::SdpAudioFormat& format,
                                                         absl::optional<webrtc::AudioCodecPairId> pair) override {
    if (!IsOpus(format)) return base_->MakeAudioDecoder(format, pair);
    auto config = webrtc::AudioDecoderOpus::SdpToConfig(format);
    if (!config) return nullptr;
    config->sample_rate_hz = opus_.sample_rate_hz;
    return webrtc::AudioDecoderOpus::MakeAudioDecoder(*config, pair);
  }

 private:
  rtc::scoped_refptr<webrtc::AudioDecoderFactory> base_;
  const OpusSettings opus_;
};

}  // namespace

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
    std::unique_ptr<rtc::NetworkMonitorFactory> network_monitors, OpusSettings opus,
    std::unique_ptr<webrtc::TaskQueueFactory> task_queues) {
  webrtc::PeerConnectionFactoryDependencies deps;
  deps.network_monitor_factory = std::move(network_monitors);
  deps.network_thread = network_thread;
  deps.worker_thread = worker_thread;
  deps.signaling_thread = signaling_thread;
  deps.task_queue_factory = task_queues ? std::move(task_queues) : webrtc::CreateDefaultTaskQueueFactory();
  deps.call_factory = webrtc::CreateCallFactory();
  deps.event_log_factory = std::make_unique<webrtc::RtcEventLogFactory>(deps.task_queue_factory.get());
  deps.trials = std::make_unique<webrtc::FieldTrialBasedConfig>();

  // The builtin encoder factory of this build has no Opus: compose the codecs explicitly.
  rtc::scoped_refptr<webrtc::AudioEncoderFactory> encoders =
      webrtc::CreateAudioEncoderFactory<webrtc::AudioEncoderOpus, webrtc::AudioEncoderG722, webrtc::AudioEncoderG711>();
  rtc::scoped_refptr<webrtc::AudioDecoderFactory> decoders =
      webrtc::CreateAudioDecoderFactory<webrtc::AudioDecoderOpus, webrtc::AudioDecoderG722, webrtc::AudioDecoderG711>();
  // Only a factory that asks for other Opus settings gets the wrappers: the default path stays stock.
  if (opus.sample_rate_hz != 48000) {
    encoders = rtc::make_ref_counted<OpusTunedEncoderFactory>(std::move(encoders), opus);
    decoders = rtc::make_ref_counted<OpusTunedDecoderFactory>(std::move(decoders), opus);
  }
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
