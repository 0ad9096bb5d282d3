// Certificate authorities the application trusts for TURN over TLS (dt_factory_set_tls_trusted_certificates).
// Plain OpenSSL, no libwebrtc: tls_verifier.h puts it behind libwebrtc's verifier interface.
#pragma once

#include <memory>
#include <mutex>
#include <string>

typedef struct x509_store_st X509_STORE;
typedef struct x509_st X509;

namespace dt {

// An immutable set of trust anchors parsed from PEM; safe to use from any thread.
class TrustedCertificates {
 public:
  // Parses one or more PEM "CERTIFICATE" blocks; throws dt::Error(DT_ERROR_INVALID_ARGUMENT) with a
  // clear message for text that is not PEM, a damaged block, or no certificate at all.
  static std::shared_ptr<const TrustedCertificates> FromPem(const std::string& pem);
  ~TrustedCertificates();
  TrustedCertificates(const TrustedCertificates&) = delete;
  TrustedCertificates& operator=(const TrustedCertificates&) = delete;

  // True if `certificate` chains to one of the anchors (signatures, validity dates, CA constraints;
  // a leaf must also be usable by a TLS server). Any of the anchors may be an intermediate.
  bool Verifies(X509* certificate) const;
  // The same for a PEM certificate (what rtc::SSLCertificate gives); false for unreadable text.
  bool VerifiesPem(const std::string& pem) const;
  size_t count() const { return count_; }

 private:
  TrustedCertificates() = default;
  X509_STORE* store_ = nullptr;
  size_t count_ = 0;
};

// The factory's current set (null: none); peer connections take it when they are created.
class TrustedCertificatesSlot {
 public:
  void Set(std::shared_ptr<const TrustedCertificates> trusted);
  std::shared_ptr<const TrustedCertificates> Get() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const TrustedCertificates> trusted_;
};

}  // namespace dt
