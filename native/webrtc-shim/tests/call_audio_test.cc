// Per-call audio through the C ABI: calls on one DT_AUDIO_DEVICE_PER_CALL factory, each with its own
// source and sink. Every call carries its own tone both ways; each sink hears its peer's tone and
// none of the others (no cross-talk through the shared mixer or threads), at 8, 16 and 48 kHz.
#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include "call_audio_end.h"
#include "loopback_call.h"
#include "temp_path.h"
#include "tone.h"

using namespace dt_test;

namespace {

dt_factory_options PerCallOptions() {
  dt_factory_options options{};
  options.struct_size = sizeof(options);
  options.audio_device = static_cast<dt_audio_device_kind>(DT_AUDIO_DEVICE_PER_CALL);
  return options;
}

dt_call_audio_source_options SourceOptions(uint32_t rate) {
  dt_call_audio_source_options o{};
  o.struct_size = sizeof(o);
  o.sample_rate_hz = rate;
  return o;
}

// One end of a call sending its own tone.
struct End : CallAudioEnd {
  End(dt_factory* factory, uint32_t rate, double tone_hz)
      : CallAudioEnd(factory, rate, [tone = ToneGenerator(tone_hz, static_cast<int>(rate), 6000)](int16_t* frame, size_t n) mutable {
          tone.Fill(frame, n);
        }) {}
};

// The last second of what `e` heard: `expected` dominates, every other call's tone is absent.
void ExpectHears(const End& e, double expected, const std::vector<double>& others, const char* who) {
  const size_t window = e.rate;  // 1 s
  ASSERT_GE(e.heard.size(), window) << who << ": heard only " << e.heard.size() << " samples";
  const int16_t* last = e.heard.data() + e.heard.size() - window;
  double amplitude = ToneAmplitude(last, window, expected, static_cast<int>(e.rate));
  EXPECT_GT(amplitude, 1500) << who << " does not hear its peer's " << expected << " Hz";
  for (double f : others) {
    double other = ToneAmplitude(last, window, f, static_cast<int>(e.rate));
    EXPECT_LT(other * 20, amplitude) << who << " hears " << f << " Hz (cross-talk): " << other << " vs " << amplitude;
  }
}

bool Connect(End& offerer, End& answerer) {
  std::string error;
  if (!Negotiate(offerer.peer, answerer.peer, true, &error)) {
    ADD_FAILURE() << error;
    return false;
  }
  return WaitConnected(offerer.peer, answerer.peer, 15000);
}

void TwoCallsNoCrossTalk(uint32_t rate) {
  dt_factory* factory = nullptr;
  auto options = PerCallOptions();
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  {
    End a1(factory, rate, 440), b1(factory, rate, 660), a2(factory, rate, 880), b2(factory, rate, 1100);
    for (End* e : {&a1, &b1, &a2, &b2}) ASSERT_EQ(e->result, DT_OK) << LastError();
    ASSERT_TRUE(Connect(a1, b1));
    ASSERT_TRUE(Connect(a2, b2));
    for (End* e : {&a1, &b1, &a2, &b2}) ASSERT_TRUE(e->CreateSink()) << LastError();
    PumpCallAudio({&a1, &b1, &a2, &b2}, 2500);
    ExpectHears(a1, 660, {440, 880, 1100}, "call 1 offerer");
    ExpectHears(b1, 440, {660, 880, 1100}, "call 1 answerer");
    ExpectHears(a2, 1100, {440, 660, 880}, "call 2 offerer");
    ExpectHears(b2, 880, {440, 660, 1100}, "call 2 answerer");

    dt_call_audio_source_statistics s{};
    s.struct_size = sizeof(s);
    // The source's clock sends a frame every 10 ms whether or not audio was pushed; on a loaded
    // machine (or under ASan) it may lag the pump, so wait for it rather than sample once.
    EXPECT_TRUE(Eventually([&] {
      return dt_call_audio_source_get_statistics(a1.source, &s) == DT_OK && s.frames_sent > 200u;
    }, 10000)) << "frames sent: " << s.frames_sent;
    EXPECT_EQ(s.dropped_samples, 0u);
    dt_call_audio_sink_statistics k{};
    k.struct_size = sizeof(k);
    ASSERT_EQ(dt_call_audio_sink_get_statistics(a1.sink, &k), DT_OK);
    EXPECT_GT(k.received_samples, rate);  // more than a second of audio at the sink's rate
  }
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

}  // namespace

TEST(CallAudio, TwoCallsOnOneFactoryEachCarryTheirOwnTonesBothWays48k) { TwoCallsNoCrossTalk(48000); }
TEST(CallAudio, TwoCallsOnOneFactoryEachCarryTheirOwnTonesBothWays16k) { TwoCallsNoCrossTalk(16000); }
TEST(CallAudio, TwoCallsOnOneFactoryEachCarryTheirOwnTonesBothWays8k) { TwoCallsNoCrossTalk(8000); }

TEST(CallAudio, WavSourceIsRecordedByAWavSinkAtTheOtherEnd) {
  dt_factory* factory = nullptr;
  auto options = PerCallOptions();
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  std::string prompt = TempPath("prompt.wav"), recording = TempPath("recording.wav");
  std::vector<int16_t> samples(16000);  // 1 s of 750 Hz at 16 kHz, looped
  ToneGenerator(750, 16000, 7000).Fill(samples.data(), samples.size());
  WriteWav(prompt, samples, 16000, 1);
  {
    End a(factory, 16000, 0), b(factory, 16000, 0);
    ASSERT_EQ(a.result, DT_OK) << LastError();
    ASSERT_EQ(b.result, DT_OK) << LastError();
    ASSERT_TRUE(Connect(a, b));
    ASSERT_EQ(dt_call_audio_source_play_wav(a.source, prompt.c_str(), true), DT_OK) << LastError();
    dt_call_audio_sink_options o{};
    o.struct_size = sizeof(o);
    o.sample_rate_hz = 8000;
    o.wav_output_path = recording.c_str();
    ASSERT_EQ(dt_transceiver_create_call_audio_sink(b.peer.audio, &o, &b.sink), DT_OK) << LastError();
    int16_t buffer[16];
    size_t got = 0;
    EXPECT_EQ(dt_call_audio_sink_read(b.sink, buffer, 16, &got), DT_ERROR_INVALID_STATE) << "a recording sink is not read";

    dt_call_audio_sink_statistics k{};
    k.struct_size = sizeof(k);
    ASSERT_TRUE(Eventually([&] { return dt_call_audio_sink_get_statistics(b.sink, &k) == DT_OK && k.written_samples >= 8000 * 3; }, 20000))
        << "written " << k.written_samples;
    dt_call_audio_source_statistics s{};
    s.struct_size = sizeof(s);
    ASSERT_EQ(dt_call_audio_source_get_statistics(a.source, &s), DT_OK);
    EXPECT_TRUE(s.playing_wav);
    EXPECT_FALSE(s.wav_finished);
    ASSERT_EQ(dt_call_audio_sink_release(b.sink), DT_OK);
    b.sink = nullptr;
  }
  int rate = 0, channels = 0;
  std::vector<int16_t> recorded = ReadWav(recording, &rate, &channels);
  EXPECT_EQ(rate, 8000);
  EXPECT_EQ(channels, 1);
  ASSERT_GE(recorded.size(), 24000u);
  // The recording starts with the sink, before the first decoded frame, and a loaded machine can
  // leave gaps: look for the prompt in the best half-second of the three recorded seconds.
  double amplitude = 0, other = 0;
  for (size_t start = 0; start + 4000 <= recorded.size(); start += 800) {
    double a = ToneAmplitude(recorded.data() + start, 4000, 750, 8000);
    if (a > amplitude) {
      amplitude = a;
      other = ToneAmplitude(recorded.data() + start, 4000, 1000, 8000);
    }
  }
  EXPECT_GT(amplitude, 1500) << "the prompt's 750 Hz is not in the recording";
  EXPECT_LT(other * 20, amplitude);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
  std::remove(prompt.c_str());
  std::remove(recording.c_str());
}

TEST(CallAudio, ANonLoopingWavFinishesAndTheSourceGoesBackToPushedAudio) {
  dt_factory* factory = nullptr;
  auto options = PerCallOptions();
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  std::string prompt = TempPath("short.wav");
  WriteWav(prompt, std::vector<int16_t>(4800, 1000), 48000, 1);  // 100 ms
  {
    Peer p(factory);
    dt_call_audio_source* source = nullptr;
    ASSERT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, nullptr, &p.audio, &source), DT_OK) << LastError();
    ASSERT_EQ(dt_call_audio_source_play_wav(source, prompt.c_str(), false), DT_OK) << LastError();
    dt_call_audio_source_statistics s{};
    s.struct_size = sizeof(s);
    ASSERT_TRUE(Eventually([&] { return dt_call_audio_source_get_statistics(source, &s) == DT_OK && s.wav_finished; }, 5000));
    EXPECT_FALSE(s.playing_wav);
    int16_t pcm[480] = {};
    ASSERT_EQ(dt_call_audio_source_push(source, pcm, 480, 48000), DT_OK);
    ASSERT_EQ(dt_call_audio_source_get_statistics(source, &s), DT_OK);
    EXPECT_FALSE(s.playing_wav);
    EXPECT_TRUE(s.wav_finished) << "it still reports how the last WAV ended";
    EXPECT_GT(s.buffered_samples + s.frames_sent, 0u);
    EXPECT_EQ(dt_call_audio_source_release(source), DT_OK);
  }
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
  std::remove(prompt.c_str());
}

TEST(CallAudio, NoDeviceModeNeedsNoSoundServerAndRunsTheClock) {
  // No PULSE_SERVER, no sound card: a PER_CALL factory still creates, connects and carries audio
  // (the tests above); here: its clock runs on an absolute schedule and stops with its last member.
  dt_factory* factory = nullptr;
  auto options = PerCallOptions();
  setenv("PULSE_SERVER", "unix:/nonexistent/pulse", 1);
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  unsetenv("PULSE_SERVER");
  dt_call_audio_clock_statistics before{};
  before.struct_size = sizeof(before);
  ASSERT_EQ(dt_call_audio_clock_get_statistics(&before), DT_OK);
  {
    Peer p(factory);
    dt_call_audio_source* source = nullptr;
    ASSERT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, nullptr, &p.audio, &source), DT_OK) << LastError();
    dt_call_audio_clock_statistics during{};
    during.struct_size = sizeof(during);
    ASSERT_TRUE(Eventually([&] { return dt_call_audio_clock_get_statistics(&during) == DT_OK && during.ticks >= before.ticks + 50; }, 5000));
    EXPECT_GE(during.members, 1u);
    EXPECT_LE(during.lateness_p50_ms, during.lateness_p99_ms);
    EXPECT_LE(during.lateness_p99_ms, during.lateness_max_ms + 0.1);
    EXPECT_EQ(dt_call_audio_source_release(source), DT_OK);
  }
  dt_call_audio_clock_statistics after{};
  after.struct_size = sizeof(after);
  ASSERT_EQ(dt_call_audio_clock_get_statistics(&after), DT_OK);
  EXPECT_EQ(after.members, 0u);
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

TEST(CallAudio, BadInputIsAClearErrorNeverACrash) {
  // A per-call source on a device factory would be mixed with device audio: refused.
  Peer device(VirtualDeviceOptions());
  dt_transceiver* t = nullptr;
  dt_call_audio_source* source = nullptr;
  EXPECT_EQ(dt_peer_connection_add_call_audio_track(device.pc, nullptr, nullptr, &t, &source), DT_ERROR_INVALID_STATE);
  EXPECT_NE(LastError().find("DT_AUDIO_DEVICE_PER_CALL"), std::string::npos) << LastError();
  EXPECT_EQ(source, nullptr);
  // ... but a sink works on any factory (a softphone records a call).
  ASSERT_TRUE(device.AddAudio());
  dt_call_audio_sink* sink = nullptr;
  ASSERT_EQ(dt_transceiver_create_call_audio_sink(device.audio, nullptr, &sink), DT_OK) << LastError();
  EXPECT_EQ(dt_call_audio_sink_release(sink), DT_OK);
  EXPECT_EQ(dt_call_audio_sink_release(sink), DT_ERROR_INVALID_HANDLE);

  dt_factory* factory = nullptr;
  auto options = PerCallOptions();
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  {
    Peer p(factory);
    auto o = SourceOptions(44100);
    EXPECT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, &o, &t, &source), DT_ERROR_INVALID_ARGUMENT);
    o = SourceOptions(16000);
    o.buffer_ms = 5;
    EXPECT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, &o, &t, &source), DT_ERROR_INVALID_ARGUMENT);
    o = SourceOptions(16000);
    EXPECT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, &o, nullptr, &source), DT_ERROR_INVALID_ARGUMENT);
    ASSERT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, &o, &t, &source), DT_OK) << LastError();
    int16_t pcm[160] = {};
    EXPECT_EQ(dt_call_audio_source_push(source, pcm, 160, 8000), DT_ERROR_AUDIO_FORMAT);
    EXPECT_EQ(dt_call_audio_source_push(source, nullptr, 160, 16000), DT_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(dt_call_audio_source_push(source, pcm, 160, 16000), DT_OK);
    EXPECT_EQ(dt_call_audio_source_play_wav(source, "/nonexistent/prompt.wav", false), DT_ERROR_WAV_FILE);
    std::string not_wav = TempPath("not.wav");
    FILE* f = std::fopen(not_wav.c_str(), "wb");
    std::fputs("this is not a RIFF file at all", f);
    std::fclose(f);
    EXPECT_EQ(dt_call_audio_source_play_wav(source, not_wav.c_str(), true), DT_ERROR_WAV_FILE);
    std::remove(not_wav.c_str());
    EXPECT_EQ(dt_call_audio_source_play_wav(source, nullptr, true), DT_ERROR_INVALID_ARGUMENT);

    dt_call_audio_sink_options so{};
    so.struct_size = sizeof(so);
    so.sample_rate_hz = 22050;
    EXPECT_EQ(dt_transceiver_create_call_audio_sink(t, &so, &sink), DT_ERROR_INVALID_ARGUMENT);
    so.sample_rate_hz = 8000;
    so.wav_output_path = "/nonexistent/dir/out.wav";
    EXPECT_EQ(dt_transceiver_create_call_audio_sink(t, &so, &sink), DT_ERROR_WAV_FILE);
    EXPECT_EQ(dt_transceiver_create_call_audio_sink(t, &so, nullptr), DT_ERROR_INVALID_ARGUMENT);

    // Forged and mixed-up handles.
    EXPECT_EQ(dt_call_audio_source_push(reinterpret_cast<dt_call_audio_source*>(sink), pcm, 160, 16000), DT_ERROR_INVALID_HANDLE);
    EXPECT_EQ(dt_call_audio_sink_read(reinterpret_cast<dt_call_audio_sink*>(source), pcm, 160, nullptr), DT_ERROR_INVALID_ARGUMENT);
    size_t got = 0;
    EXPECT_EQ(dt_call_audio_sink_read(reinterpret_cast<dt_call_audio_sink*>(source), pcm, 160, &got), DT_ERROR_INVALID_HANDLE);
    EXPECT_EQ(dt_call_audio_source_release(source), DT_OK);
    EXPECT_EQ(dt_call_audio_source_release(source), DT_ERROR_INVALID_HANDLE);
    EXPECT_EQ(dt_call_audio_source_push(source, pcm, 160, 16000), DT_ERROR_INVALID_HANDLE);
  }
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
}

TEST(CallAudio, SourcesAndSinksMayOutliveTheirPeerConnectionAndFactory) {
  dt_factory* factory = nullptr;
  auto options = PerCallOptions();
  ASSERT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
  dt_call_audio_source* source = nullptr;
  dt_call_audio_sink* sink = nullptr;
  {
    Peer p(factory);
    ASSERT_EQ(dt_peer_connection_add_call_audio_track(p.pc, nullptr, nullptr, &p.audio, &source), DT_OK) << LastError();
    ASSERT_EQ(dt_transceiver_create_call_audio_sink(p.audio, nullptr, &sink), DT_OK) << LastError();
  }  // the peer connection is released
  EXPECT_EQ(dt_factory_release(factory), DT_OK);
  int16_t pcm[480] = {};
  EXPECT_EQ(dt_call_audio_source_push(source, pcm, 480, 48000), DT_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(dt_call_audio_source_release(source), DT_OK);
  EXPECT_EQ(dt_call_audio_sink_release(sink), DT_OK);
}
