// The libwebrtc side of a legacy RTP session: a webrtc::Call on the factory's voice-engine
// AudioState (so the same audio device, APM with AEC3/NS/AGC and mixer as peer connections), one
// AudioSendStream and one AudioReceiveStream (NetEq) created when the peer's SSRC is first seen.
// Everything here runs on the factory's worker thread only: create, use and destroy it there.
// This file and rtp_media.cc are the only version-specific parts of the legacy RTP path.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "api/audio_codecs/audio_format.h"
#include "api/call/transport.h"
#include "api/rtc_event_log/rtc_event_log.h"
#include "api/task_queue/task_queue_factory.h"
#include "api/transport/field_trial_based_config.h"
#include "call/call.h"
#include "rtc_base/copy_on_write_buffer.h"
#include "rtc_base/thread.h"
#include "webrtc_compat.h"
#include "webrtc_shim.h"

namespace dt::rtp {

// The negotiated media, checked and converted from dt_rtp_session_config.
struct MediaSettings {
  int send_payload_type = -1;
  webrtc::SdpAudioFormat send_format{"PCMU", 8000, 1};
  int telephone_event_payload_type = -1;
  int telephone_event_clock_rate = 8000;
  std::map<int, webrtc::SdpAudioFormat> decoders;
  bool sending = false;
  bool receiving = false;
  int rtcp_report_interval_ms = 5000;
};

// dt_rtp_codec as libwebrtc's SdpAudioFormat; throws dt::Error(INVALID_ARGUMENT) for a codec the
// engine cannot encode (`for_sending`) or decode. telephone-event is accepted for receiving.
webrtc::SdpAudioFormat ToSdpFormat(const dt_rtp_codec& codec, const compat::AudioEngine& engine, bool for_sending);

class RtpMedia : public std::enable_shared_from_this<RtpMedia> {
 public:
  RtpMedia(const compat::AudioEngine& engine, rtc::Thread* worker, webrtc::Transport* transport);
  ~RtpMedia();

  // Throws dt::Error(CREATE_FAILED) when libwebrtc refuses a stream.
  void Apply(const MediaSettings& settings);
  void DeliverRtp(rtc::CopyOnWriteBuffer packet, uint32_t ssrc, int64_t arrival_time_us);
  void DeliverRtcp(rtc::CopyOnWriteBuffer packet, int64_t arrival_time_us);
  void SetMuted(bool muted);
  // Replaces the DTMF queue; false when telephone-event cannot be sent now.
  bool InsertDtmf(const std::string& tones, int duration_ms, int gap_ms);
  void FillStats(dt_rtp_stats& stats);
  uint32_t local_ssrc() const { return local_ssrc_; }

 private:
  void CreateReceiveStream(uint32_t ssrc);
  void DestroyReceiveStream();
  void PlayNextTone(uint64_t generation);

  compat::AudioEngine engine_;
  rtc::Thread* worker_;
  webrtc::Transport* transport_;
  std::unique_ptr<webrtc::TaskQueueFactory> task_queues_;
  webrtc::FieldTrialBasedConfig trials_;
  webrtc::RtcEventLogNull event_log_;
  std::unique_ptr<webrtc::Call> call_;
  webrtc::AudioSendStream* send_ = nullptr;
  webrtc::AudioReceiveStreamInterface* receive_ = nullptr;
  MediaSettings settings_;
  bool applied_ = false;
  bool muted_ = false;
  uint32_t local_ssrc_;
  std::string cname_;
  std::string dtmf_queue_;
  int dtmf_duration_ms_ = 100;
  int dtmf_gap_ms_ = 70;
  uint64_t dtmf_generation_ = 0;
  bool dtmf_playing_ = false;
};

}  // namespace dt::rtp
