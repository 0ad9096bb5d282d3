#include "peer_connection_observer.h"

#include "peer_connection.h"

namespace dt {

// Every entry point runs on a libwebrtc thread, inside Contain: an exception (from the shim's own
// work or the application's callback) never unwinds into libwebrtc.

// The enum orders of webrtc_shim.h follow libwebrtc's (and the W3C's), checked here.
static_assert(int(webrtc::PeerConnectionInterface::kHaveRemotePrAnswer) == DT_SIGNALING_STATE_HAVE_REMOTE_PRANSWER);
static_assert(int(webrtc::PeerConnectionInterface::kClosed) == DT_SIGNALING_STATE_CLOSED);
static_assert(int(webrtc::PeerConnectionInterface::kIceConnectionClosed) == DT_ICE_CONNECTION_STATE_CLOSED);
static_assert(int(webrtc::PeerConnectionInterface::kIceGatheringComplete) == DT_ICE_GATHERING_STATE_COMPLETE);
static_assert(int(webrtc::PeerConnectionInterface::PeerConnectionState::kClosed) == DT_PEER_CONNECTION_STATE_CLOSED);

void PeerConnectionObserver::OnSignalingChange(webrtc::PeerConnectionInterface::SignalingState state) {
  Contain("PeerConnectionObserver::OnSignalingChange", [&] {
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_signaling_state) cb.on_signaling_state(user, static_cast<dt_signaling_state>(state));
    });
  });
}

void PeerConnectionObserver::OnDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) {
  Contain("PeerConnectionObserver::OnDataChannel", [&] {
    owner_.OnRemoteDataChannel(std::move(channel));
  });
}

void PeerConnectionObserver::OnNegotiationNeededEvent(uint32_t event_id) {
  Contain("PeerConnectionObserver::OnNegotiationNeededEvent", [&] {
    // W3C semantics: libwebrtc queues the event; it is stale if the state moved on meanwhile.
    rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc;
    try {
      pc = owner_.pc();
    } catch (const Error&) {
      return;
    }
    if (!pc->ShouldFireNegotiationNeededEvent(event_id)) return;
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_negotiation_needed) cb.on_negotiation_needed(user);
    });
  });
}

void PeerConnectionObserver::OnStandardizedIceConnectionChange(webrtc::PeerConnectionInterface::IceConnectionState state) {
  Contain("PeerConnectionObserver::OnStandardizedIceConnectionChange", [&] {
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_ice_connection_state) cb.on_ice_connection_state(user, static_cast<dt_ice_connection_state>(state));
    });
  });
}

void PeerConnectionObserver::OnConnectionChange(webrtc::PeerConnectionInterface::PeerConnectionState state) {
  Contain("PeerConnectionObserver::OnConnectionChange", [&] {
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_connection_state) cb.on_connection_state(user, static_cast<dt_peer_connection_state>(state));
    });
  });
}

void PeerConnectionObserver::OnIceGatheringChange(webrtc::PeerConnectionInterface::IceGatheringState state) {
  Contain("PeerConnectionObserver::OnIceGatheringChange", [&] {
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_ice_gathering_state) cb.on_ice_gathering_state(user, static_cast<dt_ice_gathering_state>(state));
    });
  });
}

void PeerConnectionObserver::OnIceCandidate(const webrtc::IceCandidateInterface* candidate) {
  Contain("PeerConnectionObserver::OnIceCandidate", [&] {
    if (candidate == nullptr) return;
    std::string text;
    if (!candidate->ToString(&text)) return;
    std::string mid = candidate->sdp_mid();
    int32_t index = candidate->sdp_mline_index();
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_ice_candidate) cb.on_ice_candidate(user, mid.c_str(), index, text.c_str());
    });
  });
}

void PeerConnectionObserver::OnTrack(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver) {
  Contain("PeerConnectionObserver::OnTrack", [&] {
    dt_transceiver* handle = owner_.TransceiverHandle(transceiver);
    if (handle == nullptr) return;
    auto track = transceiver->receiver()->track();
    std::string track_id = track ? track->id() : std::string();
    std::string mid = transceiver->mid().value_or("");
    owner_.events().Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
      if (cb.on_track) cb.on_track(user, handle, track_id.c_str(), mid.c_str());
    });
  });
}

}  // namespace dt
