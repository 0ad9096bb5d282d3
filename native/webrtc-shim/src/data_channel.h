// Data channels: the application owns one reference to each (dt_data_channel_release). Messages
// that arrive before the application sets callbacks are queued and delivered, in order, by
// dt_data_channel_set_callbacks.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "api/data_channel_interface.h"
#include "callback_gate.h"
#include "factory.h"
#include "peer_connection.h"

namespace dt {

class DataChannel final : public webrtc::DataChannelObserver {
 public:
  static constexpr HandleKind kKind = HandleKind::kDataChannel;
  static constexpr const char* kTypeName = "data channel";
  using CHandle = dt_data_channel;

  // Starts observing `channel` at once, so no message is lost before callbacks are set.
  DataChannel(std::shared_ptr<Factory> factory, rtc::scoped_refptr<webrtc::DataChannelInterface> channel);
  ~DataChannel() override;

  webrtc::DataChannelInterface& get() const { return *channel_; }
  const std::shared_ptr<CallbackGate>& gate() const { return gate_; }
  void SetCallbacks(const dt_data_channel_callbacks* callbacks, void* user_data);
  // Closes the channel, stops and drains the callbacks, stops observing. Idempotent.
  void Shutdown();

  void OnStateChange() override;
  void OnMessage(const webrtc::DataBuffer& buffer) override;
  void OnBufferedAmountChange(uint64_t sent_data_size) override;

 private:
  struct Message {
    std::vector<uint8_t> data;
    bool binary;
  };
  void Deliver(const uint8_t* data, size_t size, bool binary);
  void FlushQueue();

  LiveCount<LiveCounters::data_channels> live_;
  std::shared_ptr<Factory> factory_;  // keeps the threads the proxy needs
  std::shared_ptr<CallbackGate> gate_;
  CallbackSlot<dt_data_channel_callbacks> callbacks_;
  rtc::scoped_refptr<webrtc::DataChannelInterface> channel_;

  std::mutex queue_mutex_;
  std::deque<Message> queue_;
  bool flushing_ = false;  // while true, new messages join the queue (keeps the order)
  bool shut_down_ = false;
};

}  // namespace dt
