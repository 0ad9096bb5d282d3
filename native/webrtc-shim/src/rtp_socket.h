// The two UDP sockets of a legacy RTP session (RTP on an even port, RTCP on the next) and the
// socket addresses they talk to. POSIX sockets; no libwebrtc.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace dt::rtp {

// A socket address (IPv4 or IPv6) that compares by family, address and port.
struct Endpoint {
  sockaddr_storage storage{};
  socklen_t length = 0;

  bool valid() const { return length != 0; }
  uint16_t port() const;
  std::string ip() const;
  Endpoint WithPort(uint16_t port) const;
  bool SameAddress(const Endpoint& other) const;  // ignoring the port
  bool operator==(const Endpoint& other) const;
  bool operator!=(const Endpoint& other) const { return !(*this == other); }

  // An IP literal and port; an invalid Endpoint for NULL/"" and for the unspecified addresses
  // (0.0.0.0, ::), which mean "do not send". Throws dt::Error(INVALID_ARGUMENT) for anything else
  // that is not an IP literal.
  static Endpoint Parse(const char* ip, uint16_t port);
};

// Owns the RTP and RTCP sockets (closed by the destructor).
class SocketPair {
 public:
  // Binds `local_ip` (an IP literal) at `port` and port+1, or any free even/odd pair for 0.
  // Throws dt::Error.
  SocketPair(const std::string& local_ip, uint16_t port);
  ~SocketPair();
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;

  int rtp_fd() const { return rtp_fd_; }
  int rtcp_fd() const { return rtcp_fd_; }
  uint16_t rtp_port() const { return rtp_port_; }
  uint16_t rtcp_port() const { return rtcp_port_; }
  int family() const { return family_; }

 private:
  int rtp_fd_ = -1;
  int rtcp_fd_ = -1;
  uint16_t rtp_port_ = 0;
  uint16_t rtcp_port_ = 0;
  int family_ = AF_INET;
};

}  // namespace dt::rtp
