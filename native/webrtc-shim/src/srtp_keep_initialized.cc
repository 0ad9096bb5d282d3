#include "srtp_keep_initialized.h"

#include <cstdint>
#include <mutex>
#include <vector>

#include "pc/srtp_session.h"
#include "rtc_base/logging.h"
#include "rtc_base/ssl_stream_adapter.h"

namespace dt {

namespace {
// Reachable for the life of the process, so leak checkers do not count it. Volatile: a global that is
// only ever written would otherwise lose its store to the optimiser, and LeakSanitizer then reports
// the session and libsrtp's contexts as leaked (it did, in the sanitizer build's tests).
cricket::SrtpSession* volatile g_kept_session = nullptr;
}  // namespace

void KeepLibsrtpInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Keyed, so it counts: libwebrtc takes its share of libsrtp when a session gets a key. The key
    // protects nothing (no packet ever passes); 30 bytes is AES-CM-128's master key and salt.
    auto* session = new cricket::SrtpSession();
    const std::vector<uint8_t> key(30, 0x5a);
    const std::vector<int> no_extensions;
    if (session->SetSend(rtc::kSrtpAes128CmSha1_80, key.data(), key.size(), no_extensions)) {
      g_kept_session = session;
    } else {
      RTC_LOG(LS_WARNING) << "libsrtp could not be initialised; each call's SRTP keying will say why";
      delete session;
    }
  });
}

}  // namespace dt
