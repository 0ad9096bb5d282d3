#include "rtp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"

namespace dt::rtp {

uint16_t Endpoint::port() const {
  if (storage.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(storage).sin_port);
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(storage).sin6_port);
  return 0;
}

std::string Endpoint::ip() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(storage).sin_addr, text, sizeof(text));
  } else if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr, text, sizeof(text));
  }
  return text;
}

Endpoint Endpoint::WithPort(uint16_t port) const {
  Endpoint copy = *this;
  if (storage.ss_family == AF_INET) reinterpret_cast<sockaddr_in&>(copy.storage).sin_port = htons(port);
  if (storage.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6&>(copy.storage).sin6_port = htons(port);
  return copy;
}

bool Endpoint::SameAddress(const Endpoint& other) const {
  if (storage.ss_family != other.storage.ss_family) return false;
  if (storage.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(storage).sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in&>(other.storage).sin_addr.s_addr;
  }
  if (storage.ss_family == AF_INET6) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr,
                       &reinterpret_cast<const sockaddr_in6&>(other.storage).sin6_addr, sizeof(in6_addr)) == 0;
  }
  return false;
}

bool Endpoint::operator==(const Endpoint& other) const {
  if (!valid() || !other.valid()) return valid() == other.valid();
  return SameAddress(other) && port() == other.port();
}

Endpoint Endpoint::Parse(const char* ip, uint16_t port) {
  Endpoint e;
  if (ip == nullptr || ip[0] == '\0') return e;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, ip, &v4.sin_addr) == 1) {
    if (v4.sin_addr.s_addr == htonl(INADDR_ANY)) return e;
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&e.storage, &v4, sizeof(v4));
    e.length = sizeof(v4);
    return e;
  }
  if (inet_pton(AF_INET6, ip, &v6.sin6_addr) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr)) return e;
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&e.storage, &v6, sizeof(v6));
    e.length = sizeof(v6);
    return e;
  }
  throw Error(DT_ERROR_INVALID_ARGUMENT, std::string("not an IP address: '") + ip + "'");
}

namespace {

int OpenBound(int family, const sockaddr_storage& address, socklen_t length, uint16_t port) {
  int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw Error(DT_ERROR_CREATE_FAILED, std::string("socket: ") + std::strerror(errno));
  sockaddr_storage bound = address;
  if (family == AF_INET) reinterpret_cast<sockaddr_in&>(bound).sin_port = htons(port);
  else reinterpret_cast<sockaddr_in6&>(bound).sin6_port = htons(port);
  // Room for a burst of packets while the I/O thread is descheduled on a loaded machine.
  int buffer = 256 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&bound), length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

uint16_t BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  Endpoint e;
  e.storage = address;
  e.length = length;
  return e.port();
}

}  // namespace

SocketPair::SocketPair(const std::string& local_ip, uint16_t port) {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string ip = local_ip.empty() ? "0.0.0.0" : local_ip;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, ip.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    std::memcpy(&address, &v4, sizeof(v4));
    length = sizeof(v4);
    family_ = AF_INET;
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    std::memcpy(&address, &v6, sizeof(v6));
    length = sizeof(v6);
    family_ = AF_INET6;
  } else {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "local_address is not an IP address: '" + ip + "'");
  }
  if (port != 0) {
    if (port % 2 != 0 || port == 65535) throw Error(DT_ERROR_INVALID_ARGUMENT, "local_port must be even (RTCP uses port+1)");
    rtp_fd_ = OpenBound(family_, address, length, port);
    if (rtp_fd_ >= 0) rtcp_fd_ = OpenBound(family_, address, length, static_cast<uint16_t>(port + 1));
  } else {
    // The OS picks a port; keep it when it is even and the next one is free.
    for (int attempt = 0; attempt < 64 && rtcp_fd_ < 0; ++attempt) {
      if (rtp_fd_ >= 0) ::close(rtp_fd_);
      rtp_fd_ = OpenBound(family_, address, length, 0);
      if (rtp_fd_ < 0) break;
      uint16_t p = BoundPort(rtp_fd_);
      if (p % 2 == 0 && p != 65534) rtcp_fd_ = OpenBound(family_, address, length, static_cast<uint16_t>(p + 1));
    }
  }
  if (rtp_fd_ < 0 || rtcp_fd_ < 0) {
    int error = errno;
    if (rtp_fd_ >= 0) ::close(rtp_fd_);
    rtp_fd_ = -1;
    throw Error(DT_ERROR_CREATE_FAILED, "cannot bind an RTP/RTCP port pair on " + ip + ": " + std::strerror(error));
  }
  rtp_port_ = BoundPort(rtp_fd_);
  rtcp_port_ = BoundPort(rtcp_fd_);
}

SocketPair::~SocketPair() {
  if (rtp_fd_ >= 0) ::close(rtp_fd_);
  if (rtcp_fd_ >= 0) ::close(rtcp_fd_);
}

}  // namespace dt::rtp
