// rtcp-mux (RFC 5761) on the legacy RTP session, seen from the wire, through the C ABI only: a
// hand-made peer (two raw UDP sockets on an even/odd port pair, as an SDP m= line and its port+1
// describe it) receives what a session sends and answers with its own RTCP.
// Muxed: the session's RTCP arrives on the peer's RTP port and nothing reaches port+1; the peer's
// RTCP sent to the session's RTP port is taken as RTCP. Not muxed: RTCP arrives on port+1 only, the
// RTP port carries RTP only, and an RTCP packet on the session's RTP port is bad RTP (payload type
// 72-76 is not negotiated) — RTCP is taken on the session's port+1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <vector>

#include "loopback_call.h"

using namespace dt_test;

namespace {

int BindLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

uint16_t PortOf(int fd) {
  sockaddr_in a{};
  socklen_t length = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
  return ntohs(a.sin_port);
}

// First byte after the version/padding/count byte: 200..204 starts an RTCP compound packet
// (SR, RR, SDES, BYE, APP); our PCMU RTP has payload type 0 (0x00, or 0x80 with the marker).
bool IsRtcp(const uint8_t* p, ssize_t n) { return n >= 8 && (p[0] >> 6) == 2 && p[1] >= 200 && p[1] <= 204; }

// The remote peer on the wire: RTP socket at an even port P, RTCP socket at P+1.
class WirePeer {
 public:
  WirePeer() {
    for (int attempt = 0; attempt < 50 && rtcp_fd_ < 0; ++attempt) {
      int fd = BindLoopback(0);
      uint16_t port = PortOf(fd);
      if (port % 2 == 0 && port < 65535) {
        int pair = BindLoopback(static_cast<uint16_t>(port + 1));
        if (pair >= 0) {
          rtp_fd_ = fd;
          rtcp_fd_ = pair;
          rtp_port = port;
          break;
        }
      }
      ::close(fd);
    }
  }
  ~WirePeer() {
    if (rtp_fd_ >= 0) ::close(rtp_fd_);
    if (rtcp_fd_ >= 0) ::close(rtcp_fd_);
  }
  bool ok() const { return rtcp_fd_ >= 0; }

  struct Counts {
    int rtp_on_rtp_port = 0, rtcp_on_rtp_port = 0, rtp_on_rtcp_port = 0, rtcp_on_rtcp_port = 0;
  };

  // Reads both sockets until `enough(counts)` or `timeout_ms`; returns what arrived where.
  Counts Collect(bool (*enough)(const Counts&), int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    uint8_t buffer[2048];
    while (!enough(counts_) && std::chrono::steady_clock::now() < deadline) {
      pollfd fds[2] = {{rtp_fd_, POLLIN, 0}, {rtcp_fd_, POLLIN, 0}};
      if (::poll(fds, 2, 100) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        ssize_t n;
        while ((n = ::recv(fds[i].fd, buffer, sizeof(buffer), 0)) > 0) {
          bool rtcp = IsRtcp(buffer, n);
          if (i == 0) ++(rtcp ? counts_.rtcp_on_rtp_port : counts_.rtp_on_rtp_port);
          else ++(rtcp ? counts_.rtcp_on_rtcp_port : counts_.rtp_on_rtcp_port);
        }
      }
    }
    return counts_;
  }

  // A receiver report (RFC 3550 6.4.2) with one report block, from our RTP or RTCP socket to
  // 127.0.0.1:`port`. 32 bytes: as long as RTP with a payload, so on an unmuxed RTP port it reads
  // as RTP of payload type 73 (201 & 0x7f), not as a truncated packet.
  void SendReceiverReport(bool from_rtcp_port, uint16_t port) {
    uint8_t rr[32] = {0x81, 201, 0x00, 0x07, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    ::sendto(from_rtcp_port ? rtcp_fd_ : rtp_fd_, rr, sizeof(rr), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }

  uint16_t rtp_port = 0;

 private:
  int rtp_fd_ = -1, rtcp_fd_ = -1;
  Counts counts_;
};

class RtpMux : public ::testing::Test {
 protected:
  void SetUp() override {
    dt_factory_options options = VirtualDeviceOptions();
    ASSERT_EQ(dt_factory_create(&options, &factory_), DT_OK) << LastError();
    dt_rtp_session_options session_options{};
    session_options.struct_size = sizeof(session_options);
    session_options.local_address = "127.0.0.1";
    ASSERT_EQ(dt_rtp_session_create(factory_, &session_options, &session_), DT_OK) << LastError();
    ASSERT_EQ(dt_rtp_session_get_local_ports(session_, &rtp_port_, &rtcp_port_), DT_OK);
    ASSERT_TRUE(peer_.ok()) << "no free even/odd UDP port pair on 127.0.0.1";
  }
  void TearDown() override {
    pump_.reset();
    if (session_ != nullptr) EXPECT_EQ(dt_rtp_session_release(session_), DT_OK) << LastError();
    if (factory_ != nullptr) EXPECT_EQ(dt_factory_release(factory_), DT_OK);
  }

  // Plain PCMU to the wire peer; remote_rtcp_port 0 means "RTP port + 1" (no a=rtcp line).
  void Start(bool rtcp_mux) {
    dt_rtp_codec pcmu = {0, "PCMU", 8000, 1, nullptr};
    dt_rtp_session_config config{};
    config.struct_size = sizeof(config);
    config.remote_address = "127.0.0.1";
    config.remote_rtp_port = peer_.rtp_port;
    config.remote_rtcp_port = 0;
    config.rtcp_mux = rtcp_mux;
    config.latching = false;  // the wire peer's packets come from the signalled ports anyway
    config.direction = DT_DIRECTION_SENDRECV;
    config.send_codec = pcmu;
    config.send_telephone_event_payload_type = -1;
    config.receive_codecs = &pcmu;
    config.receive_codec_count = 1;
    config.rtcp_report_interval_ms = 300;
    ASSERT_EQ(dt_rtp_session_configure(session_, &config), DT_OK) << LastError();
    pump_ = std::make_unique<AudioPump>(factory_, 1000);
  }

  dt_rtp_stats Stats() {
    dt_rtp_stats stats{};
    stats.struct_size = sizeof(stats);
    EXPECT_EQ(dt_rtp_session_get_stats(session_, &stats), DT_OK) << LastError();
    return stats;
  }

  dt_factory* factory_ = nullptr;
  dt_rtp_session* session_ = nullptr;
  uint16_t rtp_port_ = 0, rtcp_port_ = 0;
  std::unique_ptr<AudioPump> pump_;
  WirePeer peer_;
};

}  // namespace

TEST_F(RtpMux, MuxedRtcpTravelsOnTheRtpPortsBothWays) {
  Start(/*rtcp_mux=*/true);
  // Enough: three RTCP reports and a second of RTP, wherever they arrive.
  WirePeer::Counts c = peer_.Collect(
      [](const WirePeer::Counts& k) { return k.rtcp_on_rtp_port + k.rtcp_on_rtcp_port >= 3 && k.rtp_on_rtp_port >= 50; }, 20000);
  EXPECT_GE(c.rtp_on_rtp_port, 50);
  EXPECT_GE(c.rtcp_on_rtp_port, 3) << "muxed RTCP must arrive on the RTP port";
  EXPECT_EQ(c.rtcp_on_rtcp_port + c.rtp_on_rtcp_port, 0) << "nothing may reach port+1 when muxed";

  // The peer's RTCP on the session's RTP port is RTCP (RFC 5761 demultiplexing), not dropped RTP.
  uint64_t before = Stats().rtcp_packets_received;
  for (int i = 0; i < 3; ++i) peer_.SendReceiverReport(/*from_rtcp_port=*/false, rtp_port_);
  EXPECT_TRUE(Eventually([&] { return Stats().rtcp_packets_received >= before + 3; }, 5000)) << Stats().rtcp_packets_received;
  dt_rtp_stats s = Stats();
  EXPECT_EQ(s.dropped_malformed + s.dropped_unknown_payload + s.dropped_stranger, 0u);
}

TEST_F(RtpMux, UnmuxedRtcpTravelsOnPortPlusOne) {
  Start(/*rtcp_mux=*/false);
  EXPECT_EQ(rtcp_port_, rtp_port_ + 1);
  WirePeer::Counts c = peer_.Collect(
      [](const WirePeer::Counts& k) { return k.rtcp_on_rtp_port + k.rtcp_on_rtcp_port >= 3 && k.rtp_on_rtp_port >= 50; }, 20000);
  EXPECT_GE(c.rtp_on_rtp_port, 50);
  EXPECT_GE(c.rtcp_on_rtcp_port, 3) << "RTCP must arrive on port+1 when not muxed";
  EXPECT_EQ(c.rtcp_on_rtp_port, 0) << "no RTCP on the RTP port when not muxed";
  EXPECT_EQ(c.rtp_on_rtcp_port, 0) << "no RTP on port+1";

  // The peer's RTCP is taken on the session's port+1 ...
  uint64_t before = Stats().rtcp_packets_received;
  for (int i = 0; i < 3; ++i) peer_.SendReceiverReport(/*from_rtcp_port=*/true, rtcp_port_);
  EXPECT_TRUE(Eventually([&] { return Stats().rtcp_packets_received >= before + 3; }, 5000)) << Stats().rtcp_packets_received;
  // ... while on the RTP port it is RTP with payload type 73 (201 & 0x7f), which was not negotiated.
  dt_rtp_stats mid = Stats();
  for (int i = 0; i < 3; ++i) peer_.SendReceiverReport(/*from_rtcp_port=*/false, rtp_port_);
  EXPECT_TRUE(Eventually([&] { return Stats().dropped_unknown_payload >= mid.dropped_unknown_payload + 3; }, 5000));
  EXPECT_EQ(Stats().rtcp_packets_received, mid.rtcp_packets_received);
}
