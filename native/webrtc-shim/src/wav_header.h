// Checks a WAV file before libwebrtc's WavReader opens it: WavReader treats a bad file as a fatal
// programming error (RTC_CHECK, process abort), the shim must answer DT_ERROR_WAV_FILE instead.
#pragma once

#include <cstdint>
#include <string>

namespace dt {

struct WavFormat {
  uint32_t sample_rate_hz = 0;
  uint16_t channels = 0;
  uint16_t bits_per_sample = 0;
  uint32_t data_bytes = 0;
};

// Reads the RIFF/WAVE header; throws Error(DT_ERROR_WAV_FILE) unless it is readable 16-bit PCM.
WavFormat ReadPcm16WavHeader(const std::string& path);

// Throws Error(DT_ERROR_WAV_FILE) unless `path` can be created for writing.
void CheckWritable(const std::string& path);

}  // namespace dt
