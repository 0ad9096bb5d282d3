#include "rtp_srtp.h"

#include <vector>

#include "pc/srtp_session.h"
#include "rtc_base/ssl_stream_adapter.h"
#include "rtp_session.h"

namespace dt::rtp {

namespace {
int CryptoSuite(dt_srtp_suite suite) {
  return suite == DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 ? rtc::kSrtpAes128CmSha1_32 : rtc::kSrtpAes128CmSha1_80;
}
}  // namespace

SrtpPair::SrtpPair() = default;
SrtpPair::~SrtpPair() = default;

std::unique_ptr<SrtpPair> SrtpPair::Create(const SrtpKeys& send, const SrtpKeys& receive, std::string* error) {
  std::unique_ptr<SrtpPair> pair(new SrtpPair());
  pair->send_ = std::make_unique<cricket::SrtpSession>();
  pair->receive_ = std::make_unique<cricket::SrtpSession>();
  std::vector<int> no_extensions;
  if (!pair->send_->SetSend(CryptoSuite(send.suite), send.key.data(), send.key.size(), no_extensions)) {
    *error = "libsrtp refused the send key";
    return nullptr;
  }
  if (!pair->receive_->SetRecv(CryptoSuite(receive.suite), receive.key.data(), receive.key.size(), no_extensions)) {
    *error = "libsrtp refused the receive key";
    return nullptr;
  }
  return pair;
}

bool SrtpPair::ProtectRtp(uint8_t* data, int size, int capacity, int* out_size) {
  return send_->ProtectRtp(data, size, capacity, out_size);
}
bool SrtpPair::ProtectRtcp(uint8_t* data, int size, int capacity, int* out_size) {
  return send_->ProtectRtcp(data, size, capacity, out_size);
}
bool SrtpPair::UnprotectRtp(uint8_t* data, int size, int* out_size) { return receive_->UnprotectRtp(data, size, out_size); }
bool SrtpPair::UnprotectRtcp(uint8_t* data, int size, int* out_size) { return receive_->UnprotectRtcp(data, size, out_size); }

}  // namespace dt::rtp
