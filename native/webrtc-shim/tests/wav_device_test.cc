// The WAV file device: each side plays a tone file as its microphone and records its speaker; the
// recording holds the other side's tone.
#include <gtest/gtest.h>

#include <thread>

#include "loopback_call.h"
#include "temp_path.h"
#include "tone.h"

using namespace dt_test;

namespace {
std::string MakeToneWav(const std::string& name, double hz) {
  std::string path = TempPath(name);
  std::vector<int16_t> samples(48000 * 2);  // 2 s, looped by the device
  ToneGenerator(hz, 48000, 8000).Fill(samples.data(), samples.size());
  WriteWav(path, samples, 48000, 1);
  return path;
}

dt_factory_options WavOptions(const std::string& in, const std::string& out) {
  dt_factory_options options = VirtualDeviceOptions();
  options.audio_device = DT_AUDIO_DEVICE_WAV_FILE;
  options.wav_input_path = in.c_str();
  options.wav_loop_input = true;
  options.wav_output_path = out.c_str();
  return options;
}

// The best 500 ms window of the recording for `hz`, compared with `other_hz`.
bool RecordingHoldsTone(const std::vector<int16_t>& recorded, double hz, double other_hz, std::string* detail) {
  const size_t window = 24000;
  double best = 0, best_other = 0;
  for (size_t start = 0; start + window <= recorded.size(); start += 4800) {
    double amplitude = ToneAmplitude(recorded.data() + start, window, hz, 48000);
    if (amplitude > best) {
      best = amplitude;
      best_other = ToneAmplitude(recorded.data() + start, window, other_hz, 48000);
    }
  }
  *detail = "samples " + std::to_string(recorded.size()) + ", best amplitude " + std::to_string(best) + " vs " +
            std::to_string(best_other);
  return best > 1000 && best > 5 * best_other;
}
}  // namespace

TEST(WavDevice, RecordingContainsTheOtherSidesTone) {
  std::string a_in = MakeToneWav("dt-a-in.wav", 1000), b_in = MakeToneWav("dt-b-in.wav", 1600);
  std::string a_out = TempPath("dt-a-out.wav"), b_out = TempPath("dt-b-out.wav");
  std::remove(a_out.c_str());
  std::remove(b_out.c_str());
  {
    Peer a(WavOptions(a_in, a_out));
    Peer b(WavOptions(b_in, b_out));
    ASSERT_NE(a.pc, nullptr) << LastError();
    ASSERT_NE(b.pc, nullptr) << LastError();
    ASSERT_TRUE(a.AddAudio());
    std::string error;
    ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
    ASSERT_TRUE(WaitConnected(a, b, 15000));
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }  // releasing the factories closes the devices, which completes the WAV headers

  int rate = 0, channels = 0;
  auto at_b = ReadWav(b_out, &rate, &channels);
  EXPECT_EQ(rate, 48000);
  EXPECT_EQ(channels, 1);
  std::string detail;
  EXPECT_TRUE(RecordingHoldsTone(at_b, 1000, 1600, &detail)) << "B's recording: " << detail;
  auto at_a = ReadWav(a_out, &rate, &channels);
  EXPECT_TRUE(RecordingHoldsTone(at_a, 1600, 1000, &detail)) << "A's recording: " << detail;
}
