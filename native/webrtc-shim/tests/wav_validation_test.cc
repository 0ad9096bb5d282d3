// Hostile WAV input through the C ABI: every file the WAV device is given, and every byte string
// dt_wav_check is given, is answered with DT_OK or DT_ERROR_WAV_FILE and a reason — never a
// process abort inside libwebrtc's WavReader (RTC_CHECK), which the device no longer uses.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "loopback_call.h"
#include "temp_path.h"
#include "tone.h"

using namespace dt_test;

namespace {
void Put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(v & 0xFF);
  b.push_back(v >> 8);
}
void Put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back((v >> (8 * i)) & 0xFF);
}
// Byte by byte: GCC 12 warns (-Wstringop-overflow, a false positive) on vector::insert of the 4 bytes.
void PutId(std::vector<uint8_t>& b, const char* id) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(id[i]));
}

const uint8_t kPcmGuid[16] = {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
const uint8_t kFloatGuid[16] = {0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

struct WavSpec {
  bool extensible = false;
  const uint8_t* sub_format = kPcmGuid;
  uint16_t bits = 16;
  uint16_t valid_bits = 16;
  uint16_t channels = 1;
  uint32_t rate = 48000;
  uint32_t declared_data = 0;  // 0: the real size
  bool list_chunk = true;       // an odd-sized chunk before fmt, as many editors write
};

std::vector<uint8_t> MakeWav(const WavSpec& spec, const std::vector<int16_t>& samples) {
  std::vector<uint8_t> b;
  PutId(b, "RIFF");
  Put32(b, 0);  // patched below
  PutId(b, "WAVE");
  if (spec.list_chunk) {
    PutId(b, "LIST");
    Put32(b, 5);
    b.insert(b.end(), {'I', 'N', 'F', 'O', 'x', 0});  // 5 bytes + pad
  }
  PutId(b, "fmt ");
  Put32(b, spec.extensible ? 40 : 16);
  Put16(b, spec.extensible ? 0xFFFE : 1);
  Put16(b, spec.channels);
  Put32(b, spec.rate);
  Put32(b, spec.rate * spec.channels * spec.bits / 8);
  Put16(b, spec.channels * spec.bits / 8);
  Put16(b, spec.bits);
  if (spec.extensible) {
    Put16(b, 22);
    Put16(b, spec.valid_bits);
    Put32(b, spec.channels == 1 ? 0x4 : 0x3);
    b.insert(b.end(), spec.sub_format, spec.sub_format + 16);
  }
  PutId(b, "data");
  Put32(b, spec.declared_data != 0 ? spec.declared_data : static_cast<uint32_t>(samples.size() * 2));
  for (int16_t s : samples) Put16(b, static_cast<uint16_t>(s));
  const uint32_t riff = static_cast<uint32_t>(b.size() - 8);
  std::memcpy(b.data() + 4, &riff, 4);
  return b;
}

std::vector<int16_t> Tone(double hz, size_t n) {
  std::vector<int16_t> samples(n);
  ToneGenerator(hz, 48000, 8000).Fill(samples.data(), samples.size());
  return samples;
}

std::string WriteFile(const std::string& name, const std::vector<uint8_t>& bytes) {
  std::string path = TempPath(name);
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return path;
}

int32_t CreateWithInput(const std::string& path) {
  dt_factory_options options = VirtualDeviceOptions();
  options.audio_device = DT_AUDIO_DEVICE_WAV_FILE;
  options.wav_input_path = path.c_str();
  options.wav_loop_input = true;
  dt_factory* factory = nullptr;
  int32_t result = dt_factory_create(&options, &factory);
  if (factory != nullptr) dt_factory_release(factory);
  return result;
}

int32_t Check(const std::vector<uint8_t>& bytes) { return dt_wav_check(bytes.data(), bytes.size(), nullptr, nullptr); }
}  // namespace

// libwebrtc's WavReader aborted the process (exit 134) on this file.
TEST(WavValidation, DataSizeLargerThanTheFileIsRefusedNotAborted) {
  WavSpec spec;
  spec.declared_data = 10'000'000;
  std::string path = WriteFile("dt-lying-size.wav", MakeWav(spec, Tone(440, 4800)));
  EXPECT_EQ(CreateWithInput(path), DT_ERROR_WAV_FILE);
  EXPECT_NE(LastError().find("claims 10000000 bytes"), std::string::npos) << LastError();
}

TEST(WavValidation, MissingAndMisplacedChunksAreRefusedWithTheReason) {
  auto good = MakeWav(WavSpec{}, Tone(440, 480));
  uint32_t rate = 0, channels = 0;
  ASSERT_EQ(dt_wav_check(good.data(), good.size(), &rate, &channels), DT_OK) << LastError();
  EXPECT_EQ(rate, 48000u);
  EXPECT_EQ(channels, 1u);

  struct Case {
    std::vector<uint8_t> bytes;
    const char* reason;
  };
  std::vector<uint8_t> no_data(good.begin(), good.begin() + 12 + 14 + 24);  // RIFF, LIST, fmt only
  std::vector<uint8_t> only_riff(good.begin(), good.begin() + 12);
  std::vector<uint8_t> data_first = good;
  std::memcpy(data_first.data() + 26, "data", 4);  // the fmt chunk renamed: data before fmt
  WavSpec empty_spec;
  auto empty = MakeWav(empty_spec, {});
  std::vector<uint8_t> big_chunk = good;
  const uint32_t huge = 0xFFFFFFF0u;
  std::memcpy(big_chunk.data() + 16, &huge, 4);  // the LIST chunk claims 4 GB
  const Case cases[] = {
      {{}, "not a RIFF/WAVE"},
      {no_data, "no data chunk"},
      {only_riff, "no fmt chunk"},
      {data_first, "data chunk before the fmt chunk"},
      {empty, "no samples"},
      {big_chunk, "chunk 'LIST' claims"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Check(c.bytes), DT_ERROR_WAV_FILE) << c.reason;
    EXPECT_NE(LastError().find(c.reason), std::string::npos) << LastError();
  }
}

TEST(WavValidation, ExtensiblePcm16IsAcceptedOtherExtensibleFormatsAreRefusedClearly) {
  WavSpec pcm;
  pcm.extensible = true;
  EXPECT_EQ(Check(MakeWav(pcm, Tone(440, 480))), DT_OK) << LastError();

  WavSpec floats = pcm;
  floats.sub_format = kFloatGuid;
  floats.bits = floats.valid_bits = 32;
  EXPECT_EQ(Check(MakeWav(floats, Tone(440, 480))), DT_ERROR_WAV_FILE);
  EXPECT_NE(LastError().find("sub-format other than PCM"), std::string::npos) << LastError();

  WavSpec pcm24 = pcm;
  pcm24.bits = pcm24.valid_bits = 24;
  EXPECT_EQ(Check(MakeWav(pcm24, Tone(440, 480))), DT_ERROR_WAV_FILE);
  EXPECT_NE(LastError().find("only 16-bit PCM"), std::string::npos) << LastError();

  WavSpec plain_float;
  plain_float.bits = 32;
  auto bytes = MakeWav(plain_float, Tone(440, 480));
  bytes[12 + 14 + 8] = 3;  // format tag 3: IEEE float
  EXPECT_EQ(Check(bytes), DT_ERROR_WAV_FILE);
  EXPECT_NE(LastError().find("format tag 3"), std::string::npos) << LastError();
}

// The device plays an extensible file (the managed layer accepted it, then the native side
// refused it as "cannot reach the SIP server"): the other side hears its tone.
TEST(WavValidation, AnExtensiblePcmFilePlaysInACall) {
  WavSpec spec;
  spec.extensible = true;
  std::string a_in = WriteFile("dt-ext-in.wav", MakeWav(spec, Tone(1000, 48000)));
  std::string b_in = WriteFile("dt-ext-b-in.wav", MakeWav(WavSpec{}, Tone(1600, 48000)));
  std::string b_out = TempPath("dt-ext-b-out.wav");
  std::remove(b_out.c_str());
  {
    auto options = [](const std::string& in, const std::string& out) {
      dt_factory_options o = VirtualDeviceOptions();
      o.audio_device = DT_AUDIO_DEVICE_WAV_FILE;
      o.wav_input_path = in.c_str();
      o.wav_loop_input = true;
      o.wav_output_path = out.empty() ? nullptr : out.c_str();
      return o;
    };
    std::string none;
    Peer a(options(a_in, none));
    Peer b(options(b_in, b_out));
    ASSERT_NE(a.pc, nullptr) << LastError();
    ASSERT_NE(b.pc, nullptr) << LastError();
    ASSERT_TRUE(a.AddAudio());
    std::string error;
    ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
    ASSERT_TRUE(WaitConnected(a, b, 15000));
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  int rate = 0, channels = 0;
  auto at_b = ReadWav(b_out, &rate, &channels);
  double best = 0;
  for (size_t start = 0; start + 24000 <= at_b.size(); start += 4800) {
    best = std::max(best, ToneAmplitude(at_b.data() + start, 24000, 1000, 48000));
  }
  EXPECT_GT(best, 1000) << "B heard " << at_b.size() << " samples without A's 1 kHz tone";
}

// A million inputs — mutations of valid files (byte flips, size fields, truncation) and random
// bytes behind a RIFF/WAVE prefix — each answered DT_OK or DT_ERROR_WAV_FILE, no crash or abort.
// The Release build checks a million inputs (issue 11); the ASan/UBSan build, where each check is
// several times slower, a quarter of them — enough to catch a memory error on any path the
// mutations reach, within the test's time limit on a loaded machine.
#ifdef __SANITIZE_ADDRESS__
constexpr int kFuzzInputs = 250'000;
#else
constexpr int kFuzzInputs = 1'000'000;
#endif

TEST(WavValidation, FuzzAMillionInputs) {
  std::mt19937_64 random(20261130);
  WavSpec ext;
  ext.extensible = true;
  WavSpec stereo;
  stereo.channels = 2;
  stereo.list_chunk = false;
  const std::vector<std::vector<uint8_t>> seeds = {MakeWav(WavSpec{}, Tone(440, 96)), MakeWav(ext, Tone(440, 96)),
                                                   MakeWav(stereo, Tone(440, 96))};
  size_t ok = 0, refused = 0;
  std::vector<uint8_t> input;
  for (int i = 0; i < kFuzzInputs; ++i) {
    const auto& seed = seeds[i % seeds.size()];
    input = seed;
    switch (random() % 4) {
      case 0:  // a few random byte flips
        for (int k = 1 + random() % 4; k > 0; --k) input[random() % input.size()] = static_cast<uint8_t>(random());
        break;
      case 1: {  // a size field (RIFF, chunk sizes) replaced by an extreme or random value
        static const size_t kSizeFields[] = {4, 16, 30, 16 + 14, 12 + 4};
        const uint32_t values[] = {0u, 1u, 0xFFFFFFFFu, 0x7FFFFFFFu, static_cast<uint32_t>(random())};
        const uint32_t v = values[random() % 5];
        size_t at = random() % 2 ? kSizeFields[random() % 5] : random() % (input.size() - 3);
        std::memcpy(input.data() + at, &v, 4);
        break;
      }
      case 2:  // truncated anywhere
        input.resize(random() % input.size());
        break;
      default: {  // random bytes after RIFF....WAVE
        input.resize(12 + random() % 200);
        for (size_t k = 12; k < input.size(); ++k) input[k] = static_cast<uint8_t>(random());
        if (random() % 2 && input.size() >= 20) std::memcpy(input.data() + 12, random() % 2 ? "fmt " : "data", 4);
        break;
      }
    }
    const int32_t result = dt_wav_check(input.data(), input.size(), nullptr, nullptr);
    ASSERT_TRUE(result == DT_OK || result == DT_ERROR_WAV_FILE) << "input " << i << " returned " << result;
    (result == DT_OK ? ok : refused)++;
  }
  EXPECT_GT(ok, static_cast<size_t>(kFuzzInputs / 1000));    // mutations that keep a playable file stay playable
  EXPECT_GT(refused, static_cast<size_t>(kFuzzInputs / 10));
  std::printf("[ fuzz     ] %d inputs: %zu playable, %zu refused\n", kFuzzInputs, ok, refused);
}
