#include "data_channel.h"

#include "rtc_base/copy_on_write_buffer.h"

namespace dt {

static_assert(int(webrtc::DataChannelInterface::kConnecting) == DT_DATA_CHANNEL_STATE_CONNECTING &&
              int(webrtc::DataChannelInterface::kOpen) == DT_DATA_CHANNEL_STATE_OPEN &&
              int(webrtc::DataChannelInterface::kClosing) == DT_DATA_CHANNEL_STATE_CLOSING &&
              int(webrtc::DataChannelInterface::kClosed) == DT_DATA_CHANNEL_STATE_CLOSED);

DataChannel::DataChannel(std::shared_ptr<Factory> factory, rtc::scoped_refptr<webrtc::DataChannelInterface> channel)
    : factory_(std::move(factory)), gate_(std::make_shared<CallbackGate>()), callbacks_(gate_), channel_(std::move(channel)) {
  channel_->RegisterObserver(this);
}

DataChannel::~DataChannel() {
  Shutdown();
  channel_ = nullptr;  // before factory_: the proxy may need the signalling thread
}

void DataChannel::SetCallbacks(const dt_data_channel_callbacks* callbacks, void* user_data) {
  callbacks_.Set(callbacks, user_data, "dt_data_channel_callbacks");
  if (callbacks != nullptr) FlushQueue();
}

void DataChannel::FlushQueue() {
  {
    std::lock_guard lock(queue_mutex_);
    if (flushing_ || queue_.empty()) return;
    flushing_ = true;
  }
  for (;;) {
    Message message;
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.empty() || !callbacks_.HasCallbacks() || shut_down_) {
        flushing_ = false;
        return;
      }
      message = std::move(queue_.front());
      queue_.pop_front();
    }
    callbacks_.Fire([&](const dt_data_channel_callbacks& cb, void* user) {
      if (cb.on_message) cb.on_message(user, message.data.data(), message.data.size(), message.binary);
    });
  }
}

void DataChannel::Shutdown() {
  {
    std::lock_guard lock(queue_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    queue_.clear();
  }
  gate_->CloseAndDrain();
  channel_->UnregisterObserver();
  channel_->Close();
}

// The observer's entry points run on libwebrtc's threads, inside Contain (nothing unwinds into libwebrtc).
void DataChannel::OnStateChange() {
  Contain("DataChannelObserver::OnStateChange", [&] {
    auto state = static_cast<dt_data_channel_state>(channel_->state());
    callbacks_.Fire([&](const dt_data_channel_callbacks& cb, void* user) {
      if (cb.on_state_change) cb.on_state_change(user, state);
    });
  });
}

void DataChannel::OnMessage(const webrtc::DataBuffer& buffer) {
  Contain("DataChannelObserver::OnMessage", [&] {
    const uint8_t* data = buffer.data.cdata();
    size_t size = buffer.data.size();
    {
      std::lock_guard lock(queue_mutex_);
      if (shut_down_) return;
      // Until callbacks exist, and while a flush is delivering older messages, keep the order by queueing.
      if (flushing_ || !queue_.empty() || !callbacks_.HasCallbacks()) {
        queue_.push_back(Message{std::vector<uint8_t>(data, data + size), buffer.binary});
        return;
      }
    }
    callbacks_.Fire([&](const dt_data_channel_callbacks& cb, void* user) {
      if (cb.on_message) cb.on_message(user, data, size, buffer.binary);
    });
  });
}

void DataChannel::OnBufferedAmountChange(uint64_t sent_data_size) {
  Contain("DataChannelObserver::OnBufferedAmountChange", [&] {
    uint64_t buffered = channel_->buffered_amount();
    callbacks_.Fire([&](const dt_data_channel_callbacks& cb, void* user) {
      if (cb.on_buffered_amount_change) cb.on_buffered_amount_change(user, buffered);
    });
  });
}

}  // namespace dt

using dt::DataChannel;
using dt::Guard;
using dt::Lookup;

extern "C" {

DT_API int32_t dt_peer_connection_create_data_channel(dt_peer_connection* peer_connection, const char* label,
                                                      const dt_data_channel_init* init, dt_data_channel** out_channel) {
  return Guard(__func__, [&] {
    dt::RequireArgument(label != nullptr, "label is NULL");
    dt::RequireArgument(out_channel != nullptr, "out_channel is NULL");
    *out_channel = nullptr;
    dt_data_channel_init defaults{};
    defaults.struct_size = sizeof(defaults);
    defaults.ordered = true;
    defaults.max_retransmits = -1;
    defaults.max_packet_life_time_ms = -1;
    defaults.id = -1;
    dt_data_channel_init options = dt::ReadVersioned(init, defaults, "dt_data_channel_init");
    dt::RequireArgument(options.max_retransmits < 0 || options.max_packet_life_time_ms < 0,
                        "at most one of max_retransmits and max_packet_life_time_ms may be set");
    dt::RequireArgument(!options.negotiated || options.id >= 0, "a negotiated channel needs an id");
    webrtc::DataChannelInit rtc;
    rtc.ordered = options.ordered;
    if (options.max_retransmits >= 0) rtc.maxRetransmits = options.max_retransmits;
    if (options.max_packet_life_time_ms >= 0) rtc.maxRetransmitTime = options.max_packet_life_time_ms;
    rtc.protocol = options.protocol ? options.protocol : "";
    rtc.negotiated = options.negotiated;
    rtc.id = options.negotiated ? options.id : -1;

    auto owner = Lookup<dt::PeerConnection>(peer_connection);
    auto created = owner->pc()->CreateDataChannelOrError(label, &rtc);
    if (!created.ok()) throw dt::Error(DT_ERROR_INVALID_STATE, dt::ErrorText(created.error()));
    *out_channel = dt::Register(std::make_shared<DataChannel>(owner->factory(), created.MoveValue()));
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_set_callbacks(dt_data_channel* channel, const dt_data_channel_callbacks* callbacks,
                                             void* user_data) {
  return Guard(__func__, [&] {
    Lookup<DataChannel>(channel)->SetCallbacks(callbacks, user_data);
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_send(dt_data_channel* channel, const uint8_t* data, size_t size, bool binary) {
  return Guard(__func__, [&] {
    dt::RequireArgument(data != nullptr || size == 0, "data is NULL");
    auto c = Lookup<DataChannel>(channel);
    if (c->get().state() != webrtc::DataChannelInterface::kOpen) throw dt::Error(DT_ERROR_DATA_CHANNEL_SEND, "the data channel is not open");
    webrtc::DataBuffer buffer(rtc::CopyOnWriteBuffer(data, size), binary);
    if (!c->get().Send(buffer)) throw dt::Error(DT_ERROR_DATA_CHANNEL_SEND, "the data channel refused the message (closed or buffer full)");
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_get_state(dt_data_channel* channel, dt_data_channel_state* out_state) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_state != nullptr, "out_state is NULL");
    *out_state = static_cast<dt_data_channel_state>(Lookup<DataChannel>(channel)->get().state());
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_get_label(dt_data_channel* channel, char* buffer, size_t capacity, size_t* out_needed) {
  return Guard(__func__, [&] { return dt::WriteString(Lookup<DataChannel>(channel)->get().label(), buffer, capacity, out_needed); });
}

DT_API int32_t dt_data_channel_get_id(dt_data_channel* channel, int32_t* out_id) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_id != nullptr, "out_id is NULL");
    *out_id = Lookup<DataChannel>(channel)->get().id();
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_get_buffered_amount(dt_data_channel* channel, uint64_t* out_buffered_amount) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_buffered_amount != nullptr, "out_buffered_amount is NULL");
    *out_buffered_amount = Lookup<DataChannel>(channel)->get().buffered_amount();
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_close(dt_data_channel* channel) {
  return Guard(__func__, [&] {
    Lookup<DataChannel>(channel)->get().Close();
    return DT_OK;
  });
}

DT_API int32_t dt_data_channel_release(dt_data_channel* channel) {
  return Guard(__func__, [&] {
    auto c = Lookup<DataChannel>(channel);
    if (c->gate()->InsideOnThisThread()) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "dt_data_channel_release called from one of its own callbacks");
    }
    dt::Unregister<DataChannel>(channel);
    c->Shutdown();
    return DT_OK;
  });
}

}  // extern "C"
