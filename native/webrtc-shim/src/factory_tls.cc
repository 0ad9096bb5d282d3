// dt_factory_set_tls_trusted_certificates: the application's CAs for TURN over TLS (tls_verifier.h).
#include "errors.h"
#include "factory.h"
#include "tls_trust.h"

extern "C" {

DT_API int32_t dt_factory_set_tls_trusted_certificates(dt_factory* factory, const char* pem) {
  return dt::Guard(__func__, [&] {
    auto f = dt::Lookup<dt::Factory>(factory);
    std::shared_ptr<const dt::TrustedCertificates> trusted;
    if (pem != nullptr && pem[0] != '\0') trusted = dt::TrustedCertificates::FromPem(pem);  // throws on bad PEM
    f->tls_trust().Set(std::move(trusted));
    return DT_OK;
  });
}

}  // extern "C"
