// libsrtp initialised once per process, not once per call.
//
// libwebrtc counts its keyed SRTP sessions (cricket::SrtpSession): the first one calls srtp_init(),
// and when the last one goes it calls srtp_shutdown(). srtp_init() runs libsrtp's known-answer
// self-tests of every cipher and authenticator it registers (AES-CM 128/192/256, AES-GCM, HMAC-SHA1).
// A process whose calls do not overlap — a bot taking one call after another, or a short call that
// ends before the next one's DTLS completes — went through the whole cycle for every call: perf of the
// load bench put 6 % of the process's CPU (a tenth of libwebrtc's network thread) in srtp_init at
// ~90 calls/s. So the first factory keys one session of the shim's own and keeps it for the life of
// the process (leaked on purpose, like the call audio clock): the count never falls back to zero.
#pragma once

namespace dt {

// Idempotent and thread-safe; never throws. A libsrtp that fails to initialise is reported by the
// calls' own keying, as before.
void KeepLibsrtpInitialized();

}  // namespace dt
