#include "tls_verifier.h"

namespace dt {
namespace {

class Verifier final : public rtc::SSLCertificateVerifier {
 public:
  explicit Verifier(std::shared_ptr<const TrustedCertificates> trusted) : trusted_(std::move(trusted)) {}

  // Called on libwebrtc's network thread during the handshake; must not throw.
  bool Verify(const rtc::SSLCertificate& certificate) override {
    try {
      return trusted_->VerifiesPem(certificate.ToPEMString());
    } catch (...) {
      return false;
    }
  }

 private:
  std::shared_ptr<const TrustedCertificates> trusted_;
};

}  // namespace

std::unique_ptr<rtc::SSLCertificateVerifier> MakeTlsVerifier(std::shared_ptr<const TrustedCertificates> trusted) {
  if (!trusted) return nullptr;
  return std::make_unique<Verifier>(std::move(trusted));
}

}  // namespace dt
