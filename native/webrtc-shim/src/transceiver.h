// Transceivers and their DTMF senders: handles owned by the peer connection (no release of their
// own); they become invalid when it is released.
#pragma once

#include <memory>
#include <mutex>

#include "api/dtmf_sender_interface.h"
#include "api/rtp_transceiver_interface.h"
#include "callback_gate.h"
#include "factory.h"
#include "peer_connection.h"

namespace dt {

class DtmfSender;

class Transceiver {
 public:
  static constexpr HandleKind kKind = HandleKind::kTransceiver;
  static constexpr const char* kTypeName = "transceiver";
  using CHandle = dt_transceiver;

  Transceiver(std::shared_ptr<Factory> factory, std::shared_ptr<CallbackGate> gate,
              rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver);
  ~Transceiver();

  webrtc::RtpTransceiverInterface& get() const { return *transceiver_; }
  // The transceiver's receiver, fixed for its life (Unified Plan): asked once, when this object is made on
  // the signalling thread, so reading it later is no round trip there.
  const rtc::scoped_refptr<webrtc::RtpReceiverInterface>& receiver() const { return receiver_; }
  const std::shared_ptr<Factory>& factory() const { return factory_; }
  // The DTMF sender's handle, made on first use; throws DT_ERROR_INVALID_STATE without one.
  dt_dtmf_sender* DtmfHandle();
  // Invalidates the DTMF handle and stops its callbacks (the peer connection is being released).
  void Shutdown();

 private:
  LiveCount<LiveCounters::transceivers> live_;
  std::shared_ptr<Factory> factory_;  // keeps the threads the proxy needs
  std::shared_ptr<CallbackGate> gate_;  // the peer connection's
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver_;
  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver_;
  std::mutex mutex_;
  std::shared_ptr<DtmfSender> dtmf_;
  uint64_t dtmf_handle_ = 0;
  bool shut_down_ = false;
};

class DtmfSender final : public webrtc::DtmfSenderObserverInterface {
 public:
  static constexpr HandleKind kKind = HandleKind::kDtmfSender;
  static constexpr const char* kTypeName = "DTMF sender";
  using CHandle = dt_dtmf_sender;

  DtmfSender(std::shared_ptr<Factory> factory, std::shared_ptr<CallbackGate> gate,
             rtc::scoped_refptr<webrtc::DtmfSenderInterface> sender);
  ~DtmfSender() override;

  webrtc::DtmfSenderInterface& get() const { return *sender_; }
  CallbackSlot<dt_dtmf_callbacks>& callbacks() { return callbacks_; }
  void Shutdown();

  void OnToneChange(const std::string& tone, const std::string& tone_buffer) override;

 private:
  std::shared_ptr<Factory> factory_;
  CallbackSlot<dt_dtmf_callbacks> callbacks_;
  rtc::scoped_refptr<webrtc::DtmfSenderInterface> sender_;
  bool observing_ = false;
};

}  // namespace dt
