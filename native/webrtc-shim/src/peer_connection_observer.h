// libwebrtc's PeerConnectionObserver for one shim peer connection: turns its events into the
// application's dt_peer_connection_callbacks (through the connection's callback gate).
#pragma once

#include "api/peer_connection_interface.h"

namespace dt {

class PeerConnection;

class PeerConnectionObserver final : public webrtc::PeerConnectionObserver {
 public:
  explicit PeerConnectionObserver(PeerConnection& owner) : owner_(owner) {}

  void OnSignalingChange(webrtc::PeerConnectionInterface::SignalingState state) override;
  void OnDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) override;
  void OnNegotiationNeededEvent(uint32_t event_id) override;
  void OnStandardizedIceConnectionChange(webrtc::PeerConnectionInterface::IceConnectionState state) override;
  void OnConnectionChange(webrtc::PeerConnectionInterface::PeerConnectionState state) override;
  void OnIceGatheringChange(webrtc::PeerConnectionInterface::IceGatheringState state) override;
  void OnIceCandidate(const webrtc::IceCandidateInterface* candidate) override;
  void OnTrack(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver) override;

 private:
  // The owner outlives libwebrtc's PeerConnection (it drops the PeerConnection first).
  PeerConnection& owner_;
};

}  // namespace dt
