// The NSS functions of src/libsrtp_nss_on_openssl.cc under Debian's static libsrtp2: libsrtp's own
// known-answer self-tests (AES-CM 128/192/256, AES-GCM 128/256, HMAC-SHA1 vectors) and a
// protect/unprotect round trip per cipher suite, with a tampered packet refused.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <array>
#include <cstring>
#include <vector>

extern "C" srtp_err_status_t srtp_crypto_kernel_status(void);  // in libsrtp2.a, not in its header

namespace {

class SrtpCrypto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(srtp_init(), srtp_err_status_ok); }
};

TEST_F(SrtpCrypto, KnownAnswerSelfTestsPass) { EXPECT_EQ(srtp_crypto_kernel_status(), srtp_err_status_ok); }

std::vector<uint8_t> RtpPacket() {
  std::vector<uint8_t> packet = {0x80, 0x6f, 0x12, 0x34, 0x00, 0x00, 0x03, 0xe8, 0xca, 0xfe, 0xba, 0xbe};
  for (int i = 0; i < 160; ++i) packet.push_back(static_cast<uint8_t>(i * 7));
  return packet;
}

void RoundTrip(void (*set_policy)(srtp_crypto_policy_t*)) {
  std::array<uint8_t, 46> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i + 1);
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  set_policy(&policy.rtp);
  set_policy(&policy.rtcp);
  policy.key = key.data();
  policy.window_size = 128;
  policy.ssrc.type = ssrc_any_outbound;
  srtp_t sender = nullptr;
  ASSERT_EQ(srtp_create(&sender, &policy), srtp_err_status_ok);
  policy.ssrc.type = ssrc_any_inbound;
  srtp_t receiver = nullptr;
  ASSERT_EQ(srtp_create(&receiver, &policy), srtp_err_status_ok);

  std::vector<uint8_t> plain = RtpPacket();
  std::vector<uint8_t> buffer = plain;
  buffer.resize(plain.size() + SRTP_MAX_TRAILER_LEN);
  int length = static_cast<int>(plain.size());
  ASSERT_EQ(srtp_protect(sender, buffer.data(), &length), srtp_err_status_ok);
  EXPECT_GT(length, static_cast<int>(plain.size()));  // the authentication tag
  EXPECT_NE(0, std::memcmp(buffer.data() + 12, plain.data() + 12, plain.size() - 12)) << "payload not encrypted";

  std::vector<uint8_t> tampered(buffer.begin(), buffer.begin() + length);
  tampered[20] ^= 0x01;
  int tampered_length = length;
  EXPECT_EQ(srtp_unprotect(receiver, tampered.data(), &tampered_length), srtp_err_status_auth_fail);

  ASSERT_EQ(srtp_unprotect(receiver, buffer.data(), &length), srtp_err_status_ok);
  ASSERT_EQ(length, static_cast<int>(plain.size()));
  EXPECT_EQ(0, std::memcmp(buffer.data(), plain.data(), plain.size()));
  srtp_dealloc(sender);
  srtp_dealloc(receiver);
}

TEST_F(SrtpCrypto, AesCm128HmacSha1RoundTrip) { RoundTrip(srtp_crypto_policy_set_rtp_default); }
TEST_F(SrtpCrypto, AesCm256HmacSha1RoundTrip) { RoundTrip(srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80); }
TEST_F(SrtpCrypto, AesGcm128RoundTrip) { RoundTrip(srtp_crypto_policy_set_aes_gcm_128_16_auth); }
TEST_F(SrtpCrypto, AesGcm256RoundTrip) { RoundTrip(srtp_crypto_policy_set_aes_gcm_256_16_auth); }

}  // namespace
