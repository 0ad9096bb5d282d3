#include "rtp_media.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "api/task_queue/default_task_queue_factory.h"
#include "api/units/time_delta.h"
#include "call/audio_receive_stream.h"
#include "call/audio_send_stream.h"
#include "errors.h"
#include "media/base/media_engine.h"

namespace dt::rtp {

namespace {

bool EqualsNoCase(const std::string& a, const char* b) {
  std::string lower_b = b;
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(lower_b[i]))) return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "a=1;b=2" (a=fmtp value) as SdpAudioFormat parameters; a bare value (telephone-event's "0-16")
// is kept under the empty key, as libwebrtc's own SDP parser does.
webrtc::SdpAudioFormat::Parameters ParseFmtp(const char* fmtp) {
  webrtc::SdpAudioFormat::Parameters parameters;
  if (fmtp == nullptr) return parameters;
  std::string text = fmtp;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    std::string item = Trim(text.substr(start, end - start));
    if (!item.empty()) {
      size_t eq = item.find('=');
      if (eq == std::string::npos) parameters[""] = item;
      else parameters[Trim(item.substr(0, eq))] = Trim(item.substr(eq + 1));
    }
    start = end + 1;
  }
  return parameters;
}

uint32_t RandomNonZero() {
  std::random_device device;
  uint32_t value = 0;
  while (value == 0) value = device();
  return value;
}

double Level(int32_t level) { return level < 0 ? -1.0 : level / 32767.0; }

}  // namespace

webrtc::SdpAudioFormat ToSdpFormat(const dt_rtp_codec& codec, const compat::AudioEngine& engine, bool for_sending) {
  if (codec.payload_type < 0 || codec.payload_type > 127) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "payload type out of range: " + std::to_string(codec.payload_type));
  }
  if (codec.name == nullptr || codec.name[0] == '\0') throw Error(DT_ERROR_INVALID_ARGUMENT, "codec name is empty");
  std::string name = codec.name;
  size_t channels = codec.channels == 0 ? 1 : codec.channels;
  webrtc::SdpAudioFormat format(name, static_cast<int>(codec.clock_rate), channels, ParseFmtp(codec.fmtp));
  if (EqualsNoCase(name, "telephone-event")) {
    if (for_sending) throw Error(DT_ERROR_INVALID_ARGUMENT, "telephone-event is not an audio codec to send");
    if (codec.clock_rate == 0) throw Error(DT_ERROR_INVALID_ARGUMENT, "telephone-event needs a clock rate");
    return webrtc::SdpAudioFormat("telephone-event", static_cast<int>(codec.clock_rate), 1);
  }
  bool supported = for_sending ? engine.encoders->QueryAudioEncoder(format).has_value()
                               : engine.decoders->IsSupportedDecoder(format);
  if (!supported) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, std::string("codec not supported ") + (for_sending ? "for sending" : "for receiving") +
                                               ": " + name + "/" + std::to_string(codec.clock_rate) + "/" +
                                               std::to_string(channels));
  }
  return format;
}

RtpMedia::RtpMedia(const compat::AudioEngine& engine, rtc::Thread* worker, webrtc::Transport* transport)
    : engine_(engine), worker_(worker), transport_(transport), local_ssrc_(RandomNonZero()) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  for (int i = 0; i < 16; ++i) cname_ += kAlphabet[device() % (sizeof(kAlphabet) - 1)];

  task_queues_ = webrtc::CreateDefaultTaskQueueFactory();
  webrtc::Call::Config config(&event_log_);
  config.audio_state = engine_.voice->GetAudioState();
  config.task_queue_factory = task_queues_.get();
  config.trials = &trials_;
  call_.reset(webrtc::Call::Create(config));
  if (!call_) throw Error(DT_ERROR_CREATE_FAILED, "libwebrtc could not create a Call");
  call_->SignalChannelNetworkState(webrtc::MediaType::AUDIO, webrtc::kNetworkUp);
}

RtpMedia::~RtpMedia() {
  ++dtmf_generation_;
  DestroyReceiveStream();
  if (send_ != nullptr) {
    send_->Stop();
    call_->DestroyAudioSendStream(send_);
    send_ = nullptr;
  }
  call_.reset();
}

void RtpMedia::Apply(const MediaSettings& settings) {
  webrtc::AudioSendStream::Config config(transport_);
  config.rtp.ssrc = local_ssrc_;
  config.rtp.c_name = cname_;
  config.rtcp_report_interval_ms = settings.rtcp_report_interval_ms;
  config.encoder_factory = engine_.encoders;
  config.send_codec_spec = webrtc::AudioSendStream::Config::SendCodecSpec(settings.send_payload_type, settings.send_format);
  if (send_ == nullptr) {
    send_ = call_->CreateAudioSendStream(config);
    if (send_ == nullptr) throw Error(DT_ERROR_CREATE_FAILED, "libwebrtc could not create the audio send stream");
    send_->SetMuted(muted_);
  } else {
    send_->Reconfigure(config);
  }
  bool decoders_changed = settings.decoders != settings_.decoders;
  settings_ = settings;
  applied_ = true;
  if (settings.sending) send_->Start();
  else send_->Stop();
  if (receive_ != nullptr) {
    if (decoders_changed) receive_->SetDecoderMap(settings_.decoders);
    if (settings.receiving) receive_->Start();
    else receive_->Stop();
  }
}

void RtpMedia::CreateReceiveStream(uint32_t ssrc) {
  DestroyReceiveStream();
  webrtc::AudioReceiveStreamInterface::Config config;
  config.rtp.remote_ssrc = ssrc;
  config.rtp.local_ssrc = local_ssrc_;
  config.rtcp_send_transport = transport_;
  config.decoder_factory = engine_.decoders;
  config.decoder_map = settings_.decoders;
  receive_ = call_->CreateAudioReceiveStream(config);
  if (receive_ != nullptr && settings_.receiving) receive_->Start();
}

void RtpMedia::DestroyReceiveStream() {
  if (receive_ == nullptr) return;
  receive_->Stop();
  call_->DestroyAudioReceiveStream(receive_);
  receive_ = nullptr;
}

void RtpMedia::DeliverRtp(rtc::CopyOnWriteBuffer packet, uint32_t ssrc, int64_t arrival_time_us) {
  if (!applied_) return;
  // The peer's SSRC is rarely signalled in legacy SDP: the stream follows what arrives (a peer that
  // restarts its stream with a new SSRC gets a new receive stream).
  if (receive_ == nullptr || receive_->remote_ssrc() != ssrc) CreateReceiveStream(ssrc);
  if (receive_ == nullptr) return;
  call_->Receiver()->DeliverPacket(webrtc::MediaType::AUDIO, std::move(packet), arrival_time_us);
}

void RtpMedia::DeliverRtcp(rtc::CopyOnWriteBuffer packet, int64_t arrival_time_us) {
  if (!applied_) return;
  // Call routes RTCP to every stream itself and insists on MediaType::ANY for it.
  call_->Receiver()->DeliverPacket(webrtc::MediaType::ANY, std::move(packet), arrival_time_us);
}

void RtpMedia::SetMuted(bool muted) {
  muted_ = muted;
  if (send_ != nullptr) send_->SetMuted(muted);
}

bool RtpMedia::InsertDtmf(const std::string& tones, int duration_ms, int gap_ms) {
  if (send_ == nullptr || !settings_.sending || settings_.telephone_event_payload_type < 0) return false;
  dtmf_queue_ = tones;
  dtmf_duration_ms_ = duration_ms;
  dtmf_gap_ms_ = gap_ms;
  if (!dtmf_playing_) PlayNextTone(dtmf_generation_);
  return true;
}

void RtpMedia::PlayNextTone(uint64_t generation) {
  if (generation != dtmf_generation_) return;
  if (dtmf_queue_.empty() || send_ == nullptr || !settings_.sending) {
    dtmf_playing_ = false;
    dtmf_queue_.clear();
    return;
  }
  dtmf_playing_ = true;
  char tone = dtmf_queue_.front();
  dtmf_queue_.erase(0, 1);
  int wait_ms = 2000;  // ',' is a 2 s pause, as in W3C insertDTMF
  if (tone != ',') {
    static constexpr char kTones[] = "0123456789*#ABCD";
    int event = static_cast<int>(std::find(kTones, kTones + 16, std::toupper(static_cast<unsigned char>(tone))) - kTones);
    send_->SendTelephoneEvent(settings_.telephone_event_payload_type, settings_.telephone_event_clock_rate, event,
                              dtmf_duration_ms_);
    wait_ms = dtmf_duration_ms_ + dtmf_gap_ms_;
  }
  std::weak_ptr<RtpMedia> weak = weak_from_this();
  worker_->PostDelayedTask(
      [weak, generation] {
        if (auto self = weak.lock()) self->PlayNextTone(generation);
      },
      webrtc::TimeDelta::Millis(wait_ms));
}

void RtpMedia::FillStats(dt_rtp_stats& stats) {
  stats.local_ssrc = local_ssrc_;
  stats.send_payload_type = applied_ ? settings_.send_payload_type : -1;
  stats.remote_packets_lost = -1;
  stats.remote_jitter_ms = -1;
  stats.round_trip_time_ms = -1;
  stats.receive_audio_level = -1;
  if (send_ != nullptr) {
    webrtc::AudioSendStream::Stats s = send_->GetStats(/*has_remote_tracks=*/receive_ != nullptr);
    if (s.packets_lost >= 0 && s.report_block_datas.size() > 0) stats.remote_packets_lost = s.packets_lost;
    if (s.jitter_ms >= 0 && s.report_block_datas.size() > 0) stats.remote_jitter_ms = s.jitter_ms;
    if (s.rtt_ms > 0) stats.round_trip_time_ms = static_cast<double>(s.rtt_ms);
    stats.send_audio_level = Level(s.audio_level);
  }
  if (receive_ != nullptr) {
    webrtc::AudioReceiveStreamInterface::Stats r = receive_->GetStats(/*get_and_clear_legacy_stats=*/false);
    stats.remote_ssrc = r.remote_ssrc;
    stats.packets_lost = r.packets_lost;
    stats.jitter_ms = r.jitter_ms;
    stats.receive_audio_level = Level(r.audio_level);
    stats.concealed_samples = r.concealed_samples;
    stats.total_samples_received = r.total_samples_received;
  }
}

}  // namespace dt::rtp
