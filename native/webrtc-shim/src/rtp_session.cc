#include "rtp_session.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "errors.h"
#include "rtc_base/logging.h"
#include "rtc_base/time_utils.h"
#include "rtp_srtp.h"

namespace dt::rtp {

namespace {

constexpr size_t kMaxQueuedPackets = 256;  // ~2.5 s of 20 ms audio plus RTCP; beyond that we drop
constexpr size_t kSrtpRoom = 4 + 10;       // SRTCP index + the longest auth tag
constexpr int kReadsPerTurn = 64;

SrtpKeys ReadKeys(dt_srtp_suite raw_suite, const uint8_t* key, const char* what) {
  SrtpKeys keys;
  keys.suite = CheckedEnum(raw_suite, DT_SRTP_SUITE_NONE, DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32, what);
  if (keys.suite != DT_SRTP_SUITE_NONE) {
    if (key == nullptr) throw Error(DT_ERROR_INVALID_ARGUMENT, std::string(what) + " is set but its key is NULL");
    std::memcpy(keys.key.data(), key, keys.key.size());
  }
  return keys;
}

}  // namespace

std::shared_ptr<RtpSession> RtpSession::Create(std::shared_ptr<Factory> factory, const dt_rtp_session_options* in) {
  dt_rtp_session_options defaults{};
  defaults.struct_size = sizeof(defaults);
  dt_rtp_session_options options = ReadVersioned(in, defaults, "dt_rtp_session_options");
  std::string ip = options.local_address != nullptr ? options.local_address : "";
  std::shared_ptr<RtpSession> session(new RtpSession(factory, ip, options.local_port));
  // The engine side lives on the worker thread; the transport (this) outlives it (Close destroys
  // the streams before the object goes).
  RtpSession* raw = session.get();
  session->OnWorker([&] {
    raw->media_ = std::make_shared<RtpMedia>(raw->factory_->audio_engine(), raw->factory_->worker_thread(), raw);
  });
  session->thread_ = std::thread([raw] { raw->Run(); });
  return session;
}

RtpSession::RtpSession(std::shared_ptr<Factory> factory, const std::string& local_ip, uint16_t port)
    : factory_(std::move(factory)), sockets_(local_ip, port) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw Error(DT_ERROR_CREATE_FAILED, std::string("eventfd: ") + std::strerror(errno));
}

RtpSession::~RtpSession() {
  Close();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

template <typename Fn>
void RtpSession::OnWorker(Fn&& fn) {
  std::exception_ptr failure;
  compat::RunOn(factory_->worker_thread(), [&] {
    try {
      fn();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  if (failure) std::rethrow_exception(failure);
}

void RtpSession::Close() {
  std::call_once(closed_, [this] {
    // Streams first (no more SendRtp/SendRtcp into this transport), then the network thread.
    std::shared_ptr<RtpMedia> media;
    compat::RunOn(factory_->worker_thread(), [&] { media = std::move(media_); media.reset(); });
    stop_.store(true);
    Wake();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    applied_generation_ = pending_generation_;  // nobody waits forever on a closed session
    applied_.notify_all();
  });
}

void RtpSession::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void RtpSession::Configure(const dt_rtp_session_config& c) {
  const compat::AudioEngine& engine = factory_->audio_engine();
  dt_transceiver_direction direction =
      CheckedEnum(c.direction, DT_DIRECTION_SENDRECV, DT_DIRECTION_INACTIVE, "direction");
  RequireArgument(c.receive_codecs != nullptr || c.receive_codec_count == 0, "receive_codecs is NULL");
  RequireArgument(c.receive_codec_count <= 128, "more than 128 receive codecs");
  RequireArgument(c.rtcp_report_interval_ms >= 0 && c.rtcp_report_interval_ms <= 60000,
                  "rtcp_report_interval_ms must be 0..60000");

  NetworkSettings net;
  net.configured = true;
  net.rtp_remote = Endpoint::Parse(c.remote_address, c.remote_rtp_port);
  if (c.remote_rtp_port == 0) net.rtp_remote = Endpoint{};
  uint16_t rtcp_port = c.rtcp_mux ? c.remote_rtp_port
                                  : (c.remote_rtcp_port != 0 ? c.remote_rtcp_port : static_cast<uint16_t>(c.remote_rtp_port + 1));
  net.rtcp_remote = net.rtp_remote.valid() ? net.rtp_remote.WithPort(rtcp_port) : Endpoint{};
  net.rtcp_mux = c.rtcp_mux;
  net.latching = c.latching;
  net.send_keys = ReadKeys(c.send_suite, c.send_key, "send_suite");
  net.receive_keys = ReadKeys(c.receive_suite, c.receive_key, "receive_suite");
  if ((net.send_keys.suite == DT_SRTP_SUITE_NONE) != (net.receive_keys.suite == DT_SRTP_SUITE_NONE)) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "send and receive must both use SRTP or both not");
  }

  MediaSettings media;
  media.send_payload_type = c.send_codec.payload_type;
  media.send_format = ToSdpFormat(c.send_codec, engine, /*for_sending=*/true);
  media.telephone_event_payload_type = c.send_telephone_event_payload_type;
  if (media.telephone_event_payload_type > 127 || media.telephone_event_payload_type < -1) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "send_telephone_event_payload_type must be -1..127");
  }
  media.telephone_event_clock_rate = c.send_telephone_event_clock_rate != 0
                                         ? static_cast<int>(c.send_telephone_event_clock_rate)
                                         : media.send_format.clockrate_hz;
  for (size_t i = 0; i < c.receive_codec_count; ++i) {
    const dt_rtp_codec& codec = c.receive_codecs[i];
    webrtc::SdpAudioFormat format = ToSdpFormat(codec, engine, /*for_sending=*/false);
    if (net.accepted_payload_types[codec.payload_type]) {
      throw Error(DT_ERROR_INVALID_ARGUMENT, "payload type listed twice: " + std::to_string(codec.payload_type));
    }
    net.accepted_payload_types[codec.payload_type] = true;
    if (format.name == "telephone-event") net.telephone_event_clock_rate[codec.payload_type] = codec.clock_rate;
    media.decoders.emplace(codec.payload_type, std::move(format));
  }
  media.sending = direction == DT_DIRECTION_SENDRECV || direction == DT_DIRECTION_SENDONLY;
  media.receiving = direction == DT_DIRECTION_SENDRECV || direction == DT_DIRECTION_RECVONLY;
  net.receiving = media.receiving;
  media.rtcp_report_interval_ms = c.rtcp_report_interval_ms == 0 ? 5000 : c.rtcp_report_interval_ms;

  // Network side first (keys, addresses), so the first packet the new streams send goes out right.
  {
    std::unique_lock lock(mutex_);
    if (stop_.load()) throw Error(DT_ERROR_CLOSED, "the session is closed");
    pending_ = net;
    uint64_t generation = ++pending_generation_;
    Wake();
    applied_.wait(lock, [&] { return applied_generation_ >= generation; });
    if (!apply_error_.empty()) {
      std::string error = std::move(apply_error_);
      apply_error_.clear();
      throw Error(DT_ERROR_INVALID_ARGUMENT, error);
    }
  }
  OnWorker([&] {
    if (!media_) throw Error(DT_ERROR_CLOSED, "the session is closed");
    media_->Apply(media);
  });
}

void RtpSession::SetMuted(bool muted) {
  OnWorker([&] {
    if (!media_) throw Error(DT_ERROR_CLOSED, "the session is closed");
    media_->SetMuted(muted);
  });
}

void RtpSession::SendDtmf(const std::string& tones, int duration_ms, int gap_ms) {
  OnWorker([&] {
    if (!media_) throw Error(DT_ERROR_CLOSED, "the session is closed");
    if (!media_->InsertDtmf(tones, duration_ms, gap_ms)) {
      throw Error(DT_ERROR_DTMF, "DTMF needs a send telephone-event payload type and a sending direction");
    }
  });
}

void RtpSession::GetStats(dt_rtp_stats& out) {
  out.rtp_packets_sent = rtp_packets_sent_.load();
  out.rtp_bytes_sent = rtp_bytes_sent_.load();
  out.rtp_packets_received = rtp_packets_received_.load();
  out.rtp_bytes_received = rtp_bytes_received_.load();
  out.rtcp_packets_sent = rtcp_packets_sent_.load();
  out.rtcp_packets_received = rtcp_packets_received_.load();
  out.dropped_malformed = dropped_malformed_.load();
  out.dropped_oversized = dropped_oversized_.load();
  out.dropped_unknown_payload = dropped_unknown_payload_.load();
  out.dropped_srtp = dropped_srtp_.load();
  out.dropped_stranger = dropped_stranger_.load();
  out.remote_address_latched = latched_flag_.load();
  out.send_payload_type = -1;
  out.remote_packets_lost = -1;
  out.remote_jitter_ms = -1;
  out.round_trip_time_ms = -1;
  out.receive_audio_level = -1;
  OnWorker([&] {
    if (media_) media_->FillStats(out);
  });
}

// ---- outgoing ----------------------------------------------------------------------------------

bool RtpSession::SendRtp(const uint8_t* packet, size_t length, const webrtc::PacketOptions&) {
  return Enqueue(false, packet, length);
}

bool RtpSession::SendRtcp(const uint8_t* packet, size_t length) { return Enqueue(true, packet, length); }

bool RtpSession::Enqueue(bool rtcp, const uint8_t* packet, size_t length) {
  if (length == 0 || length > kMaxPacketSize || stop_.load()) return false;
  {
    std::lock_guard lock(mutex_);
    if (send_queue_.size() >= kMaxQueuedPackets) return false;
    Outgoing out{rtcp, {}};
    if (!spare_.empty()) {
      out.data = std::move(spare_.back().data);
      spare_.pop_back();
    }
    out.data.reserve(kMaxPacketSize + kSrtpRoom);
    out.data.assign(packet, packet + length);
    send_queue_.push_back(std::move(out));
  }
  Wake();
  return true;
}

void RtpSession::DrainSendQueue() {
  std::deque<Outgoing> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(send_queue_);
  }
  for (Outgoing& out : batch) {
    const Endpoint& to = out.rtcp ? rtcp_to_ : rtp_to_;
    if (to.valid()) {
      int size = static_cast<int>(out.data.size());
      bool ok = true;
      if (srtp_) {
        out.data.resize(out.data.size() + kSrtpRoom);
        int protected_size = 0;
        ok = out.rtcp ? srtp_->ProtectRtcp(out.data.data(), size, static_cast<int>(out.data.size()), &protected_size)
                      : srtp_->ProtectRtp(out.data.data(), size, static_cast<int>(out.data.size()), &protected_size);
        size = protected_size;
      }
      // Symmetric RTP (RFC 4961): RTP from the RTP socket, RTCP from the RTCP one (or the RTP one
      // when multiplexed), so a NAT maps the ports the peer sends to.
      int fd = out.rtcp && !net_.rtcp_mux ? sockets_.rtcp_fd() : sockets_.rtp_fd();
      if (ok && ::sendto(fd, out.data.data(), static_cast<size_t>(size), 0,
                         reinterpret_cast<const sockaddr*>(&to.storage), to.length) == size) {
        if (out.rtcp) {
          rtcp_packets_sent_.fetch_add(1);
        } else {
          rtp_packets_sent_.fetch_add(1);
          rtp_bytes_sent_.fetch_add(static_cast<uint64_t>(size));
        }
      }
    }
  }
  std::lock_guard lock(mutex_);
  for (Outgoing& out : batch) {
    if (spare_.size() < kMaxQueuedPackets) spare_.push_back(std::move(out));
  }
}

// ---- network thread ----------------------------------------------------------------------------

void RtpSession::Run() {
  pthread_setname_np(pthread_self(), "dt-rtp-io");
  while (!stop_.load()) {
    ApplyPendingSettings();
    DrainSendQueue();
    pollfd fds[3] = {{sockets_.rtp_fd(), POLLIN, 0}, {sockets_.rtcp_fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = ::poll(fds, 3, 1000);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (fds[2].revents & POLLIN) {
      uint64_t value;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &value, sizeof(value));
    }
    if (fds[0].revents & POLLIN) ReadSocket(sockets_.rtp_fd(), false);
    if (fds[1].revents & POLLIN) ReadSocket(sockets_.rtcp_fd(), true);
  }
  // SrtpSession must die on the thread that used it.
  srtp_.reset();
}

void RtpSession::ApplyPendingSettings() {
  std::lock_guard lock(mutex_);
  if (applied_generation_ == pending_generation_) return;
  NetworkSettings next = pending_;
  bool keys_changed = !(next.send_keys == net_.send_keys) || !(next.receive_keys == net_.receive_keys) || !net_.configured;
  if (keys_changed) {
    // Keys unchanged across a re-INVITE keep the SRTP contexts (rollover counters, replay window).
    srtp_.reset();
    if (next.send_keys.suite != DT_SRTP_SUITE_NONE) {
      std::string error;
      srtp_ = SrtpPair::Create(next.send_keys, next.receive_keys, &error);
      if (!srtp_) {
        apply_error_ = error;
        next.configured = false;  // drop everything rather than send in the clear
      }
    }
  }
  bool address_changed = next.rtp_remote != net_.rtp_remote || next.rtcp_remote != net_.rtcp_remote ||
                         next.rtcp_mux != net_.rtcp_mux || next.latching != net_.latching;
  net_ = next;
  if (address_changed || !rtp_latched_) {
    rtp_to_ = net_.rtp_remote;
    rtcp_to_ = net_.rtcp_remote;
    rtp_latched_ = false;
    rtcp_latched_ = false;
    latched_flag_.store(false);
  }
  for (int pt = 0; pt < 128; ++pt) {
    if (net_.telephone_event_clock_rate[pt] == 0) continue;
    if (event_readers_.size() <= static_cast<size_t>(pt)) event_readers_.resize(128);
    if (!event_readers_[pt]) event_readers_[pt] = std::make_unique<TelephoneEventReader>(net_.telephone_event_clock_rate[pt]);
  }
  applied_generation_ = pending_generation_;
  applied_.notify_all();
}

void RtpSession::ReadSocket(int fd, bool rtcp_socket) {
  uint8_t buffer[kMaxPacketSize + kSrtpRoom + 1];
  for (int i = 0; i < kReadsPerTurn; ++i) {
    sockaddr_storage from{};
    socklen_t from_length = sizeof(from);
    ssize_t n = ::recvfrom(fd, buffer, sizeof(buffer), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) return;  // EAGAIN: drained (or an ICMP error from a previous send: ignored)
    if (static_cast<size_t>(n) > kMaxPacketSize) {
      dropped_oversized_.fetch_add(1);
      continue;
    }
    Endpoint source;
    source.storage = from;
    source.length = from_length;
    HandlePacket(rtcp_socket, buffer, static_cast<size_t>(n), source);
  }
}

bool RtpSession::AcceptSource(bool rtcp, const Endpoint& from) {
  if (!net_.configured) return false;
  if (rtcp && !net_.rtcp_mux) {
    if (rtcp_latched_) return from == rtcp_to_;
    if (rtp_latched_) return from.SameAddress(rtp_to_);
    if (!net_.latching) return net_.rtcp_remote.valid() && from.SameAddress(net_.rtcp_remote);
    return true;
  }
  if (rtp_latched_) return from == rtp_to_;
  if (!net_.latching) return net_.rtp_remote.valid() && from.SameAddress(net_.rtp_remote);
  return true;
}

void RtpSession::Latch(bool rtcp, const Endpoint& from) {
  if (!net_.latching) return;
  bool on_rtcp_socket = rtcp && !net_.rtcp_mux;
  if (on_rtcp_socket) {
    if (rtcp_latched_) return;
    rtcp_latched_ = true;
    if (rtcp_to_ == from) return;
    rtcp_to_ = from;
  } else {
    if (rtp_latched_) return;
    rtp_latched_ = true;
    latched_flag_.store(true);
    if (net_.rtcp_mux) {
      rtcp_latched_ = true;
      rtcp_to_ = from;
    } else if (!rtcp_latched_) {
      // Until the peer's RTCP arrives, send ours to its RTP address's host at the signalled port.
      rtcp_to_ = from.WithPort(net_.rtcp_remote.valid() ? net_.rtcp_remote.port() : static_cast<uint16_t>(from.port() + 1));
    }
    if (rtp_to_ == from) return;
    rtp_to_ = from;
  }
  std::string ip = from.ip();
  uint16_t port = from.port();
  RTC_LOG(LS_INFO) << "dt rtp session: " << (on_rtcp_socket ? "RTCP" : "RTP") << " latched to " << ip << ":" << port;
  events_.Fire([&](const dt_rtp_session_callbacks& cb, void* user_data) {
    if (cb.on_remote_address_latched != nullptr) cb.on_remote_address_latched(user_data, on_rtcp_socket, ip.c_str(), port);
  });
}

void RtpSession::HandlePacket(bool rtcp_socket, uint8_t* data, size_t size, const Endpoint& from) {
  // RFC 5761: only a multiplexed RTP port carries RTCP; elsewhere payload types 72-76 are bad RTP.
  bool rtcp = rtcp_socket || (net_.rtcp_mux && LooksLikeRtcp(data, size));
  if (!AcceptSource(rtcp, from)) {
    dropped_stranger_.fetch_add(1);
    return;
  }
  if (rtcp) HandleRtcp(data, size, from);
  else HandleRtp(data, size, from);
}

void RtpSession::HandleRtp(uint8_t* data, size_t size, const Endpoint& from) {
  // The fixed header is in the clear with SRTP too; padding is checked after decryption.
  if (size < 12 || (data[0] >> 6) != 2) {
    dropped_malformed_.fetch_add(1);
    return;
  }
  uint8_t payload_type = data[1] & 0x7f;
  if (!net_.accepted_payload_types[payload_type]) {
    dropped_unknown_payload_.fetch_add(1);
    return;
  }
  int plain_size = static_cast<int>(size);
  if (srtp_ && !srtp_->UnprotectRtp(data, static_cast<int>(size), &plain_size)) {
    dropped_srtp_.fetch_add(1);
    return;
  }
  std::optional<RtpHeader> header = ParseRtp(data, static_cast<size_t>(plain_size));
  if (!header) {
    dropped_malformed_.fetch_add(1);
    return;
  }
  Latch(false, from);
  rtp_packets_received_.fetch_add(1);
  rtp_bytes_received_.fetch_add(size);

  if (net_.telephone_event_clock_rate[payload_type] != 0 && net_.receiving) {
    TelephoneEventReader& reader = *event_readers_[payload_type];
    bool ok = reader.Read(header->timestamp, data + header->header_size, header->payload_size, [&](const dt_rtp_dtmf_event& e) {
      events_.Fire([&](const dt_rtp_session_callbacks& cb, void* user_data) {
        if (cb.on_dtmf_event != nullptr) cb.on_dtmf_event(user_data, &e);
      });
    });
    if (!ok) {
      dropped_malformed_.fetch_add(1);
      return;
    }
  }
  rtc::CopyOnWriteBuffer packet(data, static_cast<size_t>(plain_size));
  uint32_t ssrc = header->ssrc;
  int64_t now = rtc::TimeMicros();
  std::weak_ptr<RtpSession> weak = weak_from_this();
  factory_->worker_thread()->PostTask([weak, packet = std::move(packet), ssrc, now]() mutable {
    auto self = weak.lock();
    if (self && self->media_) self->media_->DeliverRtp(std::move(packet), ssrc, now);
  });
}

void RtpSession::HandleRtcp(uint8_t* data, size_t size, const Endpoint& from) {
  // Before decryption only the first header is readable (SRTCP encrypts the rest).
  if (size < 8 || (data[0] >> 6) != 2 || data[1] < 200 || data[1] > 207) {
    dropped_malformed_.fetch_add(1);
    return;
  }
  int plain_size = static_cast<int>(size);
  if (srtp_ && !srtp_->UnprotectRtcp(data, static_cast<int>(size), &plain_size)) {
    dropped_srtp_.fetch_add(1);
    return;
  }
  if (!ValidRtcp(data, static_cast<size_t>(plain_size), 0)) {
    dropped_malformed_.fetch_add(1);
    return;
  }
  Latch(true, from);
  rtcp_packets_received_.fetch_add(1);
  rtc::CopyOnWriteBuffer packet(data, static_cast<size_t>(plain_size));
  int64_t now = rtc::TimeMicros();
  std::weak_ptr<RtpSession> weak = weak_from_this();
  factory_->worker_thread()->PostTask([weak, packet = std::move(packet), now]() mutable {
    auto self = weak.lock();
    if (self && self->media_) self->media_->DeliverRtcp(std::move(packet), now);
  });
}

}  // namespace dt::rtp

// ---- C ABI -------------------------------------------------------------------------------------

using dt::Guard;
using dt::rtp::RtpSession;

extern "C" {

DT_API int32_t dt_rtp_session_create(dt_factory* factory, const dt_rtp_session_options* options,
                                     dt_rtp_session** out_session) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_session != nullptr, "out_session is NULL");
    *out_session = nullptr;
    auto f = dt::Lookup<dt::Factory>(factory);
    *out_session = dt::Register(RtpSession::Create(std::move(f), options));
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_get_local_ports(dt_rtp_session* session, uint16_t* out_rtp_port,
                                              uint16_t* out_rtcp_port) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_rtp_port != nullptr && out_rtcp_port != nullptr, "an output pointer is NULL");
    auto s = dt::Lookup<RtpSession>(session);
    *out_rtp_port = s->rtp_port();
    *out_rtcp_port = s->rtcp_port();
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_set_callbacks(dt_rtp_session* session, const dt_rtp_session_callbacks* callbacks,
                                            void* user_data) {
  return Guard(__func__, [&] {
    dt::Lookup<RtpSession>(session)->events().Set(callbacks, user_data, "dt_rtp_session_callbacks");
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_configure(dt_rtp_session* session, const dt_rtp_session_config* config) {
  return Guard(__func__, [&] {
    dt::RequireArgument(config != nullptr, "config is NULL");
    dt_rtp_session_config defaults{};
    defaults.struct_size = sizeof(defaults);
    defaults.latching = true;
    defaults.send_telephone_event_payload_type = -1;
    dt_rtp_session_config c = dt::ReadVersioned(config, defaults, "dt_rtp_session_config");
    dt::Lookup<RtpSession>(session)->Configure(c);
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_set_muted(dt_rtp_session* session, bool muted) {
  return Guard(__func__, [&] {
    dt::Lookup<RtpSession>(session)->SetMuted(muted);
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_send_dtmf(dt_rtp_session* session, const char* tones, int32_t duration_ms,
                                        int32_t inter_tone_gap_ms) {
  return Guard(__func__, [&] {
    dt::RequireArgument(tones != nullptr, "tones is NULL");
    dt::RequireArgument(duration_ms >= 40 && duration_ms <= 6000, "duration_ms must be 40..6000");
    dt::RequireArgument(inter_tone_gap_ms >= 30 && inter_tone_gap_ms <= 60000, "inter_tone_gap_ms must be 30..60000");
    std::string text = tones;
    for (char c : text) {
      if (std::strchr("0123456789*#ABCDabcd,", c) == nullptr || c == '\0') {
        throw dt::Error(DT_ERROR_INVALID_ARGUMENT, std::string("not a DTMF tone: '") + c + "'");
      }
    }
    dt::Lookup<RtpSession>(session)->SendDtmf(text, duration_ms, inter_tone_gap_ms);
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_get_stats(dt_rtp_session* session, dt_rtp_stats* out_stats) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_stats != nullptr, "out_stats is NULL");
    uint32_t size = out_stats->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_stats->struct_size is not set");
    dt_rtp_stats stats{};
    stats.struct_size = sizeof(stats);
    dt::Lookup<RtpSession>(session)->GetStats(stats);
    std::memcpy(out_stats, &stats, size < sizeof(stats) ? size : sizeof(stats));
    out_stats->struct_size = size;
    return DT_OK;
  });
}

DT_API int32_t dt_rtp_session_release(dt_rtp_session* session) {
  return Guard(__func__, [&] {
    auto s = dt::Lookup<RtpSession>(session);
    if (s->gate().InsideOnThisThread()) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "dt_rtp_session_release called from one of the session's own callbacks");
    }
    dt::Unregister<RtpSession>(session);
    s->gate().CloseAndDrain();
    s->Close();
    return DT_OK;
  });
}

}  // extern "C"
