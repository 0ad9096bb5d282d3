// DTMF (RFC 4733 telephone-events) through the transceiver's RTP sender.
#include "transceiver.h"

using dt::DtmfSender;
using dt::Guard;
using dt::Lookup;

extern "C" {

DT_API int32_t dt_dtmf_sender_set_callbacks(dt_dtmf_sender* sender, const dt_dtmf_callbacks* callbacks, void* user_data) {
  return Guard(__func__, [&] {
    Lookup<DtmfSender>(sender)->callbacks().Set(callbacks, user_data, "dt_dtmf_callbacks");
    return DT_OK;
  });
}

DT_API int32_t dt_dtmf_sender_can_insert(dt_dtmf_sender* sender, bool* out_can_insert) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_can_insert != nullptr, "out_can_insert is NULL");
    *out_can_insert = Lookup<DtmfSender>(sender)->get().CanInsertDtmf();
    return DT_OK;
  });
}

DT_API int32_t dt_dtmf_sender_insert(dt_dtmf_sender* sender, const char* tones, int32_t duration_ms,
                                     int32_t inter_tone_gap_ms) {
  return Guard(__func__, [&] {
    dt::RequireArgument(tones != nullptr, "tones is NULL");
    dt::RequireArgument(duration_ms >= 40 && duration_ms <= 6000, "duration_ms must be 40..6000");
    dt::RequireArgument(inter_tone_gap_ms >= 30, "inter_tone_gap_ms must be at least 30");
    for (const char* p = tones; *p; ++p) {
      char c = *p;
      bool valid = (c >= '0' && c <= '9') || c == '*' || c == '#' || c == ',' || (c >= 'A' && c <= 'D') ||
                   (c >= 'a' && c <= 'd');
      if (!valid) throw dt::Error(DT_ERROR_INVALID_ARGUMENT, std::string("invalid DTMF tone '") + c + "'");
    }
    auto s = Lookup<DtmfSender>(sender);
    if (!s->get().InsertDtmf(tones, duration_ms, inter_tone_gap_ms)) {
      throw dt::Error(DT_ERROR_DTMF, "the sender cannot send DTMF now (telephone-event not negotiated or not sending)");
    }
    return DT_OK;
  });
}

}  // extern "C"
