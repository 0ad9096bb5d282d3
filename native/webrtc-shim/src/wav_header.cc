#include "wav_header.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "errors.h"

namespace dt {
namespace {
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatExtensible = 0xFFFE;
// KSDATAFORMAT_SUBTYPE_PCM {00000001-0000-0010-8000-00aa00389b71}, bytes as stored in the file.
constexpr uint8_t kSubFormatPcm[16] = {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
                                       0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
// A file names its chunks; a hostile one could name millions of tiny ones before any data.
constexpr int kMaxChunks = 1000;

uint32_t Le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

[[noreturn]] void Fail(const std::string& name, const std::string& why) {
  throw Error(DT_ERROR_WAV_FILE, "WAV file '" + name + "': " + why);
}

std::string Printable(const uint8_t* id) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += (id[i] >= 0x20 && id[i] < 0x7F) ? static_cast<char>(id[i]) : '?';
  return s;
}

void CheckFormat(const uint8_t* fmt, uint32_t size, WavFormat& format, const std::string& name) {
  uint16_t tag = Le16(fmt);
  format.channels = Le16(fmt + 2);
  format.sample_rate_hz = Le32(fmt + 4);
  uint16_t block_align = Le16(fmt + 12);
  format.bits_per_sample = Le16(fmt + 14);
  if (tag == kFormatExtensible) {
    // WAVEFORMATEXTENSIBLE: cbSize (22), valid bits, channel mask, sub-format GUID.
    if (size < 40 || Le16(fmt + 16) < 22) Fail(name, "WAVE_FORMAT_EXTENSIBLE with a truncated fmt chunk");
    if (std::memcmp(fmt + 24, kSubFormatPcm, 16) != 0) {
      Fail(name, "WAVE_FORMAT_EXTENSIBLE with a sub-format other than PCM (format tag " + std::to_string(Le16(fmt + 24)) +
                     "); only 16-bit PCM is supported");
    }
    uint16_t valid_bits = Le16(fmt + 18);
    if (valid_bits != 16 || format.bits_per_sample != 16) {
      Fail(name, "WAVE_FORMAT_EXTENSIBLE PCM with " + std::to_string(valid_bits) + " valid bits in " +
                     std::to_string(format.bits_per_sample) + "-bit samples; only 16-bit PCM is supported");
    }
  } else if (tag != kFormatPcm) {
    Fail(name, "not PCM (format tag " + std::to_string(tag) + "); only 16-bit PCM is supported");
  }
  if (format.bits_per_sample != 16) Fail(name, std::to_string(format.bits_per_sample) + "-bit samples, 16 needed");
  if (format.channels < 1 || format.channels > 2) {
    Fail(name, std::to_string(format.channels) + " channels; only mono or stereo is supported");
  }
  if (format.sample_rate_hz < 8000 || format.sample_rate_hz > 48000 || format.sample_rate_hz % 100 != 0) {
    Fail(name, "unsupported sample rate " + std::to_string(format.sample_rate_hz) + " Hz (8000-48000, a multiple of 100)");
  }
  if (block_align != format.channels * 2) {
    Fail(name, "block alignment " + std::to_string(block_align) + " does not match " + std::to_string(format.channels) +
                   " channels of 16-bit samples");
  }
}
}  // namespace

WavFormat ParseWavHeader(const WavByteReader& read, uint64_t total_size, const std::string& name) {
  uint8_t riff[12];
  if (read(0, riff, 12) != 12 || std::memcmp(riff, "RIFF", 4) != 0 || std::memcmp(riff + 8, "WAVE", 4) != 0) {
    Fail(name, "not a RIFF/WAVE file");
  }
  WavFormat format;
  bool have_format = false;
  uint64_t offset = 12;
  for (int chunks = 0;; ++chunks) {
    if (chunks == kMaxChunks) Fail(name, "no data chunk within the first " + std::to_string(kMaxChunks) + " chunks");
    uint8_t chunk[8];
    if (read(offset, chunk, 8) != 8) Fail(name, have_format ? "no data chunk" : "no fmt chunk");
    const uint32_t size = Le32(chunk + 4);
    const uint64_t body = offset + 8;
    const uint64_t available = total_size > body ? total_size - body : 0;
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (have_format) Fail(name, "two fmt chunks");
      if (size < 16 || size > available) Fail(name, "truncated fmt chunk");
      uint8_t fmt[40] = {};
      const size_t wanted = size < sizeof fmt ? size : sizeof fmt;
      if (read(body, fmt, wanted) != wanted) Fail(name, "truncated fmt chunk");
      CheckFormat(fmt, size, format, name);
      have_format = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_format) Fail(name, "data chunk before the fmt chunk");
      if (size > available) {
        Fail(name, "the data chunk claims " + std::to_string(size) + " bytes but only " + std::to_string(available) +
                       " follow (truncated file or a lying size field)");
      }
      const uint32_t frame = format.channels * 2u;
      format.data_offset = body;
      format.data_bytes = size - size % frame;  // a torn last frame is not played
      if (format.data_bytes == 0) Fail(name, "no samples (empty data chunk)");
      return format;
    } else if (size > available) {
      Fail(name, "chunk '" + Printable(chunk) + "' claims " + std::to_string(size) + " bytes but only " +
                     std::to_string(available) + " follow");
    }
    offset = body + size + (size & 1);  // chunks are padded to an even length
  }
}

WavFormat ReadPcm16WavHeader(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) Fail(path, std::string("cannot open: ") + std::strerror(errno));
  if (std::fseek(file.get(), 0, SEEK_END) != 0) Fail(path, "cannot seek");
  const long end = std::ftell(file.get());
  if (end < 0) Fail(path, "cannot tell its size");
  auto read = [&](uint64_t offset, uint8_t* out, size_t size) -> size_t {
    if (std::fseek(file.get(), static_cast<long>(offset), SEEK_SET) != 0) return 0;
    return std::fread(out, 1, size, file.get());
  };
  return ParseWavHeader(read, static_cast<uint64_t>(end), path);
}

void CheckWritable(const std::string& path) {
  File file(std::fopen(path.c_str(), "wb"));
  if (!file) Fail(path, std::string("cannot create: ") + std::strerror(errno));
}

namespace {
// Reads the validated data chunk in 10 ms frames. The file is opened once; should it shrink
// while playing, the missing samples are silence and a non-looping capture ends.
class WavCapturer final : public webrtc::TestAudioDeviceModule::Capturer {
 public:
  WavCapturer(File file, WavFormat format, bool loop) : file_(std::move(file)), format_(format), loop_(loop) {
    Rewind();
  }

  int SamplingFrequency() const override { return static_cast<int>(format_.sample_rate_hz); }
  int NumChannels() const override { return format_.channels; }

  bool Capture(rtc::BufferT<int16_t>* buffer) override {
    const size_t wanted = webrtc::TestAudioDeviceModule::SamplesPerFrame(SamplingFrequency()) * format_.channels;
    bytes_.resize(wanted * 2);
    size_t got = ReadSome(bytes_.data(), bytes_.size());
    // Looping: start over as often as a frame needs (a file may hold less than 10 ms); a file
    // that shrank to nothing ends the loop instead of spinning.
    for (int turns = 0; got < bytes_.size() && loop_ && turns < 1000; ++turns) {
      Rewind();
      const size_t more = ReadSome(bytes_.data() + got, bytes_.size() - got);
      if (more == 0) break;
      got += more;
    }
    // Always whole 10 ms frames: the last, partial one is completed with silence.
    const size_t samples = got == 0 ? 0 : wanted;
    std::memset(bytes_.data() + got, 0, bytes_.size() - got);
    buffer->SetData(samples, [&](rtc::ArrayView<int16_t> out) {
      for (size_t i = 0; i < samples; ++i) out[i] = static_cast<int16_t>(Le16(bytes_.data() + 2 * i));
      return samples;
    });
    return buffer->size() > 0;
  }

 private:
  void Rewind() {
    remaining_ = format_.data_bytes;
    std::fseek(file_.get(), static_cast<long>(format_.data_offset), SEEK_SET);
  }

  size_t ReadSome(uint8_t* out, size_t size) {
    const size_t n = size < remaining_ ? size : static_cast<size_t>(remaining_);
    const size_t got = n == 0 ? 0 : std::fread(out, 1, n, file_.get());
    remaining_ -= got;
    if (got < n) remaining_ = 0;  // the file shrank: end here
    return got - got % 2;
  }

  File file_;
  WavFormat format_;
  bool loop_;
  uint64_t remaining_ = 0;
  std::vector<uint8_t> bytes_;
};
}  // namespace

std::unique_ptr<webrtc::TestAudioDeviceModule::Capturer> CreateWavCapturer(const std::string& path, bool loop) {
  WavFormat format = ReadPcm16WavHeader(path);
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) Fail(path, std::string("cannot open: ") + std::strerror(errno));
  return std::make_unique<WavCapturer>(std::move(file), format, loop);
}

}  // namespace dt

extern "C" DT_API int32_t dt_wav_check(const uint8_t* data, size_t size, uint32_t* out_sample_rate_hz,
                                      uint32_t* out_channels) {
  return dt::Guard(__func__, [&] {
    if (data == nullptr && size > 0) throw dt::Error(DT_ERROR_INVALID_ARGUMENT, "data is NULL");
    auto read = [&](uint64_t offset, uint8_t* out, size_t wanted) -> size_t {
      if (offset >= size) return 0;
      const size_t n = wanted < size - offset ? wanted : static_cast<size_t>(size - offset);
      std::memcpy(out, data + offset, n);
      return n;
    };
    const dt::WavFormat format = dt::ParseWavHeader(read, size, "(memory)");
    if (out_sample_rate_hz != nullptr) *out_sample_rate_hz = format.sample_rate_hz;
    if (out_channels != nullptr) *out_channels = format.channels;
    return DT_OK;
  });
}
