#include "wav_header.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "errors.h"

namespace dt {
namespace {
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

uint32_t Le32(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint16_t Le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

[[noreturn]] void Fail(const std::string& path, const std::string& why) {
  throw Error(DT_ERROR_WAV_FILE, "WAV file '" + path + "': " + why);
}
}  // namespace

WavFormat ReadPcm16WavHeader(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) Fail(path, std::string("cannot open: ") + std::strerror(errno));
  unsigned char riff[12];
  if (std::fread(riff, 1, 12, file.get()) != 12 || std::memcmp(riff, "RIFF", 4) != 0 ||
      std::memcmp(riff + 8, "WAVE", 4) != 0) {
    Fail(path, "not a RIFF/WAVE file");
  }
  WavFormat format;
  bool have_format = false;
  for (;;) {
    unsigned char chunk[8];
    if (std::fread(chunk, 1, 8, file.get()) != 8) Fail(path, "no data chunk");
    uint32_t size = Le32(chunk + 4);
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      unsigned char fmt[16];
      if (size < 16 || std::fread(fmt, 1, 16, file.get()) != 16) Fail(path, "truncated fmt chunk");
      uint16_t audio_format = Le16(fmt);
      format.channels = Le16(fmt + 2);
      format.sample_rate_hz = Le32(fmt + 4);
      format.bits_per_sample = Le16(fmt + 14);
      if (audio_format != 1) Fail(path, "not PCM (format tag " + std::to_string(audio_format) + ")");
      if (format.bits_per_sample != 16) Fail(path, std::to_string(format.bits_per_sample) + "-bit samples, 16 needed");
      if (format.channels < 1 || format.channels > 2) Fail(path, "only mono or stereo is supported");
      if (format.sample_rate_hz < 8000 || format.sample_rate_hz > 48000 || format.sample_rate_hz % 100 != 0) {
        Fail(path, "unsupported sample rate " + std::to_string(format.sample_rate_hz));
      }
      have_format = true;
      size -= 16;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_format) Fail(path, "data chunk before fmt chunk");
      format.data_bytes = size;
      return format;
    }
    if (std::fseek(file.get(), static_cast<long>(size + (size & 1)), SEEK_CUR) != 0) Fail(path, "truncated chunk");
  }
}

void CheckWritable(const std::string& path) {
  File file(std::fopen(path.c_str(), "wb"));
  if (!file) Fail(path, std::string("cannot create: ") + std::strerror(errno));
}

}  // namespace dt
