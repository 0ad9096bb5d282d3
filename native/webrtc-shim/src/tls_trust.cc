#include "tls_trust.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "errors.h"

namespace dt {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

BioPtr ReadOnlyBio(const std::string& text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw std::bad_alloc();
  return bio;
}

// True if the error queue holds only "no more PEM blocks" (the normal end of the text).
bool OnlyEndOfPem() {
  unsigned long error = ERR_peek_last_error();
  bool end = error == 0 || (ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE);
  ERR_clear_error();
  return end;
}

}  // namespace

std::shared_ptr<const TrustedCertificates> TrustedCertificates::FromPem(const std::string& pem) {
  if (pem.size() > (1u << 24)) throw Error(DT_ERROR_INVALID_ARGUMENT, "the trusted certificates are larger than 16 MiB");
  std::shared_ptr<TrustedCertificates> trusted(new TrustedCertificates());
  trusted->store_ = X509_STORE_new();
  if (trusted->store_ == nullptr) throw std::bad_alloc();
  // Every given certificate is an anchor, also an intermediate ("trust this CA").
  X509_STORE_set_flags(trusted->store_, X509_V_FLAG_PARTIAL_CHAIN);

  ERR_clear_error();
  BioPtr bio = ReadOnlyBio(pem);
  for (;;) {
    X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) break;
    if (X509_STORE_add_cert(trusted->store_, certificate.get()) != 1) {
      unsigned long error = ERR_peek_last_error();
      bool duplicate = ERR_GET_LIB(error) == ERR_LIB_X509 && ERR_GET_REASON(error) == X509_R_CERT_ALREADY_IN_HASH_TABLE;
      ERR_clear_error();
      if (!duplicate) throw Error(DT_ERROR_INVALID_ARGUMENT, "a trusted certificate could not be added");
    }
    ++trusted->count_;
  }
  if (!OnlyEndOfPem()) {
    throw Error(DT_ERROR_INVALID_ARGUMENT,
                "the trusted certificates are not valid PEM (certificate " + std::to_string(trusted->count_ + 1) +
                    " is damaged)");
  }
  if (trusted->count_ == 0) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "the trusted certificates hold no PEM \"CERTIFICATE\" block");
  }
  return trusted;
}

TrustedCertificates::~TrustedCertificates() { X509_STORE_free(store_); }

bool TrustedCertificates::Verifies(X509* certificate) const {
  if (certificate == nullptr) return false;
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_, certificate, nullptr) != 1) {
    ERR_clear_error();
    return false;
  }
  // libwebrtc asks about the certificate its own check failed on: usually the server's own, which
  // must be fit for a TLS server; an intermediate the server sent is checked as a CA.
  if (X509_check_ca(certificate) == 0) X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

bool TrustedCertificates::VerifiesPem(const std::string& pem) const {
  BioPtr bio = ReadOnlyBio(pem);
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return Verifies(certificate.get());
}

void TrustedCertificatesSlot::Set(std::shared_ptr<const TrustedCertificates> trusted) {
  std::lock_guard lock(mutex_);
  trusted_ = std::move(trusted);
}

std::shared_ptr<const TrustedCertificates> TrustedCertificatesSlot::Get() const {
  std::lock_guard lock(mutex_);
  return trusted_;
}

}  // namespace dt
