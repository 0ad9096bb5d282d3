// Two peer connections in one process, each with its own factory and virtual audio device,
// connect over local ICE host candidates and carry a different tone each way through Opus.
#include <gtest/gtest.h>

#include <regex>

#include "loopback_call.h"
#include "tone.h"

using namespace dt_test;

namespace {
constexpr double kToneAtoB = 1000;
constexpr double kToneBtoA = 1600;

// Stats values as numbers from the JSON report, for the stats object of `type` whose `kind` (if any) is audio.
std::vector<double> StatValues(const std::string& json, const std::string& type, const std::string& member) {
  std::vector<double> values;
  // Each stats object is a flat JSON object: split on '}' and match within each.
  size_t start = 0;
  while (true) {
    size_t end = json.find('}', start);
    if (end == std::string::npos) break;
    std::string object = json.substr(start, end - start);
    start = end + 1;
    if (object.find("\"type\":\"" + type + "\"") == std::string::npos) continue;
    std::smatch m;
    if (std::regex_search(object, m, std::regex("\"" + member + "\":([0-9.eE+-]+)"))) values.push_back(std::stod(m[1]));
  }
  return values;
}

bool HasCodec(const std::string& json, const std::string& mime) {
  return json.find("\"mimeType\":\"" + mime + "\"") != std::string::npos;
}
}  // namespace

class AudioCall : public ::testing::Test {
 protected:
  void SetUp() override {
    a = std::make_unique<Peer>(VirtualDeviceOptions());
    b = std::make_unique<Peer>(VirtualDeviceOptions());
    ASSERT_NE(a->pc, nullptr) << LastError();
    ASSERT_NE(b->pc, nullptr) << LastError();
    ASSERT_TRUE(a->AddAudio()) << LastError();
    std::string error;
    ASSERT_TRUE(Negotiate(*a, *b, /*answerer_audio=*/true, &error, &offer, &answer)) << error;
    ASSERT_TRUE(WaitConnected(*a, *b, 15000));
  }
  void TearDown() override {
    pump_a.reset();
    pump_b.reset();
    a.reset();
    b.reset();
  }
  std::unique_ptr<Peer> a, b;
  std::unique_ptr<AudioPump> pump_a, pump_b;
  std::string offer, answer;
};

TEST_F(AudioCall, NegotiatesOpusFirstWithTheOtherCodecsAndTelephoneEvent) {
  EXPECT_NE(offer.find("opus/48000/2"), std::string::npos) << offer;
  EXPECT_NE(offer.find("G722/8000"), std::string::npos);
  EXPECT_NE(offer.find("PCMU/8000"), std::string::npos);
  EXPECT_NE(offer.find("PCMA/8000"), std::string::npos);
  EXPECT_NE(offer.find("telephone-event/48000"), std::string::npos);
  // Opus is the first payload type of the audio m-line, in the offer and in the answer.
  std::smatch m;
  for (const std::string* sdp : {&offer, &answer}) {
    ASSERT_TRUE(std::regex_search(*sdp, m, std::regex("m=audio \\d+ UDP/TLS/RTP/SAVPF (\\d+)")));
    EXPECT_NE(sdp->find("a=rtpmap:" + m[1].str() + " opus/48000/2"), std::string::npos);
  }
  EXPECT_NE(offer.find("a=candidate:"), std::string::npos) << "complete offer carries its candidates";
  EXPECT_NE(answer.find("a=fingerprint:sha-256"), std::string::npos);

  dt_signaling_state state;
  ASSERT_EQ(dt_peer_connection_get_signaling_state(a->pc, &state), DT_OK);
  EXPECT_EQ(state, DT_SIGNALING_STATE_STABLE);
  dt_ice_connection_state ice;
  ASSERT_EQ(dt_peer_connection_get_ice_connection_state(a->pc, &ice), DT_OK);
  EXPECT_TRUE(ice == DT_ICE_CONNECTION_STATE_CONNECTED || ice == DT_ICE_CONNECTION_STATE_COMPLETED);
  std::lock_guard lock(b->mutex);
  EXPECT_EQ(b->track_ids.size(), 1u) << "B saw A's track";
}

TEST_F(AudioCall, ToneCrossesEachWayAndStatsShowCodecPacketsAndRoundTripTime) {
  pump_a = std::make_unique<AudioPump>(a->factory, kToneAtoB);
  pump_b = std::make_unique<AudioPump>(b->factory, kToneBtoA);
  const std::vector<double> off_tones = {500, 2400};
  bool b_hears = Eventually([&] {
    auto heard = pump_b->Recent(500);
    return heard.size() == 24000 && ToneDominates(heard.data(), heard.size(), kToneAtoB, 48000, 1000, {kToneBtoA, 500, 2400}, 5);
  }, 10000);
  bool a_hears = Eventually([&] {
    auto heard = pump_a->Recent(500);
    return heard.size() == 24000 && ToneDominates(heard.data(), heard.size(), kToneBtoA, 48000, 1000, {kToneAtoB, 500, 2400}, 5);
  }, 10000);
  auto heard_b = pump_b->Recent(500);
  auto heard_a = pump_a->Recent(500);
  EXPECT_TRUE(b_hears) << "1 kHz at B: " << ToneAmplitude(heard_b.data(), heard_b.size(), kToneAtoB, 48000)
                       << " 1.6 kHz at B: " << ToneAmplitude(heard_b.data(), heard_b.size(), kToneBtoA, 48000)
                       << " rms " << Rms(heard_b.data(), heard_b.size());
  EXPECT_TRUE(a_hears) << "1.6 kHz at A: " << ToneAmplitude(heard_a.data(), heard_a.size(), kToneBtoA, 48000)
                       << " 1 kHz at A: " << ToneAmplitude(heard_a.data(), heard_a.size(), kToneAtoB, 48000);
  EXPECT_EQ(pump_a->errors(), 0);
  EXPECT_EQ(pump_b->errors(), 0);

  // Stats: codec, packets both ways, and the RTT that RTCP receiver reports yield (a few seconds).
  StatsResult stats;
  bool have_rtt = Eventually([&] {
    stats = {};
    if (GetStats(a->pc, &stats) != DT_OK || stats.result != DT_OK) return false;
    return !StatValues(stats.json, "remote-inbound-rtp", "roundTripTime").empty();
  }, 15000);
  ASSERT_EQ(stats.result, DT_OK) << stats.error;
  EXPECT_TRUE(HasCodec(stats.json, "audio/opus")) << stats.json;
  auto sent = StatValues(stats.json, "outbound-rtp", "packetsSent");
  auto received = StatValues(stats.json, "inbound-rtp", "packetsReceived");
  ASSERT_FALSE(sent.empty()) << stats.json;
  ASSERT_FALSE(received.empty()) << stats.json;
  EXPECT_GT(sent[0], 50);  // 20 ms packets for more than a second
  EXPECT_GT(received[0], 50);
  ASSERT_TRUE(have_rtt) << "no remote-inbound-rtp roundTripTime: " << stats.json;
  double rtt = StatValues(stats.json, "remote-inbound-rtp", "roundTripTime")[0];
  EXPECT_GE(rtt, 0.0);
  EXPECT_LT(rtt, 1.0);  // seconds, on one machine
}

TEST_F(AudioCall, MutedSideSendsSilence) {
  pump_a = std::make_unique<AudioPump>(a->factory, kToneAtoB);
  pump_b = std::make_unique<AudioPump>(b->factory, kToneBtoA);
  ASSERT_TRUE(Eventually([&] {
    auto heard = pump_b->Recent(300);
    return heard.size() == 14400 && ToneAmplitude(heard.data(), heard.size(), kToneAtoB, 48000) > 1000;
  }, 10000));
  ASSERT_EQ(dt_transceiver_set_muted(a->audio, true), DT_OK) << LastError();
  EXPECT_TRUE(Eventually([&] {
    auto heard = pump_b->Recent(300);
    return ToneAmplitude(heard.data(), heard.size(), kToneAtoB, 48000) < 100;
  }, 5000));
  ASSERT_EQ(dt_transceiver_set_muted(a->audio, false), DT_OK);
  EXPECT_TRUE(Eventually([&] {
    auto heard = pump_b->Recent(300);
    return ToneAmplitude(heard.data(), heard.size(), kToneAtoB, 48000) > 1000;
  }, 5000));
}

TEST_F(AudioCall, HoldByRenegotiatingSendOnly) {
  dt_transceiver_direction direction;
  ASSERT_EQ(dt_transceiver_get_direction(a->audio, &direction), DT_OK);
  EXPECT_EQ(direction, DT_DIRECTION_SENDRECV);
  bool has = false;
  ASSERT_EQ(dt_transceiver_get_current_direction(a->audio, &direction, &has), DT_OK);
  EXPECT_TRUE(has);
  EXPECT_EQ(direction, DT_DIRECTION_SENDRECV);
  char mid[16];
  size_t needed = 0;
  ASSERT_EQ(dt_transceiver_get_mid(a->audio, mid, sizeof(mid), &needed), DT_OK);
  EXPECT_STREQ(mid, "0");

  ASSERT_EQ(dt_transceiver_set_direction(a->audio, DT_DIRECTION_SENDONLY), DT_OK);
  EXPECT_TRUE(a->WaitFor([&] { return a->negotiation_needed > 0; }, 5000));
  std::string error, offer2, answer2;
  ASSERT_TRUE(Negotiate(*a, *b, true, &error, &offer2, &answer2)) << error;
  EXPECT_NE(offer2.find("a=sendonly"), std::string::npos);
  EXPECT_NE(answer2.find("a=recvonly"), std::string::npos);
  ASSERT_EQ(dt_transceiver_get_current_direction(a->audio, &direction, &has), DT_OK);
  EXPECT_EQ(direction, DT_DIRECTION_SENDONLY);
}

// The audio processing switches reach libwebrtc's APM, live: steady white noise into A's microphone
// is heard at B; switching noise suppression on mid-call makes B's level drop.
TEST_F(AudioCall, NoiseSuppressionSwitchedOnLiveRemovesSteadyNoise) {
  pump_a = std::make_unique<AudioPump>(a->factory, /*noise*/ -1, 1000, 4000);
  pump_b = std::make_unique<AudioPump>(b->factory, kToneBtoA, 1000, 0);
  double rms_off = 0;
  ASSERT_TRUE(Eventually([&] {
    auto heard = pump_b->Recent(500);
    rms_off = Rms(heard.data(), heard.size());
    return heard.size() == 24000 && rms_off > 1000;
  }, 10000)) << "noise not heard at B, rms " << rms_off;

  dt_audio_processing_options apm{};
  apm.struct_size = sizeof(apm);
  apm.noise_suppression = true;
  apm.noise_suppression_level = DT_NOISE_SUPPRESSION_VERY_HIGH;
  ASSERT_EQ(dt_factory_set_audio_processing(a->factory, &apm), DT_OK) << LastError();
  double rms_on = rms_off;
  EXPECT_TRUE(Eventually([&] {
    auto heard = pump_b->Recent(500);
    rms_on = Rms(heard.data(), heard.size());
    return rms_on < rms_off / 4;
  }, 8000)) << "rms before " << rms_off << ", after " << rms_on;

  apm.noise_suppression = false;  // and off again
  ASSERT_EQ(dt_factory_set_audio_processing(a->factory, &apm), DT_OK);
  EXPECT_TRUE(Eventually([&] {
    auto heard = pump_b->Recent(500);
    return Rms(heard.data(), heard.size()) > rms_off / 2;
  }, 8000));
}
