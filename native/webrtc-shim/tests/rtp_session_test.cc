// Legacy RTP sessions through the C ABI: two sessions in one process (each on its own factory and
// virtual audio device) call each other over loopback with plain RTP and SDES-SRTP, every codec,
// DTMF both ways; garbage, strangers and wrong keys are dropped and counted, never fatal.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "loopback_call.h"
#include "tone.h"

using namespace dt_test;

namespace {

constexpr double kToneAtoB = 1000;
constexpr double kToneBtoA = 600;

struct Codec {
  const char* label;
  dt_rtp_codec codec;
};

// The payload types a peer typically uses; Opus and telephone-event dynamic.
dt_rtp_codec Pcmu() { return {0, "PCMU", 8000, 1, nullptr}; }
dt_rtp_codec Pcma() { return {8, "PCMA", 8000, 1, nullptr}; }
dt_rtp_codec G722() { return {9, "G722", 8000, 1, nullptr}; }
dt_rtp_codec Opus() { return {111, "opus", 48000, 2, "minptime=10;useinbandfec=1"}; }

std::vector<uint8_t> RandomKey() {
  std::random_device device;
  std::vector<uint8_t> key(DT_SRTP_KEY_SALT_SIZE);
  for (auto& b : key) b = static_cast<uint8_t>(device());
  return key;
}

// One side: a factory with a virtual device, a session, its recorded events.
class Side {
 public:
  Side() {
    dt_factory_options options = VirtualDeviceOptions();
    EXPECT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
    dt_rtp_session_options session_options{};
    session_options.struct_size = sizeof(session_options);
    session_options.local_address = "127.0.0.1";
    EXPECT_EQ(dt_rtp_session_create(factory, &session_options, &session), DT_OK) << LastError();
    EXPECT_EQ(dt_rtp_session_get_local_ports(session, &rtp_port, &rtcp_port), DT_OK);
    dt_rtp_session_callbacks callbacks{};
    callbacks.struct_size = sizeof(callbacks);
    callbacks.on_dtmf_event = [](void* user, const dt_rtp_dtmf_event* e) {
      auto* self = static_cast<Side*>(user);
      std::lock_guard lock(self->mutex);
      self->events.push_back(*e);
    };
    callbacks.on_remote_address_latched = [](void* user, bool is_rtcp, const char* address, uint16_t port) {
      auto* self = static_cast<Side*>(user);
      std::lock_guard lock(self->mutex);
      if (!is_rtcp) self->latched_port = port;
      self->latched_address = address;
    };
    EXPECT_EQ(dt_rtp_session_set_callbacks(session, &callbacks, this), DT_OK);
  }
  ~Side() {
    pump.reset();
    if (session != nullptr) EXPECT_EQ(dt_rtp_session_release(session), DT_OK) << LastError();
    if (factory != nullptr) EXPECT_EQ(dt_factory_release(factory), DT_OK);
  }

  dt_rtp_stats Stats() {
    dt_rtp_stats stats{};
    stats.struct_size = sizeof(stats);
    EXPECT_EQ(dt_rtp_session_get_stats(session, &stats), DT_OK) << LastError();
    return stats;
  }
  std::vector<dt_rtp_dtmf_event> Events() {
    std::lock_guard lock(mutex);
    return events;
  }

  dt_factory* factory = nullptr;
  dt_rtp_session* session = nullptr;
  uint16_t rtp_port = 0, rtcp_port = 0;
  std::unique_ptr<AudioPump> pump;
  std::mutex mutex;
  std::vector<dt_rtp_dtmf_event> events;
  uint16_t latched_port = 0;
  std::string latched_address;
};

struct Keys {
  dt_srtp_suite suite = DT_SRTP_SUITE_NONE;
  std::vector<uint8_t> send, receive;
};

// `to`'s config for calling `peer` with `codec` (and telephone-event 101/8000 both ways).
int32_t Configure(Side& side, const Side& peer, const dt_rtp_codec& codec, const Keys& keys,
                  dt_transceiver_direction direction = DT_DIRECTION_SENDRECV, uint16_t peer_port_override = 0,
                  bool latching = true, int rtcp_interval_ms = 500) {
  dt_rtp_codec receive[2] = {codec, {101, "telephone-event", 8000, 1, "0-16"}};
  dt_rtp_session_config config{};
  config.struct_size = sizeof(config);
  config.remote_address = "127.0.0.1";
  config.remote_rtp_port = peer_port_override != 0 ? peer_port_override : peer.rtp_port;
  config.remote_rtcp_port = peer_port_override != 0 ? static_cast<uint16_t>(peer_port_override + 1) : peer.rtcp_port;
  config.latching = latching;
  config.direction = direction;
  config.send_codec = codec;
  config.send_telephone_event_payload_type = 101;
  config.send_telephone_event_clock_rate = 8000;
  config.receive_codecs = receive;
  config.receive_codec_count = 2;
  config.send_suite = keys.suite;
  config.send_key = keys.send.empty() ? nullptr : keys.send.data();
  config.receive_suite = keys.suite;
  config.receive_key = keys.receive.empty() ? nullptr : keys.receive.data();
  config.rtcp_report_interval_ms = rtcp_interval_ms;
  return dt_rtp_session_configure(side.session, &config);
}

bool Hears(Side& side, double tone, double other) {
  return Eventually(
      [&] {
        std::vector<int16_t> heard = side.pump->Recent(500);
        return heard.size() == 24000 && ToneDominates(heard.data(), heard.size(), tone, 48000, 800, {other, 400, 2400}, 5);
      },
      20000);
}

// A raw UDP socket on 127.0.0.1 for sending hand-made packets.
class RawSocket {
 public:
  RawSocket() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  ~RawSocket() { ::close(fd_); }
  void Send(uint16_t port, const std::vector<uint8_t>& data) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }

 private:
  int fd_;
};

std::vector<uint8_t> RtpPacket(uint8_t payload_type, uint16_t seq, uint32_t timestamp, uint32_t ssrc, size_t payload) {
  std::vector<uint8_t> p(12 + payload, 0xd5);
  p[0] = 0x80;
  p[1] = payload_type;
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(timestamp >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  return p;
}

}  // namespace

class RtpCall : public ::testing::Test {
 protected:
  void SetUp() override {
    a = std::make_unique<Side>();
    b = std::make_unique<Side>();
    ASSERT_NE(a->session, nullptr);
    ASSERT_NE(b->session, nullptr);
  }
  void StartCall(const dt_rtp_codec& codec, const Keys& a_keys = {}, const Keys& b_keys = {}) {
    ASSERT_EQ(Configure(*a, *b, codec, a_keys), DT_OK) << LastError();
    ASSERT_EQ(Configure(*b, *a, codec, b_keys), DT_OK) << LastError();
    a->pump = std::make_unique<AudioPump>(a->factory, kToneAtoB);
    b->pump = std::make_unique<AudioPump>(b->factory, kToneBtoA);
  }
  void ExpectTwoWayAudio() {
    EXPECT_TRUE(Hears(*b, kToneAtoB, kToneBtoA)) << "B does not hear A's tone";
    EXPECT_TRUE(Hears(*a, kToneBtoA, kToneAtoB)) << "A does not hear B's tone";
  }
  void TearDown() override {
    a.reset();
    b.reset();
  }
  std::unique_ptr<Side> a, b;
};

TEST_F(RtpCall, PortsAreAnEvenOddPair) {
  EXPECT_EQ(a->rtp_port % 2, 0);
  EXPECT_EQ(a->rtcp_port, a->rtp_port + 1);
}

class RtpCodecCall : public RtpCall, public ::testing::WithParamInterface<int> {};

TEST_P(RtpCodecCall, ToneFlowsBothWaysOverPlainRtp) {
  dt_rtp_codec codecs[] = {Pcmu(), Pcma(), G722(), Opus()};
  dt_rtp_codec codec = codecs[GetParam()];
  StartCall(codec);
  ExpectTwoWayAudio();
  EXPECT_TRUE(Eventually([&] { return b->Stats().rtp_packets_received > 50; }, 10000));
  dt_rtp_stats sa = a->Stats();
  dt_rtp_stats sb = b->Stats();
  EXPECT_EQ(sa.send_payload_type, codec.payload_type);
  EXPECT_EQ(sb.remote_ssrc, sa.local_ssrc);
  // A's first packets may reach B before B is configured (A is set up first) and are rightly
  // dropped; once both ends run, a clean call drops nothing.
  auto drops = [](const dt_rtp_stats& s) {
    return s.dropped_malformed + s.dropped_srtp + s.dropped_stranger + s.dropped_unknown_payload;
  };
  // ptime 20: 50 packets per second; measured over the time that really passed (a loaded machine
  // oversleeps), 30..80 per second.
  uint64_t before = a->Stats().rtp_packets_sent;
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  uint64_t sent = a->Stats().rtp_packets_sent - before;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(drops(b->Stats()), drops(sb)) << "packets dropped during a clean call";
  EXPECT_GE(sent / seconds, 30.0) << sent << " packets in " << seconds << " s";
  EXPECT_LE(sent / seconds, 80.0) << sent << " packets in " << seconds << " s";
  EXPECT_GT(sb.receive_audio_level, 0.01);
}

std::string CodecName(const ::testing::TestParamInfo<int>& info) {
  static const char* names[] = {"PCMU", "PCMA", "G722", "Opus"};
  return names[info.param];
}
INSTANTIATE_TEST_SUITE_P(Codecs, RtpCodecCall, ::testing::Values(0, 1, 2, 3), CodecName);

class RtpSrtpCall : public RtpCall, public ::testing::WithParamInterface<dt_srtp_suite> {};

TEST_P(RtpSrtpCall, SdesKeysCarryAudioBothWays) {
  Keys ka, kb;
  ka.suite = kb.suite = GetParam();
  ka.send = kb.receive = RandomKey();
  kb.send = ka.receive = RandomKey();
  StartCall(Pcma(), ka, kb);
  ExpectTwoWayAudio();
  EXPECT_TRUE(Eventually([&] { return b->Stats().rtp_packets_received > 50; }, 10000));
  dt_rtp_stats sb = b->Stats();
  EXPECT_EQ(sb.dropped_srtp, 0u);
  // RTCP goes through SRTCP too: the round trip time is measured from it.
  EXPECT_TRUE(Eventually([&] { return a->Stats().round_trip_time_ms >= 0; }, 15000));
}

TEST_P(RtpSrtpCall, WrongKeysDropEveryPacketAndCountThem) {
  Keys ka, kb;
  ka.suite = kb.suite = GetParam();
  ka.send = RandomKey();
  kb.receive = RandomKey();  // not A's send key
  kb.send = ka.receive = RandomKey();
  StartCall(Pcmu(), ka, kb);
  ASSERT_TRUE(Eventually([&] { return b->Stats().dropped_srtp > 50; }, 15000));
  dt_rtp_stats sb = b->Stats();
  EXPECT_EQ(sb.rtp_packets_received, 0u);
  EXPECT_FALSE(sb.remote_address_latched);
  // The other direction has the right keys and still works.
  EXPECT_TRUE(Hears(*a, kToneBtoA, kToneAtoB));
}

std::string SuiteName(const ::testing::TestParamInfo<dt_srtp_suite>& info) {
  return info.param == DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80 ? "Sha1_80" : "Sha1_32";
}
INSTANTIATE_TEST_SUITE_P(Suites, RtpSrtpCall,
                         ::testing::Values(DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32),
                         SuiteName);

TEST_F(RtpCall, MixedPlainAndSrtpIsRefused) {
  Keys k;
  k.suite = DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
  k.send = RandomKey();  // receive key missing
  dt_rtp_codec codec = Pcmu();
  dt_rtp_session_config config{};
  config.struct_size = sizeof(config);
  config.remote_address = "127.0.0.1";
  config.remote_rtp_port = b->rtp_port;
  config.send_codec = codec;
  config.send_telephone_event_payload_type = -1;
  config.send_suite = k.suite;
  config.send_key = k.send.data();
  EXPECT_EQ(dt_rtp_session_configure(a->session, &config), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("both"), std::string::npos) << LastError();
}

TEST_F(RtpCall, BadConfigurationsAreRefusedWithAMessage) {
  dt_rtp_codec bogus = {0, "AMR", 8000, 1, nullptr};
  EXPECT_EQ(Configure(*a, *b, bogus, {}), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(LastError().find("AMR"), std::string::npos) << LastError();
  dt_rtp_codec out_of_range = {128, "PCMU", 8000, 1, nullptr};
  EXPECT_EQ(Configure(*a, *b, out_of_range, {}), DT_ERROR_INVALID_ARGUMENT);
  dt_rtp_session_config config{};
  config.struct_size = sizeof(config);
  config.remote_address = "not-an-ip";
  config.remote_rtp_port = 4000;
  config.send_codec = Pcmu();
  EXPECT_EQ(dt_rtp_session_configure(a->session, &config), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_rtp_session_configure(a->session, nullptr), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_rtp_session_send_dtmf(a->session, "1", 100, 70), DT_ERROR_DTMF) << "not configured yet";
  dt_rtp_session_options options{};
  options.struct_size = sizeof(options);
  options.local_address = "example.com";
  dt_rtp_session* s = nullptr;
  EXPECT_EQ(dt_rtp_session_create(a->factory, &options, &s), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
}

TEST_F(RtpCall, DtmfEventsArriveExactlyAndInOrderBothWays) {
  StartCall(Pcmu());
  ASSERT_TRUE(Hears(*b, kToneAtoB, kToneBtoA));
  ASSERT_EQ(dt_rtp_session_send_dtmf(a->session, "159#*D0", 120, 80), DT_OK) << LastError();
  ASSERT_EQ(dt_rtp_session_send_dtmf(b->session, "42", 100, 70), DT_OK) << LastError();
  ASSERT_TRUE(Eventually([&] { return b->Events().size() >= 14; }, 15000)) << b->Events().size();
  ASSERT_TRUE(Eventually([&] { return a->Events().size() >= 4; }, 15000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more may arrive
  std::vector<dt_rtp_dtmf_event> at_b = b->Events();
  ASSERT_EQ(at_b.size(), 14u);
  std::string expected = "159#*D0";
  for (size_t i = 0; i < expected.size(); ++i) {
    const dt_rtp_dtmf_event& start = at_b[2 * i];
    const dt_rtp_dtmf_event& end = at_b[2 * i + 1];
    EXPECT_EQ(start.tone, expected[i]) << i;
    EXPECT_FALSE(start.ended);
    EXPECT_EQ(end.tone, expected[i]) << i;
    EXPECT_TRUE(end.ended);
    EXPECT_EQ(end.rtp_timestamp, start.rtp_timestamp);
    EXPECT_GE(end.duration_ms, 100u) << i;
    EXPECT_LE(end.duration_ms, 200u) << i;
  }
  std::vector<dt_rtp_dtmf_event> at_a = a->Events();
  ASSERT_EQ(at_a.size(), 4u);
  EXPECT_EQ(at_a[0].tone, '4');
  EXPECT_EQ(at_a[2].tone, '2');
  EXPECT_TRUE(at_a[3].ended);
}

TEST_F(RtpCall, GarbageAndOversizedPacketsAreDroppedAndCounted) {
  StartCall(Pcmu());
  ASSERT_TRUE(Hears(*b, kToneAtoB, kToneBtoA));
  RawSocket stranger;
  dt_rtp_stats before = b->Stats();
  EXPECT_TRUE(before.remote_address_latched);
  // After latching, anything from another address is a stranger's, even a well-formed packet.
  for (int i = 0; i < 5; ++i) stranger.Send(b->rtp_port, RtpPacket(0, static_cast<uint16_t>(i), 160u * i, 0x1234, 160));
  stranger.Send(b->rtcp_port, {0x80, 201, 0, 1, 0, 0, 0, 1});
  ASSERT_TRUE(Eventually([&] { return b->Stats().dropped_stranger >= before.dropped_stranger + 6; }, 5000));
  EXPECT_EQ(b->Stats().remote_ssrc, a->Stats().local_ssrc) << "the stranger's SSRC never reached the engine";
  EXPECT_TRUE(Hears(*b, kToneAtoB, kToneBtoA));
}

TEST_F(RtpCall, GarbageFromThePeersAddressIsDroppedByReason) {
  // B accepts packets from 127.0.0.1 only (no latching), so a raw socket there reaches validation.
  ASSERT_EQ(Configure(*b, *a, Pcmu(), {}, DT_DIRECTION_SENDRECV, 0, /*latching=*/false), DT_OK) << LastError();
  RawSocket peer;
  std::vector<uint8_t> oversized(2000, 0x80);
  peer.Send(b->rtp_port, oversized);                                  // oversized
  peer.Send(b->rtp_port, {0x80, 0x00, 0x01});                         // truncated
  peer.Send(b->rtp_port, std::vector<uint8_t>(40, 0x00));             // version 0
  peer.Send(b->rtp_port, RtpPacket(77, 1, 0, 0x99, 20));              // payload type not negotiated
  std::vector<uint8_t> bad_padding = RtpPacket(0, 2, 160, 0x99, 20);
  bad_padding[0] |= 0x20;
  bad_padding.back() = 200;                                           // padding longer than the packet
  peer.Send(b->rtp_port, bad_padding);
  std::vector<uint8_t> bad_csrc = RtpPacket(0, 3, 320, 0x99, 0);
  bad_csrc[0] |= 0x0f;                                                // 15 CSRCs that are not there
  peer.Send(b->rtp_port, bad_csrc);
  peer.Send(b->rtcp_port, {0x80, 200, 0x00, 0x20, 1, 2, 3, 4});       // RTCP length beyond the packet
  peer.Send(b->rtcp_port, {0x80, 100, 0x00, 0x01, 1, 2, 3, 4});       // not an RTCP type
  peer.Send(b->rtcp_port, std::vector<uint8_t>(3000, 0xff));          // oversized RTCP
  ASSERT_TRUE(Eventually(
      [&] {
        dt_rtp_stats s = b->Stats();
        return s.dropped_oversized == 2 && s.dropped_unknown_payload == 1 && s.dropped_malformed == 6;
      },
      5000))
      << "oversized " << b->Stats().dropped_oversized << " unknown " << b->Stats().dropped_unknown_payload
      << " malformed " << b->Stats().dropped_malformed;
  // Then a real call works on the same session.
  ASSERT_EQ(Configure(*a, *b, Pcmu(), {}), DT_OK);
  a->pump = std::make_unique<AudioPump>(a->factory, kToneAtoB);
  b->pump = std::make_unique<AudioPump>(b->factory, kToneBtoA);
  ExpectTwoWayAudio();
}

TEST_F(RtpCall, LatchesOntoThePeersRealAddressAndAnswersThere) {
  // B was told a wrong port for A (as behind a NAT): B's audio goes nowhere until A's packets
  // arrive; then B learns A's real address and A hears B.
  ASSERT_EQ(Configure(*a, *b, Pcmu(), {}), DT_OK);
  ASSERT_EQ(Configure(*b, *a, Pcmu(), {}, DT_DIRECTION_SENDRECV, static_cast<uint16_t>(a->rtp_port == 40000 ? 40002 : 40000)), DT_OK);
  a->pump = std::make_unique<AudioPump>(a->factory, kToneAtoB);
  b->pump = std::make_unique<AudioPump>(b->factory, kToneBtoA);
  ExpectTwoWayAudio();
  std::lock_guard lock(b->mutex);
  EXPECT_EQ(b->latched_port, a->rtp_port);
  EXPECT_EQ(b->latched_address, "127.0.0.1");
}

TEST_F(RtpCall, HoldStopsSendingAndResumeRestartsIt) {
  StartCall(Pcmu());
  ASSERT_TRUE(Hears(*b, kToneAtoB, kToneBtoA));
  ASSERT_EQ(Configure(*a, *b, Pcmu(), {}, DT_DIRECTION_INACTIVE), DT_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  uint64_t held = a->Stats().rtp_packets_sent;
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(a->Stats().rtp_packets_sent, held) << "inactive: no RTP";
  ASSERT_EQ(Configure(*a, *b, Pcmu(), {}, DT_DIRECTION_SENDRECV), DT_OK);
  EXPECT_TRUE(Eventually([&] { return a->Stats().rtp_packets_sent > held + 20; }, 5000));
  EXPECT_TRUE(Hears(*b, kToneAtoB, kToneBtoA));
}

TEST_F(RtpCall, StatsReportRoundTripJitterAndLevels) {
  StartCall(Opus());
  ExpectTwoWayAudio();
  ASSERT_TRUE(Eventually([&] { return a->Stats().round_trip_time_ms >= 0 && a->Stats().remote_packets_lost >= 0; }, 15000));
  dt_rtp_stats s = a->Stats();
  EXPECT_LT(s.round_trip_time_ms, 500);
  EXPECT_GT(s.rtcp_packets_sent, 0u);
  EXPECT_GT(s.rtcp_packets_received, 0u);
  EXPECT_GE(s.jitter_ms, 0);
  EXPECT_GT(s.send_audio_level, 0.05);
  EXPECT_GT(s.total_samples_received, 0u);
}

TEST_F(RtpCall, ReleaseWithTrafficInFlightIsClean) {
  StartCall(Pcmu());
  ASSERT_TRUE(Hears(*b, kToneAtoB, kToneBtoA));
  ASSERT_EQ(dt_rtp_session_release(a->session), DT_OK);
  EXPECT_EQ(dt_rtp_session_release(a->session), DT_ERROR_INVALID_HANDLE);
  dt_rtp_stats stats{};
  stats.struct_size = sizeof(stats);
  EXPECT_EQ(dt_rtp_session_get_stats(a->session, &stats), DT_ERROR_INVALID_HANDLE);
  a->session = nullptr;
}
