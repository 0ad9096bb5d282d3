#include "transceiver.h"

namespace dt {

static_assert(int(webrtc::RtpTransceiverDirection::kSendRecv) == DT_DIRECTION_SENDRECV &&
              int(webrtc::RtpTransceiverDirection::kSendOnly) == DT_DIRECTION_SENDONLY &&
              int(webrtc::RtpTransceiverDirection::kRecvOnly) == DT_DIRECTION_RECVONLY &&
              int(webrtc::RtpTransceiverDirection::kInactive) == DT_DIRECTION_INACTIVE &&
              int(webrtc::RtpTransceiverDirection::kStopped) == DT_DIRECTION_STOPPED);

Transceiver::Transceiver(std::shared_ptr<Factory> factory, std::shared_ptr<CallbackGate> gate,
                         rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver)
    : factory_(std::move(factory)),
      gate_(std::move(gate)),
      transceiver_(std::move(transceiver)),
      receiver_(transceiver_->receiver()) {}

Transceiver::~Transceiver() {
  Shutdown();
  receiver_ = nullptr;  // before factory_: the proxies may need the signalling thread
  transceiver_ = nullptr;
}

dt_dtmf_sender* Transceiver::DtmfHandle() {
  std::lock_guard lock(mutex_);
  if (shut_down_) throw Error(DT_ERROR_CLOSED, "the peer connection was released");
  if (!dtmf_) {
    auto sender = transceiver_->sender();
    auto dtmf = sender ? sender->GetDtmfSender() : nullptr;
    if (!dtmf) throw Error(DT_ERROR_INVALID_STATE, "this transceiver's sender has no DTMF sender (no local audio track)");
    // Kept only once registered: a failed Register leaves no sender without a handle behind.
    auto sender_object = std::make_shared<DtmfSender>(factory_, gate_, dtmf);
    dtmf_handle_ = HandleId<DtmfSender>(Register(sender_object));
    dtmf_ = std::move(sender_object);
  }
  return reinterpret_cast<dt_dtmf_sender*>(static_cast<uintptr_t>(dtmf_handle_));
}

void Transceiver::Shutdown() {
  std::shared_ptr<DtmfSender> dtmf;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    dtmf = std::move(dtmf_);
    if (dtmf_handle_ != 0) registry::Remove(dtmf_handle_, HandleKind::kDtmfSender);
    dtmf_handle_ = 0;
  }
  if (dtmf) dtmf->Shutdown();
}

DtmfSender::DtmfSender(std::shared_ptr<Factory> factory, std::shared_ptr<CallbackGate> gate,
                       rtc::scoped_refptr<webrtc::DtmfSenderInterface> sender)
    : factory_(std::move(factory)), callbacks_(std::move(gate)), sender_(std::move(sender)) {
  sender_->RegisterObserver(this);
  observing_ = true;
}

DtmfSender::~DtmfSender() {
  Shutdown();
  sender_ = nullptr;
}

void DtmfSender::Shutdown() {
  // The proxy runs this on the signalling thread, where OnToneChange runs: no call is in flight after.
  if (observing_) sender_->UnregisterObserver();
  observing_ = false;
}

// Signalling thread; Fire contains what the callback throws.
void DtmfSender::OnToneChange(const std::string& tone, const std::string& tone_buffer) {
  callbacks_.Fire([&](const dt_dtmf_callbacks& cb, void* user) {
    if (cb.on_tone_change) cb.on_tone_change(user, tone.c_str());
  });
}

}  // namespace dt

using dt::Guard;
using dt::Lookup;
using dt::Transceiver;

extern "C" {

DT_API int32_t dt_transceiver_set_direction(dt_transceiver* transceiver, dt_transceiver_direction direction) {
  return Guard(__func__, [&] {
    direction = dt::CheckedEnum(direction, DT_DIRECTION_SENDRECV, DT_DIRECTION_STOPPED, "direction");
    auto t = Lookup<Transceiver>(transceiver);
    webrtc::RTCError error = direction == DT_DIRECTION_STOPPED
                                 ? t->get().StopStandard()
                                 : t->get().SetDirectionWithError(static_cast<webrtc::RtpTransceiverDirection>(direction));
    if (!error.ok()) throw dt::Error(DT_ERROR_INVALID_STATE, dt::ErrorText(error));
    return DT_OK;
  });
}

DT_API int32_t dt_transceiver_get_direction(dt_transceiver* transceiver, dt_transceiver_direction* out_direction) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_direction != nullptr, "out_direction is NULL");
    *out_direction = static_cast<dt_transceiver_direction>(Lookup<Transceiver>(transceiver)->get().direction());
    return DT_OK;
  });
}

DT_API int32_t dt_transceiver_get_current_direction(dt_transceiver* transceiver, dt_transceiver_direction* out_direction,
                                                    bool* out_has_value) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_direction != nullptr && out_has_value != nullptr, "an output pointer is NULL");
    auto current = Lookup<Transceiver>(transceiver)->get().current_direction();
    *out_has_value = current.has_value();
    *out_direction = static_cast<dt_transceiver_direction>(current.value_or(webrtc::RtpTransceiverDirection::kInactive));
    return DT_OK;
  });
}

DT_API int32_t dt_transceiver_get_mid(dt_transceiver* transceiver, char* buffer, size_t capacity, size_t* out_needed) {
  return Guard(__func__, [&] {
    std::string mid = Lookup<Transceiver>(transceiver)->get().mid().value_or("");
    return dt::WriteString(mid, buffer, capacity, out_needed);
  });
}

DT_API int32_t dt_transceiver_set_muted(dt_transceiver* transceiver, bool muted) {
  return Guard(__func__, [&] {
    auto t = Lookup<Transceiver>(transceiver);
    auto sender = t->get().sender();
    auto track = sender ? sender->track() : nullptr;
    if (!track) throw dt::Error(DT_ERROR_INVALID_STATE, "the transceiver has no local track");
    track->set_enabled(!muted);  // a disabled audio track sends silence
    return DT_OK;
  });
}

DT_API int32_t dt_transceiver_get_dtmf_sender(dt_transceiver* transceiver, dt_dtmf_sender** out_sender) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_sender != nullptr, "out_sender is NULL");
    *out_sender = nullptr;
    *out_sender = Lookup<Transceiver>(transceiver)->DtmfHandle();
    return DT_OK;
  });
}

}  // extern "C"
