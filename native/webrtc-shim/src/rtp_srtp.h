// SDES-keyed SRTP/SRTCP for a legacy RTP session: libwebrtc's cricket::SrtpSession (libsrtp), one
// session per direction as it requires. Not thread-safe: created, used and destroyed on the
// session's network thread only (SrtpSession checks its thread).
#pragma once

#include <memory>
#include <string>

#include "webrtc_shim.h"

namespace cricket {
class SrtpSession;
}

namespace dt::rtp {

struct SrtpKeys;

class SrtpPair {
 public:
  // Returns null with *error set when libsrtp refuses the keys.
  static std::unique_ptr<SrtpPair> Create(const SrtpKeys& send, const SrtpKeys& receive, std::string* error);
  ~SrtpPair();

  // In place; `capacity` must leave room for the tag (and SRTCP index). False on failure.
  bool ProtectRtp(uint8_t* data, int size, int capacity, int* out_size);
  bool ProtectRtcp(uint8_t* data, int size, int capacity, int* out_size);
  bool UnprotectRtp(uint8_t* data, int size, int* out_size);
  bool UnprotectRtcp(uint8_t* data, int size, int* out_size);

 private:
  SrtpPair();
  std::unique_ptr<cricket::SrtpSession> send_;
  std::unique_ptr<cricket::SrtpSession> receive_;
};

}  // namespace dt::rtp
