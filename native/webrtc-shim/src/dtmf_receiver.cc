#include "dtmf_receiver.h"

#include <unordered_map>

#include "absl/strings/match.h"
#include "errors.h"
#include "transceiver.h"

namespace dt {
namespace {
constexpr uint32_t kNotTelephoneEvent = 1;

char ToneOf(uint32_t event) {
  static const char kTones[] = "0123456789*#ABCD";
  return event < 16 ? kTones[event] : 0;
}

// One transformer per transceiver handle (handle ids are never reused). Entries whose transceiver
// is gone are swept on the next creation. Leaked on purpose, like the handle table.
struct TransformerTable {
  std::mutex mutex;
  std::unordered_map<uint64_t, rtc::scoped_refptr<DtmfTransformer>> entries;
};
TransformerTable& Transformers() {
  static TransformerTable* table = new TransformerTable();
  return *table;
}
}  // namespace

// ---- TelephoneEventTracker ---------------------------------------------------------------------------

int TelephoneEventTracker::OnPayload(const uint8_t* p, size_t size, uint32_t ts, uint32_t clock, dt_dtmf_event out[3]) {
  if (size < 4 || clock == 0) return 0;
  const uint32_t event = p[0];
  const bool end = (p[1] & 0x80) != 0;
  const uint32_t volume = p[1] & 0x3f;
  const uint32_t duration_ms = static_cast<uint32_t>((uint64_t((p[2] << 8) | p[3]) * 1000) / clock);
  int n = 0;
  if (!have_current_ || ts != current_.rtp_timestamp) {
    if (have_current_ && static_cast<int32_t>(ts - current_.rtp_timestamp) < 0) return 0;  // late, older event
    if (have_current_ && !current_ended_) {  // its end packets were all lost
      out[n] = current_;
      out[n].phase = DT_DTMF_EVENT_END;
      out[n++].end_bit = false;
    }
    current_ = dt_dtmf_event{};
    current_.struct_size = sizeof(dt_dtmf_event);
    current_.phase = DT_DTMF_EVENT_START;
    current_.event = event;
    current_.tone = ToneOf(event);
    current_.duration_ms = duration_ms;
    current_.volume = volume;
    current_.rtp_timestamp = ts;
    current_.clock_rate_hz = clock;
    have_current_ = true;
    current_ended_ = false;
    out[n++] = current_;
  } else {
    if (current_ended_) return 0;  // the end packet is sent three times (RFC 4733 2.5.1.4)
    current_.duration_ms = std::max(current_.duration_ms, duration_ms);
    current_.volume = volume;
  }
  if (end && !current_ended_) {
    current_ended_ = true;
    current_.duration_ms = std::max(current_.duration_ms, duration_ms);
    out[n] = current_;
    out[n].phase = DT_DTMF_EVENT_END;
    out[n++].end_bit = true;
  }
  return n;
}

// ---- DtmfTransformer ------------------------------------------------------------------------------------

void DtmfTransformer::Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  std::shared_ptr<DtmfReceiver> listener;
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback;
  {
    std::lock_guard lock(mutex_);
    listener = listener_.lock();
    callback = callback_;
  }
  if (listener) {
    auto data = frame->GetData();
    listener->OnFrame(frame->GetPayloadType(), data.data(), data.size(), frame->GetTimestamp());
  }
  if (callback) callback->OnTransformedFrame(std::move(frame));  // unchanged, on to NetEq
}

void DtmfTransformer::RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void DtmfTransformer::RegisterTransformedFrameSinkCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback,
                                                           uint32_t) {
  RegisterTransformedFrameCallback(std::move(callback));  // one receive channel per transformer
}

void DtmfTransformer::UnregisterTransformedFrameCallback() {
  std::lock_guard lock(mutex_);
  callback_ = nullptr;
}

void DtmfTransformer::UnregisterTransformedFrameSinkCallback(uint32_t) { UnregisterTransformedFrameCallback(); }

bool DtmfTransformer::Attach(const std::shared_ptr<DtmfReceiver>& listener) {
  std::lock_guard lock(mutex_);
  if (!listener_.expired()) return false;
  listener_ = listener;
  return true;
}

void DtmfTransformer::Detach(const DtmfReceiver* listener) {
  std::lock_guard lock(mutex_);
  auto current = listener_.lock();
  if (current.get() == listener) listener_.reset();
}

// ---- DtmfReceiver -----------------------------------------------------------------------------------------

DtmfReceiver::DtmfReceiver(std::shared_ptr<Factory> factory, rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver)
    : factory_(std::move(factory)), receiver_(std::move(receiver)) {}

DtmfReceiver::~DtmfReceiver() {
  receiver_ = nullptr;  // before factory_: the proxy may need its threads
}

uint32_t DtmfReceiver::TelephoneEventClock(uint8_t payload_type) {
  if (payload_type >= payload_clock_.size()) return 0;
  if (payload_clock_[payload_type] == 0) {
    // The receive channel's thread is libwebrtc's worker thread, where the proxy runs this inline.
    webrtc::RtpParameters parameters = receiver_->GetParameters();
    for (const auto& codec : parameters.codecs) {
      if (codec.payload_type < 0 || codec.payload_type >= 128) continue;
      bool te = absl::EqualsIgnoreCase(codec.name, "telephone-event");
      payload_clock_[codec.payload_type] = te ? static_cast<uint32_t>(codec.clock_rate.value_or(8000)) : kNotTelephoneEvent;
    }
    if (payload_clock_[payload_type] == 0) return 0;  // unknown still: look again next time
  }
  uint32_t clock = payload_clock_[payload_type];
  return clock == kNotTelephoneEvent ? 0 : clock;
}

void DtmfReceiver::OnFrame(uint8_t payload_type, const uint8_t* payload, size_t size, uint32_t rtp_timestamp) {
  if (size < 4 || size > 64) return;  // telephone-event payloads are 4 bytes per event
  dt_dtmf_event events[3];
  int n;
  {
    std::lock_guard lock(mutex_);
    uint32_t clock = TelephoneEventClock(payload_type);
    if (clock == 0) return;
    n = tracker_.OnPayload(payload, size, rtp_timestamp, clock, events);
  }
  for (int i = 0; i < n; ++i) {
    callbacks_.Fire([&](const dt_dtmf_receiver_callbacks& cb, void* user) {
      if (cb.on_event) cb.on_event(user, &events[i]);
    });
  }
}

}  // namespace dt

using dt::DtmfReceiver;
using dt::DtmfTransformer;
using dt::Guard;

extern "C" {

DT_API int32_t dt_transceiver_create_dtmf_receiver(dt_transceiver* transceiver, const dt_dtmf_receiver_callbacks* callbacks,
                                                   void* user_data, dt_dtmf_receiver** out_receiver) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_receiver != nullptr, "out_receiver is NULL");
    *out_receiver = nullptr;
    dt::RequireArgument(callbacks != nullptr, "callbacks is NULL");
    auto t = dt::Lookup<dt::Transceiver>(transceiver);
    auto receiver = t->receiver();
    if (!receiver || receiver->media_type() != cricket::MEDIA_TYPE_AUDIO) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "the transceiver has no audio receiver");
    }
    auto listener = std::make_shared<DtmfReceiver>(t->factory(), receiver);
    listener->callbacks().Set(callbacks, user_data, "dt_dtmf_receiver_callbacks");

    const uint64_t key = dt::HandleId<dt::Transceiver>(transceiver);
    rtc::scoped_refptr<DtmfTransformer> transformer;
    bool install = false;
    {
      auto& table = dt::Transformers();
      std::lock_guard lock(table.mutex);
      for (auto it = table.entries.begin(); it != table.entries.end();) {  // sweep transceivers gone
        if (it->first != key && !dt::registry::Find(it->first, dt::HandleKind::kTransceiver)) {
          it = table.entries.erase(it);
        } else {
          ++it;
        }
      }
      auto& entry = table.entries[key];
      if (!entry) {
        entry = rtc::make_ref_counted<DtmfTransformer>();
        install = true;
      }
      transformer = entry;
      if (!transformer->Attach(listener)) {
        throw dt::Error(DT_ERROR_INVALID_STATE, "this transceiver already has a DTMF receiver");
      }
      listener->set_transformer(transformer);
    }
    if (install) receiver->SetDepacketizerToDecoderFrameTransformer(transformer);  // proxied to the worker thread
    try {
      *out_receiver = dt::Register(listener);
    } catch (...) {
      transformer->Detach(listener.get());
      throw;
    }
    return DT_OK;
  });
}

DT_API int32_t dt_dtmf_receiver_release(dt_dtmf_receiver* receiver) {
  return Guard(__func__, [&] {
    auto r = dt::Lookup<DtmfReceiver>(receiver);
    if (r->gate().InsideOnThisThread()) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "dt_dtmf_receiver_release called from the receiver's own callback");
    }
    dt::Unregister<DtmfReceiver>(receiver);
    r->gate().CloseAndDrain();  // no on_event runs after this
    r->transformer()->Detach(r.get());  // frames keep passing through; a new receiver may attach
    return DT_OK;
  });
}

}  // extern "C"
