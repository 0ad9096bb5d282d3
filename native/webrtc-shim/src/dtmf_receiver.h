// Received DTMF as RFC 4733 telephone-events, read from the RTP payloads of a transceiver's
// receiver without decoding any audio.
//
// How (libwebrtc M108): a FrameTransformerInterface installed with
// RtpReceiverInterface::SetDepacketizerToDecoderFrameTransformer sees every payload the audio
// receive channel gets (ChannelReceive::ReceivePacket hands the depacketized payload and its RTP
// header to the transformer for every payload type, telephone-event included, before NetEq). The
// transformer reads telephone-event payloads and passes every frame on unchanged, so NetEq and
// playout behave as without it. This libwebrtc keeps the first transformer of a receive channel for
// the channel's life, so a transceiver has one transformer; a dt_dtmf_receiver is a listener on it.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>

#include "api/frame_transformer_interface.h"
#include "api/rtp_receiver_interface.h"
#include "callback_gate.h"
#include "factory.h"
#include "handles.h"

struct dt_dtmf_receiver {};

namespace dt {

// RFC 4733 event tracking: which packet starts an event, which ends it; retransmitted end packets
// and late packets of an older event are ignored. Pure logic (no threads).
class TelephoneEventTracker {
 public:
  // Returns the number of events written to out (0..2): an END of the previous event cut short, a
  // START, an END.
  int OnPayload(const uint8_t* payload, size_t size, uint32_t rtp_timestamp, uint32_t clock_rate_hz,
                dt_dtmf_event out[3]);

 private:
  dt_dtmf_event current_{};
  bool have_current_ = false;
  bool current_ended_ = false;
};

class DtmfReceiver;

class DtmfTransformer : public webrtc::FrameTransformerInterface {
 public:
  void Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) override;
  void RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) override;
  void RegisterTransformedFrameSinkCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback,
                                            uint32_t ssrc) override;
  void UnregisterTransformedFrameCallback() override;
  void UnregisterTransformedFrameSinkCallback(uint32_t ssrc) override;

  // Returns false when another listener is attached.
  bool Attach(const std::shared_ptr<DtmfReceiver>& listener);
  void Detach(const DtmfReceiver* listener);

 private:
  std::mutex mutex_;
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback_;
  std::weak_ptr<DtmfReceiver> listener_;
};

class DtmfReceiver {
 public:
  static constexpr HandleKind kKind = HandleKind::kDtmfReceiver;
  static constexpr const char* kTypeName = "DTMF receiver";
  using CHandle = dt_dtmf_receiver;

  DtmfReceiver(std::shared_ptr<Factory> factory, rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver);
  ~DtmfReceiver();

  CallbackSlot<dt_dtmf_receiver_callbacks>& callbacks() { return callbacks_; }
  CallbackGate& gate() { return *gate_; }
  void set_transformer(rtc::scoped_refptr<DtmfTransformer> t) { transformer_ = std::move(t); }
  const rtc::scoped_refptr<DtmfTransformer>& transformer() const { return transformer_; }
  // A received frame of `payload_type` (the receive channel's thread, one at a time).
  void OnFrame(uint8_t payload_type, const uint8_t* payload, size_t size, uint32_t rtp_timestamp);

 private:
  // The clock rate of `payload_type` when it is telephone-event, else 0; learnt from the receiver's
  // negotiated codecs the first time a payload type is seen (again after a renegotiation adds one).
  uint32_t TelephoneEventClock(uint8_t payload_type);

  std::shared_ptr<Factory> factory_;
  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver_;
  rtc::scoped_refptr<DtmfTransformer> transformer_;  // it holds this listener weakly
  std::shared_ptr<CallbackGate> gate_ = std::make_shared<CallbackGate>();
  CallbackSlot<dt_dtmf_receiver_callbacks> callbacks_{gate_};
  std::mutex mutex_;
  // Per payload type: 0 not looked up yet, 1 not telephone-event, else the clock rate in Hz.
  std::array<uint32_t, 128> payload_clock_{};
  TelephoneEventTracker tracker_;
};

}  // namespace dt
