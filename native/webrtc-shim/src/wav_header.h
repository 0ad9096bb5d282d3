// WAV input for the WAV device, without libwebrtc's WavReader: WavReader treats a bad file as a
// fatal programming error (RTC_CHECK, process abort) — a data size larger than the file, a
// missing chunk, WAVE_FORMAT_EXTENSIBLE — and the shim must answer DT_ERROR_WAV_FILE instead.
// So every WAV is validated here (ParseWavHeader, also exported as dt_wav_check for fuzzing) and
// its samples are read by WavCapturer, which reads only what the validation vouched for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "modules/audio_device/include/test_audio_device.h"

namespace dt {

struct WavFormat {
  uint32_t sample_rate_hz = 0;
  uint16_t channels = 0;
  uint16_t bits_per_sample = 0;
  uint64_t data_offset = 0;  // where the samples start in the file
  uint32_t data_bytes = 0;   // whole frames only
};

// Reads `size` bytes at `offset` into `out`; returns how many it could (fewer at the end of input).
using WavByteReader = std::function<size_t(uint64_t offset, uint8_t* out, size_t size)>;

// Validates a RIFF/WAVE whose total length is `total_size`: 16-bit PCM (format tag 1, or
// WAVE_FORMAT_EXTENSIBLE whose sub-format is PCM with 16 valid bits), mono or stereo,
// 8000-48000 Hz in steps of 100, a fmt chunk before a non-empty data chunk that fits in the
// input. Throws Error(DT_ERROR_WAV_FILE, "<name>: <why>") otherwise.
WavFormat ParseWavHeader(const WavByteReader& read, uint64_t total_size, const std::string& name);

// The same for a file on disk.
WavFormat ReadPcm16WavHeader(const std::string& path);

// Throws Error(DT_ERROR_WAV_FILE) unless `path` can be created for writing.
void CheckWritable(const std::string& path);

// 10 ms frames of a validated WAV file for TestAudioDeviceModule, looping when asked.
std::unique_ptr<webrtc::TestAudioDeviceModule::Capturer> CreateWavCapturer(const std::string& path, bool loop);

}  // namespace dt
