// A legacy RTP session (dt_rtp_session): its sockets and network thread ("dt-rtp-io"), which owns
// SRTP (libwebrtc's cricket::SrtpSession, created and used on that thread only), validation,
// latching and the RFC 4733 reader; and its RtpMedia (webrtc::Call streams) on the factory's worker
// thread. Packets cross between the two threads by posted tasks (in) and a bounded queue (out).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/call/transport.h"
#include "callback_gate.h"
#include "factory.h"
#include "handles.h"
#include "rtp_media.h"
#include "rtp_packet.h"
#include "rtp_socket.h"

struct dt_rtp_session {};  // only ever used as an opaque handle type

namespace dt::rtp {

class SrtpPair;

struct SrtpKeys {
  dt_srtp_suite suite = DT_SRTP_SUITE_NONE;
  std::array<uint8_t, DT_SRTP_KEY_SALT_SIZE> key{};
  bool operator==(const SrtpKeys& o) const { return suite == o.suite && key == o.key; }
};

// What the network thread needs of the configuration.
struct NetworkSettings {
  bool configured = false;
  Endpoint rtp_remote;   // invalid: do not send
  Endpoint rtcp_remote;
  bool rtcp_mux = false;
  bool latching = true;
  SrtpKeys send_keys;
  SrtpKeys receive_keys;
  std::array<bool, 128> accepted_payload_types{};
  std::array<uint32_t, 128> telephone_event_clock_rate{};  // non-zero: telephone-event payload type
  bool receiving = false;
};

class RtpSession : public webrtc::Transport, public std::enable_shared_from_this<RtpSession> {
 public:
  static constexpr HandleKind kKind = HandleKind::kRtpSession;
  static constexpr const char* kTypeName = "rtp session";
  using CHandle = dt_rtp_session;

  static std::shared_ptr<RtpSession> Create(std::shared_ptr<Factory> factory, const dt_rtp_session_options* options);
  ~RtpSession() override;

  uint16_t rtp_port() const { return sockets_.rtp_port(); }
  uint16_t rtcp_port() const { return sockets_.rtcp_port(); }
  void Configure(const dt_rtp_session_config& config);
  void SetMuted(bool muted);
  void SendDtmf(const std::string& tones, int duration_ms, int gap_ms);
  void GetStats(dt_rtp_stats& out);
  // Stops media and the network thread; idempotent.
  void Close();

  CallbackSlot<dt_rtp_session_callbacks>& events() { return events_; }
  CallbackGate& gate() { return *gate_; }

  // webrtc::Transport: called by the streams on libwebrtc's threads; queued for the network thread.
  bool SendRtp(const uint8_t* packet, size_t length, const webrtc::PacketOptions& options) override;
  bool SendRtcp(const uint8_t* packet, size_t length) override;

 private:
  RtpSession(std::shared_ptr<Factory> factory, const std::string& local_ip, uint16_t port);
  template <typename Fn>
  void OnWorker(Fn&& fn);  // runs fn on the worker thread, rethrowing its dt::Error here
  bool Enqueue(bool rtcp, const uint8_t* packet, size_t length);
  void Wake();

  // Network thread.
  void Run();
  void ApplyPendingSettings();
  void DrainSendQueue();
  void ReadSocket(int fd, bool rtcp_socket);
  void HandlePacket(bool rtcp_socket, uint8_t* data, size_t size, const Endpoint& from);
  void HandleRtp(uint8_t* data, size_t size, const Endpoint& from);
  void HandleRtcp(uint8_t* data, size_t size, const Endpoint& from);
  bool AcceptSource(bool rtcp, const Endpoint& from);
  void Latch(bool rtcp, const Endpoint& from);

  std::shared_ptr<Factory> factory_;
  SocketPair sockets_;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::once_flag closed_;

  std::shared_ptr<CallbackGate> gate_ = std::make_shared<CallbackGate>();
  CallbackSlot<dt_rtp_session_callbacks> events_{gate_};

  // Settings handed to the network thread: written under mutex_, applied by it at its next turn;
  // Configure waits until applied_generation_ reaches the generation it wrote.
  std::mutex mutex_;
  std::condition_variable applied_;
  NetworkSettings pending_;
  uint64_t pending_generation_ = 0;
  uint64_t applied_generation_ = 0;
  std::string apply_error_;  // set by the network thread when it refuses the pending settings
  struct Outgoing {
    bool rtcp;
    std::vector<uint8_t> data;
  };
  std::deque<Outgoing> send_queue_;  // guarded by mutex_
  std::vector<Outgoing> spare_;      // reused buffers, guarded by mutex_

  // Network-thread state.
  NetworkSettings net_;
  Endpoint rtp_to_;
  Endpoint rtcp_to_;
  bool rtp_latched_ = false;
  bool rtcp_latched_ = false;
  std::unique_ptr<SrtpPair> srtp_;
  std::vector<std::unique_ptr<TelephoneEventReader>> event_readers_;  // by payload type, lazily
  std::atomic<bool> latched_flag_{false};

  // Worker-thread state.
  std::shared_ptr<RtpMedia> media_;

  // Counters (any thread).
  std::atomic<uint64_t> rtp_packets_sent_{0}, rtp_bytes_sent_{0}, rtp_packets_received_{0}, rtp_bytes_received_{0};
  std::atomic<uint64_t> rtcp_packets_sent_{0}, rtcp_packets_received_{0};
  std::atomic<uint64_t> dropped_malformed_{0}, dropped_oversized_{0}, dropped_unknown_payload_{0}, dropped_srtp_{0},
      dropped_stranger_{0};
};

}  // namespace dt::rtp
