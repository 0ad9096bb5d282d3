// libwebrtc's TLS certificate verifier on the application's trusted CAs (tls_trust.h).
//
// Why: libwebrtc checks a turns: server's certificate against its built-in roots only, so a TURN
// server with a certificate from a private CA is refused (rightly: secure by default). For every
// certificate its own check fails on, libwebrtc asks the rtc::SSLCertificateVerifier given in
// webrtc::PeerConnectionDependencies; ours accepts it only if it chains to one of the given CAs.
// The host name is still checked by libwebrtc after the handshake (OpenSSLAdapter's
// post-connection check), so it is not repeated here.
#pragma once

#include <memory>

#include "rtc_base/ssl_certificate.h"
#include "tls_trust.h"

namespace dt {

// Null when `trusted` is null (libwebrtc's own check alone).
std::unique_ptr<rtc::SSLCertificateVerifier> MakeTlsVerifier(std::shared_ptr<const TrustedCertificates> trusted);

}  // namespace dt
