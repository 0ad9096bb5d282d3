// Test-side audio: sine generation, Goertzel tone detection and a tiny WAV writer/reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dt_test {

// A phase-continuous sine generator (mono 16-bit).
class ToneGenerator {
 public:
  ToneGenerator(double frequency_hz, int sample_rate_hz, int16_t amplitude)
      : frequency_hz_(frequency_hz), rate_(sample_rate_hz), amplitude_(amplitude) {}
  void Fill(int16_t* out, size_t count);

 private:
  double frequency_hz_;
  int rate_;
  int16_t amplitude_;
  double phase_ = 0;
};

// Amplitude of the `frequency_hz` component of `samples` (Goertzel), in sample units: a pure
// sine of amplitude A gives about A.
double ToneAmplitude(const int16_t* samples, size_t count, double frequency_hz, int sample_rate_hz);

// RMS of the samples.
double Rms(const int16_t* samples, size_t count);

// True when `frequency_hz` dominates: its amplitude is at least `min_amplitude` and at least
// `ratio` times the amplitude at every frequency in `others`.
bool ToneDominates(const int16_t* samples, size_t count, double frequency_hz, int sample_rate_hz,
                   double min_amplitude, const std::vector<double>& others, double ratio);

void WriteWav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate_hz, int channels);
// Reads a 16-bit PCM WAV written by libwebrtc's WavWriter (or WriteWav); empty on failure.
std::vector<int16_t> ReadWav(const std::string& path, int* sample_rate_hz, int* channels);

}  // namespace dt_test
