// Data channels: text and binary both ways, in order; messages sent before the receiver sets its
// callbacks are queued, not lost.
#include <gtest/gtest.h>

#include <thread>

#include "loopback_call.h"

using namespace dt_test;

namespace {
struct ChannelLog {
  std::mutex mutex;
  std::vector<std::pair<std::string, bool>> messages;
  std::vector<dt_data_channel_state> states;
  static void OnState(void* user, dt_data_channel_state state) {
    auto* self = static_cast<ChannelLog*>(user);
    std::lock_guard lock(self->mutex);
    self->states.push_back(state);
  }
  static void OnMessage(void* user, const uint8_t* data, size_t size, bool binary) {
    auto* self = static_cast<ChannelLog*>(user);
    std::lock_guard lock(self->mutex);
    self->messages.emplace_back(std::string(reinterpret_cast<const char*>(data), size), binary);
  }
  size_t Count() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  void Attach(dt_data_channel* channel) {
    dt_data_channel_callbacks callbacks{};
    callbacks.struct_size = sizeof(callbacks);
    callbacks.on_state_change = OnState;
    callbacks.on_message = OnMessage;
    ASSERT_EQ(dt_data_channel_set_callbacks(channel, &callbacks, this), DT_OK);
  }
};

int32_t SendText(dt_data_channel* channel, const std::string& text) {
  return dt_data_channel_send(channel, reinterpret_cast<const uint8_t*>(text.data()), text.size(), false);
}
int32_t SendBinary(dt_data_channel* channel, const std::string& bytes) {
  return dt_data_channel_send(channel, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), true);
}
}  // namespace

TEST(DataChannel, TextAndBinaryBothWaysInOrder) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  dt_data_channel* at_a = nullptr;
  dt_data_channel_init init{};
  init.struct_size = sizeof(init);
  init.ordered = true;
  init.max_retransmits = -1;
  init.max_packet_life_time_ms = -1;
  init.id = -1;
  ASSERT_EQ(dt_peer_connection_create_data_channel(a.pc, "chat", &init, &at_a), DT_OK) << LastError();
  ChannelLog log_a;
  log_a.Attach(at_a);
  std::string error;
  ASSERT_TRUE(Negotiate(a, b, false, &error)) << error;
  ASSERT_TRUE(Eventually([&] {
    dt_data_channel_state s;
    return dt_data_channel_get_state(at_a, &s) == DT_OK && s == DT_DATA_CHANNEL_STATE_OPEN;
  }, 15000));

  // A sends at once; B attaches its callbacks only later: the messages wait in B's queue.
  const std::string binary("\x00\x01\xfe\xff", 4);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(SendText(at_a, "a" + std::to_string(i)), DT_OK) << LastError();
  ASSERT_EQ(SendBinary(at_a, binary), DT_OK);
  ASSERT_TRUE(b.WaitFor([&] { return !b.remote_channels.empty(); }, 10000));
  dt_data_channel* at_b = b.remote_channels[0];
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ChannelLog log_b;
  log_b.Attach(at_b);

  char label[16];
  size_t needed = 0;
  ASSERT_EQ(dt_data_channel_get_label(at_b, label, sizeof(label), &needed), DT_OK);
  EXPECT_STREQ(label, "chat");
  int32_t id_a = -2, id_b = -3;
  ASSERT_EQ(dt_data_channel_get_id(at_a, &id_a), DT_OK);
  ASSERT_EQ(dt_data_channel_get_id(at_b, &id_b), DT_OK);
  EXPECT_EQ(id_a, id_b);
  EXPECT_GE(id_a, 0);

  for (int i = 0; i < 20; ++i) ASSERT_EQ(SendText(at_b, "b" + std::to_string(i)), DT_OK);
  ASSERT_EQ(SendBinary(at_b, binary), DT_OK);

  ASSERT_TRUE(Eventually([&] { return log_b.Count() == 21 && log_a.Count() == 21; }, 10000))
      << log_b.Count() << " at B, " << log_a.Count() << " at A";
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(log_b.messages[i], std::make_pair("a" + std::to_string(i), false));
    EXPECT_EQ(log_a.messages[i], std::make_pair("b" + std::to_string(i), false));
  }
  EXPECT_EQ(log_b.messages[20], std::make_pair(binary, true));
  EXPECT_EQ(log_a.messages[20], std::make_pair(binary, true));

  EXPECT_EQ(dt_data_channel_close(at_a), DT_OK);
  EXPECT_TRUE(Eventually([&] {
    std::lock_guard lock(log_b.mutex);
    return !log_b.states.empty() && log_b.states.back() == DT_DATA_CHANNEL_STATE_CLOSED;
  }, 10000));
  EXPECT_EQ(SendText(at_a, "too late"), DT_ERROR_DATA_CHANNEL_SEND);
  EXPECT_EQ(dt_data_channel_release(at_a), DT_OK);
  EXPECT_EQ(dt_data_channel_release(at_a), DT_ERROR_INVALID_HANDLE);
}

TEST(DataChannel, OptionsAreValidated) {
  Peer a(VirtualDeviceOptions());
  dt_data_channel_init init{};
  init.struct_size = sizeof(init);
  init.max_retransmits = 3;
  init.max_packet_life_time_ms = 100;
  init.id = -1;
  dt_data_channel* channel = nullptr;
  EXPECT_EQ(dt_peer_connection_create_data_channel(a.pc, "x", &init, &channel), DT_ERROR_INVALID_ARGUMENT);
  init.max_packet_life_time_ms = -1;
  init.ordered = false;
  ASSERT_EQ(dt_peer_connection_create_data_channel(a.pc, "unordered", &init, &channel), DT_OK) << LastError();
  dt_data_channel_state state;
  ASSERT_EQ(dt_data_channel_get_state(channel, &state), DT_OK);
  EXPECT_EQ(state, DT_DATA_CHANNEL_STATE_CONNECTING);
  EXPECT_EQ(SendText(channel, "not yet"), DT_ERROR_DATA_CHANNEL_SEND);
  EXPECT_EQ(dt_data_channel_release(channel), DT_OK);
}
