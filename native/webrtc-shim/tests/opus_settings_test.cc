// A factory's Opus rate and shared threads (dt_factory_options.opus_sample_rate_hz, media_threads,
// engine_threads), observed in real calls through the C ABI:
// - a 16 kHz encoder sends no audio above 8 kHz, and a 16 kHz decoder produces none, while a 1 kHz
//   tone passes both ways at the right pitch; the default (48 kHz) factory passes 10 kHz (control);
// - a 16 kHz factory declares maxplaybackrate and sprop-maxcapturerate 16000 in its Opus fmtp;
// - with shared media threads the calls carry their tones both ways and libwebrtc's per-call
//   encoder threads are gone;
// - with one engine thread (network = worker = signalling) calls carry their tones both ways, hang up
//   and release cleanly, and there is no worker or signalling thread.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <functional>
#include <string>

#include "call_audio_end.h"
#include "loopback_call.h"
#include "tone.h"

using namespace dt_test;

namespace {

constexpr uint32_t kRate = 48000;
constexpr double kLowHz = 1000, kHighHz = 10000;

dt_factory_options Options(uint32_t opus_rate, uint32_t media_threads = 0, uint32_t engine_threads = 0) {
  dt_factory_options options{};
  options.struct_size = sizeof(options);
  options.audio_device = static_cast<dt_audio_device_kind>(DT_AUDIO_DEVICE_PER_CALL);
  options.opus_sample_rate_hz = opus_rate;
  options.media_threads = media_threads;
  options.engine_threads = engine_threads;
  return options;
}

// One end of a call at 48 kHz: it sends a 1 kHz + 10 kHz mix and records what it hears.
struct End : CallAudioEnd {
  explicit End(dt_factory* factory)
      : CallAudioEnd(factory, kRate, [low = ToneGenerator(kLowHz, kRate, 5000), high = ToneGenerator(kHighHz, kRate, 5000),
                                      mix = std::vector<int16_t>(480)](int16_t* frame, size_t n) mutable {
          low.Fill(frame, n);
          high.Fill(mix.data(), n);
          for (size_t i = 0; i < n; ++i) frame[i] = static_cast<int16_t>(frame[i] + mix[i]);
        }) {}
};

struct Heard {
  double low = 0, high = 0;
};

Heard LastSecond(const End& e) {
  Heard h;
  if (e.heard.size() < kRate) return h;
  const int16_t* last = e.heard.data() + e.heard.size() - kRate;
  h.low = ToneAmplitude(last, kRate, kLowHz, kRate);
  h.high = ToneAmplitude(last, kRate, kHighHz, kRate);
  return h;
}

// A call between a peer on `offerer` and one on `answerer` carrying both ends' mixes for 2.5 s.
void Call(dt_factory* offerer, dt_factory* answerer, Heard* offerer_heard, Heard* answerer_heard) {
  End a(offerer), b(answerer);
  ASSERT_EQ(a.result, DT_OK) << LastError();
  ASSERT_EQ(b.result, DT_OK) << LastError();
  std::string error;
  ASSERT_TRUE(Negotiate(a.peer, b.peer, true, &error)) << error;
  ASSERT_TRUE(WaitConnected(a.peer, b.peer, 15000));
  ASSERT_TRUE(a.CreateSink() && b.CreateSink()) << LastError();
  PumpCallAudio({&a, &b}, 2500);
  *offerer_heard = LastSecond(a);
  *answerer_heard = LastSecond(b);
}

dt_factory* Create(const dt_factory_options& options) {
  dt_factory* factory = nullptr;
  EXPECT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  return factory;
}

// The process's threads named `name` (their /proc comm).
std::vector<pid_t> ThreadsNamed(const std::string& name) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
    std::string line;
    std::getline(comm, line);
    if (line == name) out.push_back(static_cast<pid_t>(std::stol(entry->d_name)));
  }
  closedir(dir);
  return out;
}

// The fmtp parameters of Opus in an offer made on `factory` ("" when there is no Opus fmtp line).
std::string OpusFmtpOfOffer(dt_factory* factory) {
  End e(factory);
  SdpResult offer;
  if (e.result != DT_OK || CreateOffer(e.peer.pc, &offer) != DT_OK || offer.result != DT_OK) {
    ADD_FAILURE() << "no offer: " << LastError() << offer.error;
    return "";
  }
  const std::string& sdp = offer.sdp;
  size_t opus = sdp.find(" opus/48000/2");
  size_t rtpmap = sdp.rfind("a=rtpmap:", opus);
  if (opus == std::string::npos || rtpmap == std::string::npos) return "";
  std::string pt = sdp.substr(rtpmap + 9, opus - rtpmap - 9);
  size_t fmtp = sdp.find("a=fmtp:" + pt + " ");
  if (fmtp == std::string::npos) return "";
  size_t start = fmtp + 8 + pt.size();
  return sdp.substr(start, sdp.find_first_of("\r\n", start) - start);
}

// Two calls at once on `factory`, each end hearing a second of its peer's tone; `while_up` runs before
// they are released. Pumped until every end has heard it (bounded): under ASan on a loaded machine the
// first seconds may still be starting up.
void TwoCallsCarryTheirTones(dt_factory* factory, const std::function<void()>& while_up = [] {}) {
  End a1(factory), b1(factory), a2(factory), b2(factory);
  for (End* e : {&a1, &b1, &a2, &b2}) ASSERT_EQ(e->result, DT_OK) << LastError();
  std::string error;
  ASSERT_TRUE(Negotiate(a1.peer, b1.peer, true, &error)) << error;
  ASSERT_TRUE(Negotiate(a2.peer, b2.peer, true, &error)) << error;
  ASSERT_TRUE(WaitConnected(a1.peer, b1.peer, 15000) && WaitConnected(a2.peer, b2.peer, 15000));
  for (End* e : {&a1, &b1, &a2, &b2}) ASSERT_TRUE(e->CreateSink()) << LastError();
  auto all_hear = [&] {
    for (End* e : {&a1, &b1, &a2, &b2}) {
      if (LastSecond(*e).low <= 1000) return false;
    }
    return true;
  };
  PumpCallAudio({&a1, &b1, &a2, &b2}, 2500);
  for (int i = 0; i < 15 && !all_hear(); ++i) PumpCallAudio({&a1, &b1, &a2, &b2}, 500);
  for (End* e : {&a1, &b1, &a2, &b2}) EXPECT_GT(LastSecond(*e).low, 1000) << "a call's tone did not arrive";
  while_up();
}

}  // namespace

TEST(OpusSettings, OutOfRangeValuesAreRefused) {
  dt_factory* factory = nullptr;
  auto o = Options(32000);
  EXPECT_EQ(dt_factory_create(&o, &factory), DT_ERROR_INVALID_ARGUMENT);
  o = Options(0, 65);
  EXPECT_EQ(dt_factory_create(&o, &factory), DT_ERROR_INVALID_ARGUMENT);
  o = Options(0, 0, 2);
  EXPECT_EQ(dt_factory_create(&o, &factory), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(factory, nullptr);
}

TEST(OpusSettings, DefaultFactoriesCarryTenKilohertzBothWays) {  // the control for the next test
  dt_factory* a = Create(Options(0));
  dt_factory* b = Create(Options(0));
  ASSERT_TRUE(a && b);
  Heard ah, bh;
  Call(a, b, &ah, &bh);
  for (const Heard& h : {ah, bh}) {
    EXPECT_GT(h.low, 1000);
    EXPECT_GT(h.high, h.low * 0.2) << "fullband Opus lost the 10 kHz tone: " << h.high << " vs " << h.low;
  }
  EXPECT_EQ(dt_factory_release(a), DT_OK);
  EXPECT_EQ(dt_factory_release(b), DT_OK);
}

TEST(OpusSettings, SixteenKilohertzOpusEncodesAndDecodesWideband) {
  dt_factory* full = Create(Options(0));
  dt_factory* wide = Create(Options(16000));
  ASSERT_TRUE(full && wide);
  Heard full_heard, wide_heard;
  Call(full, wide, &full_heard, &wide_heard);
  // full -> wide: a fullband stream, decoded at 16 kHz. wide -> full: encoded from 16 kHz input.
  for (const Heard& h : {full_heard, wide_heard}) {
    EXPECT_GT(h.low, 1000) << "the 1 kHz tone did not arrive (or not at its pitch)";
    EXPECT_LT(h.high * 20, h.low) << "10 kHz passed a 16 kHz Opus path: " << h.high << " vs " << h.low;
  }
  EXPECT_EQ(dt_factory_release(full), DT_OK);
  EXPECT_EQ(dt_factory_release(wide), DT_OK);
}

// RFC 7587 §6.1: a 16 kHz factory tells its peers it renders and captures no more than 16 kHz, so a
// libwebrtc or browser peer encodes wideband for it; a default factory declares nothing (48 kHz).
TEST(OpusSettings, SixteenKilohertzFactoriesDeclareTheirRateInTheOpusFmtp) {
  dt_factory* full = Create(Options(0));
  dt_factory* wide = Create(Options(16000));
  ASSERT_TRUE(full && wide);
  std::string wide_fmtp = OpusFmtpOfOffer(wide), full_fmtp = OpusFmtpOfOffer(full);
  EXPECT_NE(wide_fmtp.find("maxplaybackrate=16000"), std::string::npos) << wide_fmtp;
  EXPECT_NE(wide_fmtp.find("sprop-maxcapturerate=16000"), std::string::npos) << wide_fmtp;
  EXPECT_NE(wide_fmtp.find("useinbandfec=1"), std::string::npos) << "the stock parameters are kept: " << wide_fmtp;
  EXPECT_EQ(full_fmtp.find("maxplaybackrate"), std::string::npos) << full_fmtp;
  EXPECT_NE(full_fmtp.find("useinbandfec=1"), std::string::npos) << full_fmtp;
  EXPECT_EQ(dt_factory_release(full), DT_OK);
  EXPECT_EQ(dt_factory_release(wide), DT_OK);
}

TEST(OpusSettings, SharedMediaThreadsCarryEveryCallsTonesBothWays) {
  dt_factory* factory = Create(Options(0, 1));
  ASSERT_NE(factory, nullptr);
  TwoCallsCarryTheirTones(factory, [] {
    EXPECT_TRUE(ThreadsNamed("AudioEncoder").empty()) << "the encoders still have their own threads";
    EXPECT_EQ(ThreadsNamed("dt-media-0").size(), 1u);
  });
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
  // The shared thread ends with the factory and the last of its calls.
  EXPECT_TRUE(Eventually([] { return ThreadsNamed("dt-media-0").empty(); }, 5000));
}

TEST(OpusSettings, OneEngineThreadCarriesEveryCallsTonesBothWaysAndReleasesCleanly) {
  size_t signaling_before = ThreadsNamed("dt-signaling").size(), worker_before = ThreadsNamed("dt-worker").size();
  dt_factory* factory = Create(Options(16000, 1, 1));
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(ThreadsNamed("dt-signaling").size(), signaling_before) << "one engine thread made a signalling thread";
  EXPECT_EQ(ThreadsNamed("dt-worker").size(), worker_before) << "one engine thread made a worker thread";
  // Calls set up and released one after another on the one thread.
  TwoCallsCarryTheirTones(factory);
  TwoCallsCarryTheirTones(factory);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}
