// dt::TrustedCertificates (src/tls_trust.cc): the CAs an application trusts for TURN over TLS.
// The certificates below were made once with the openssl command line (EC P-256, valid 100 years):
// two self-signed CAs, a TLS-server certificate from each, and a client-only certificate from the
// trusted one.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <string>

#include "errors.h"
#include "tls_trust.h"

namespace {

const char kTrustedCa[] = R"(-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUKAXtWYUWq8xsjNy///LDP5DIlaIwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKdHJ1c3RlZC1jYTAgFw0yNjExMzAxOTA2NTVaGA8yMTI2MTEw
NjE5MDY1NVowFTETMBEGA1UEAwwKdHJ1c3RlZC1jYTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABAHIw5bpgw3BHOYbJP6LkyeNShoqevdWodWGxQcRWnKU3iXXfIEj
9nLBo2h1ZYUgq3b0PxgHIbhxhZ6E2vlkDz6jYzBhMB0GA1UdDgQWBBSrwf0ogjb3
3tsu4PdLl16mgKZ5yTAfBgNVHSMEGDAWgBSrwf0ogjb33tsu4PdLl16mgKZ5yTAP
BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNIADBF
AiEAsfFRmenCOzc0KrUOG3So4vlO/AGSAVG3PeIyKt2VyTACIAbzzjPolE1iogtu
ZOwitxcySC14azdFRn5DiVY3E0Yh
-----END CERTIFICATE-----
)";

const char kOtherCa[] = R"(-----BEGIN CERTIFICATE-----
MIIBjjCCATOgAwIBAgIUTUeR8SflDpKxxfLXBWVtCmU2/3cwCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIb3RoZXItY2EwIBcNMjYxMTMwMTkwNjU1WhgPMjEyNjExMDYx
OTA2NTVaMBMxETAPBgNVBAMMCG90aGVyLWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEHMy3qqQzM2qr6c1Dsd1A3NvtVIobrWKEZJopCq2pnwvcIioQ5osmZ3Pt
+A2lSfxF9ZA0OPg6Vnoxbu77I0/pfKNjMGEwHQYDVR0OBBYEFFm8xQWNaR7qpWcr
KOEvuu1A9O9dMB8GA1UdIwQYMBaAFFm8xQWNaR7qpWcrKOEvuu1A9O9dMA8GA1Ud
EwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49BAMCA0kAMEYCIQCg
UpKTuVrslsFd1o3u3F8kTsXbqxE3yJifoCmEPZ55OgIhALbW6zRgnorAmep6bhYK
Sx3wfsMo14JL/qsvH4VZW/NO
-----END CERTIFICATE-----
)";

const char kServer[] = R"(-----BEGIN CERTIFICATE-----
MIIBszCCAVqgAwIBAgIUHzYWybUWHpS7egt7I/a0Y0YaKFkwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKdHJ1c3RlZC1jYTAgFw0yNjExMzAxOTA2NTVaGA8yMTI2MTEw
NjE5MDY1NVowETEPMA0GA1UEAwwGc2VydmVyMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEF/VMFirqvGhytUbU42utcpsRPFnpvaqrJGNeat+sm1qidTL0RmblVg2q
VFWpSbCKjFHNlwo91iWd8KylXvW3saOBiTCBhjAJBgNVHRMEAjAAMA4GA1UdDwEB
/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAUBgNVHREEDTALggl0dXJuLnRl
c3QwHQYDVR0OBBYEFI7NYFnF+6BqDa2X9sJGBPy0CizjMB8GA1UdIwQYMBaAFKvB
/SiCNvfe2y7g90uXXqaApnnJMAoGCCqGSM49BAMCA0cAMEQCIEuhQCYcj6W65Q61
oy6VHS76r0DfDj71ZEBCRtEgP4lnAiAV17W/0MmYN4wPcJPc5ujMJryM4V/blvQr
uBk5YqXS1A==
-----END CERTIFICATE-----
)";

const char kStranger[] = R"(-----BEGIN CERTIFICATE-----
MIIBtTCCAVqgAwIBAgIULAqlLWjmIuLkPfLSdKGTrwvTgT4wCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIb3RoZXItY2EwIBcNMjYxMTMwMTkwNjU2WhgPMjEyNjExMDYx
OTA2NTZaMBMxETAPBgNVBAMMCHN0cmFuZ2VyMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE4o5QhzOEdPunLNoTzY65eNMz7qujwsV5pvdTB2qo4uIJKVRhAD/Bcecf
8F+f3HsYcGlScF5gl0F3dbO7SeHIPaOBiTCBhjAJBgNVHRMEAjAAMA4GA1UdDwEB
/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAUBgNVHREEDTALggl0dXJuLnRl
c3QwHQYDVR0OBBYEFF+ZGJ+sWLQzv0Bvy3GSzGNHYtgaMB8GA1UdIwQYMBaAFFm8
xQWNaR7qpWcrKOEvuu1A9O9dMAoGCCqGSM49BAMCA0kAMEYCIQD816wl6qHCjTup
UWYBk5fHdR4i4HYrGSQvm8ffD7DouQIhAKiSSb7jbnYUuVBBzo21m61KuMGH0rbQ
ylGsquT6/WOz
-----END CERTIFICATE-----
)";

const char kClientOnly[] = R"(-----BEGIN CERTIFICATE-----
MIIBuTCCAV+gAwIBAgIUHzYWybUWHpS7egt7I/a0Y0YaKFowCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKdHJ1c3RlZC1jYTAgFw0yNjExMzAxOTA2NTZaGA8yMTI2MTEw
NjE5MDY1NlowFjEUMBIGA1UEAwwLY2xpZW50LW9ubHkwWTATBgcqhkjOPQIBBggq
hkjOPQMBBwNCAAQfelXGx4HmfwU3yt7jHusTwXIITEpTM8rajsnuNxFWRGeJWPmK
uVT3xo9YDju3kCgT0jl1REgv5ZiJZGSBh/JCo4GJMIGGMAkGA1UdEwQCMAAwDgYD
VR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMBQGA1UdEQQNMAuCCXR1
cm4udGVzdDAdBgNVHQ4EFgQUcayybOK6gg6o5Ow4ali8RfSoeCcwHwYDVR0jBBgw
FoAUq8H9KII2997bLuD3S5depoCmeckwCgYIKoZIzj0EAwIDSAAwRQIgWo1cYAd2
DSpmOIzOTcuRxiFbc08xcWmqgbUlJERV+2ECIQDTzEIYGhvbJCs7tm+P08kPidu8
cSlOUcg0IlcfP1oJpg==
-----END CERTIFICATE-----
)";

std::shared_ptr<const dt::TrustedCertificates> Trust(const std::string& pem) { return dt::TrustedCertificates::FromPem(pem); }

int32_t CodeOf(const std::string& pem) {
  try {
    Trust(pem);
    return DT_OK;
  } catch (const dt::Error& e) {
    EXPECT_NE(std::string(e.what()), "");
    return e.code();
  }
}

TEST(TlsTrust, AcceptsAServerCertificateFromATrustedCa) {
  auto trusted = Trust(kTrustedCa);
  EXPECT_EQ(trusted->count(), 1u);
  EXPECT_TRUE(trusted->VerifiesPem(kServer));
}

TEST(TlsTrust, RefusesACertificateFromAnotherCa) {
  EXPECT_FALSE(Trust(kTrustedCa)->VerifiesPem(kStranger));
  EXPECT_FALSE(Trust(kOtherCa)->VerifiesPem(kServer));
}

TEST(TlsTrust, SeveralCasInOneTextAreAllTrusted) {
  auto trusted = Trust(std::string(kOtherCa) + "\n" + kTrustedCa + "\n");
  EXPECT_EQ(trusted->count(), 2u);
  EXPECT_TRUE(trusted->VerifiesPem(kServer));
  EXPECT_TRUE(trusted->VerifiesPem(kStranger));
}

TEST(TlsTrust, RefusesACertificateNotMeantForATlsServer) {
  EXPECT_FALSE(Trust(kTrustedCa)->VerifiesPem(kClientOnly));
}

TEST(TlsTrust, ALeafGivenAsTheAnchorIsNotACa) {
  // Trusting a server certificate itself works (partial chain), but it cannot vouch for another one.
  auto trusted = Trust(kServer);
  EXPECT_TRUE(trusted->VerifiesPem(kServer));
  EXPECT_FALSE(trusted->VerifiesPem(kClientOnly));
}

TEST(TlsTrust, UnreadableCertificateTextIsRefusedNotCrashed) {
  auto trusted = Trust(kTrustedCa);
  EXPECT_FALSE(trusted->VerifiesPem(""));
  EXPECT_FALSE(trusted->VerifiesPem("not a certificate"));
  EXPECT_FALSE(trusted->Verifies(nullptr));
}

TEST(TlsTrust, BadPemIsAClearInvalidArgument) {
  EXPECT_EQ(CodeOf(""), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(CodeOf("hello"), DT_ERROR_INVALID_ARGUMENT);
  std::string damaged = kTrustedCa;
  damaged[damaged.size() / 2] = '!';
  EXPECT_EQ(CodeOf(damaged), DT_ERROR_INVALID_ARGUMENT);
  std::string truncated = std::string(kTrustedCa).substr(0, 200);
  EXPECT_EQ(CodeOf(truncated), DT_ERROR_INVALID_ARGUMENT);
  // A valid first block followed by a damaged one names the damaged one.
  try {
    Trust(std::string(kTrustedCa) + "\n" + truncated);
    ADD_FAILURE() << "no error";
  } catch (const dt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("certificate 2"), std::string::npos) << e.what();
  }
  // A private key is not a certificate.
  EXPECT_EQ(CodeOf("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"),
            DT_ERROR_INVALID_ARGUMENT);
}

}  // namespace
