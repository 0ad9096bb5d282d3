#include "tone.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace dt_test {

void ToneGenerator::Fill(int16_t* out, size_t count) {
  const double step = 2 * M_PI * frequency_hz_ / rate_;
  for (size_t i = 0; i < count; ++i) {
    out[i] = static_cast<int16_t>(amplitude_ * std::sin(phase_));
    phase_ += step;
    if (phase_ > 2 * M_PI) phase_ -= 2 * M_PI;
  }
}

double ToneAmplitude(const int16_t* samples, size_t count, double frequency_hz, int sample_rate_hz) {
  if (count == 0) return 0;
  const double w = 2 * M_PI * frequency_hz / sample_rate_hz;
  const double coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < count; ++i) {
    double s0 = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 2 * std::sqrt(std::max(power, 0.0)) / count;
}

double Rms(const int16_t* samples, size_t count) {
  if (count == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < count; ++i) sum += double(samples[i]) * samples[i];
  return std::sqrt(sum / count);
}

bool ToneDominates(const int16_t* samples, size_t count, double frequency_hz, int sample_rate_hz, double min_amplitude,
                   const std::vector<double>& others, double ratio) {
  double target = ToneAmplitude(samples, count, frequency_hz, sample_rate_hz);
  if (target < min_amplitude) return false;
  for (double other : others) {
    if (target < ratio * ToneAmplitude(samples, count, other, sample_rate_hz)) return false;
  }
  return true;
}

namespace {
void Put32(std::FILE* f, uint32_t v) {
  unsigned char b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
  std::fwrite(b, 1, 4, f);
}
void Put16(std::FILE* f, uint16_t v) {
  unsigned char b[2] = {uint8_t(v), uint8_t(v >> 8)};
  std::fwrite(b, 1, 2, f);
}
uint32_t Get32(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint16_t Get16(const unsigned char* p) { return uint16_t(p[0] | (p[1] << 8)); }
}  // namespace

void WriteWav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate_hz, int channels) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  uint32_t data_bytes = static_cast<uint32_t>(samples.size() * 2);
  std::fwrite("RIFF", 1, 4, f);
  Put32(f, 36 + data_bytes);
  std::fwrite("WAVEfmt ", 1, 8, f);
  Put32(f, 16);
  Put16(f, 1);
  Put16(f, static_cast<uint16_t>(channels));
  Put32(f, static_cast<uint32_t>(sample_rate_hz));
  Put32(f, static_cast<uint32_t>(sample_rate_hz * channels * 2));
  Put16(f, static_cast<uint16_t>(channels * 2));
  Put16(f, 16);
  std::fwrite("data", 1, 4, f);
  Put32(f, data_bytes);
  for (int16_t s : samples) Put16(f, static_cast<uint16_t>(s));
  std::fclose(f);
}

std::vector<int16_t> ReadWav(const std::string& path, int* sample_rate_hz, int* channels) {
  std::vector<int16_t> samples;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return samples;
  unsigned char header[12];
  if (std::fread(header, 1, 12, f) != 12 || std::memcmp(header, "RIFF", 4) || std::memcmp(header + 8, "WAVE", 4)) {
    std::fclose(f);
    return samples;
  }
  for (;;) {
    unsigned char chunk[8];
    if (std::fread(chunk, 1, 8, f) != 8) break;
    uint32_t size = Get32(chunk + 4);
    if (!std::memcmp(chunk, "fmt ", 4)) {
      std::vector<unsigned char> fmt(size);
      if (std::fread(fmt.data(), 1, size, f) != size || size < 16) break;
      *channels = Get16(&fmt[2]);
      *sample_rate_hz = static_cast<int>(Get32(&fmt[4]));
    } else if (!std::memcmp(chunk, "data", 4)) {
      std::vector<unsigned char> data(size);
      size_t got = std::fread(data.data(), 1, size, f);
      for (size_t i = 0; i + 1 < got; i += 2) samples.push_back(static_cast<int16_t>(Get16(&data[i])));
      break;
    } else {
      std::fseek(f, size + (size & 1), SEEK_CUR);
    }
  }
  std::fclose(f);
  return samples;
}

}  // namespace dt_test
