// The shim's peer connection: the libwebrtc PeerConnection, its observer, its event callbacks,
// its pending completions and the handles of its transceivers.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "api/peer_connection_interface.h"
#include "callback_gate.h"
#include "completions.h"
#include "factory.h"
#include "handles.h"

struct dt_peer_connection {};  // opaque handle types
struct dt_transceiver {};
struct dt_dtmf_sender {};
struct dt_data_channel {};

namespace dt {

class PeerConnectionObserver;
class Transceiver;

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  static constexpr HandleKind kKind = HandleKind::kPeerConnection;
  static constexpr const char* kTypeName = "peer connection";
  using CHandle = dt_peer_connection;

  static std::shared_ptr<PeerConnection> Create(std::shared_ptr<Factory> factory,
                                                const dt_peer_connection_config* config);
  ~PeerConnection();

  // The libwebrtc object (a proxy: its methods hop to the signalling thread);
  // throws DT_ERROR_CLOSED once the connection is shut down.
  rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc() const;
  const std::shared_ptr<Factory>& factory() const { return factory_; }
  const std::shared_ptr<CallbackGate>& gate() const { return gate_; }
  CallbackSlot<dt_peer_connection_callbacks>& events() { return events_; }
  Completions& completions() { return *completions_; }
  const std::shared_ptr<Completions>& completions_ptr() const { return completions_; }

  // Completes pending operations with DT_ERROR_CLOSED, closes the libwebrtc connection and waits
  // for event callbacks in flight. Idempotent.
  void Close();
  // Close(), then invalidates the transceiver and DTMF handles and drops the libwebrtc object.
  void Shutdown();

  // The handle of `transceiver`, made on first use; null once shut down.
  dt_transceiver* TransceiverHandle(const rtc::scoped_refptr<webrtc::RtpTransceiverInterface>& transceiver);

  // A data channel announced by the remote side (signalling thread).
  void OnRemoteDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel);

 private:
  explicit PeerConnection(std::shared_ptr<Factory> factory);

  LiveCount<LiveCounters::peer_connections> live_;
  std::shared_ptr<Factory> factory_;
  std::shared_ptr<CallbackGate> gate_;
  CallbackSlot<dt_peer_connection_callbacks> events_;
  std::shared_ptr<Completions> completions_;
  std::unique_ptr<PeerConnectionObserver> observer_;  // outlives pc_ (see Shutdown)

  mutable std::mutex mutex_;
  rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc_;
  bool shut_down_ = false;
  struct TransceiverEntry {
    webrtc::RtpTransceiverInterface* raw;  // identity only; `object` holds the reference
    std::shared_ptr<Transceiver> object;
    uint64_t handle;
  };
  std::vector<TransceiverEntry> transceivers_;
};

// Maps libwebrtc's RTCError to a result code and message, used by every completion.
std::string ErrorText(const webrtc::RTCError& error);

}  // namespace dt
