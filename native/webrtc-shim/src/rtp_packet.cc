#include "rtp_packet.h"

namespace dt::rtp {

bool LooksLikeRtcp(const uint8_t* data, size_t size) {
  return size >= 2 && data[1] >= 192 && data[1] <= 223;
}

std::optional<RtpHeader> ParseRtp(const uint8_t* data, size_t size) {
  if (size < 12 || size > kMaxPacketSize) return std::nullopt;
  if ((data[0] >> 6) != 2) return std::nullopt;
  bool padding = (data[0] & 0x20) != 0;
  bool extension = (data[0] & 0x10) != 0;
  size_t csrc_count = data[0] & 0x0f;
  RtpHeader header;
  header.marker = (data[1] & 0x80) != 0;
  header.payload_type = data[1] & 0x7f;
  header.sequence_number = static_cast<uint16_t>((data[2] << 8) | data[3]);
  header.timestamp = (static_cast<uint32_t>(data[4]) << 24) | (static_cast<uint32_t>(data[5]) << 16) |
                     (static_cast<uint32_t>(data[6]) << 8) | data[7];
  header.ssrc = (static_cast<uint32_t>(data[8]) << 24) | (static_cast<uint32_t>(data[9]) << 16) |
                (static_cast<uint32_t>(data[10]) << 8) | data[11];
  size_t offset = 12 + 4 * csrc_count;
  if (offset > size) return std::nullopt;
  if (extension) {
    if (offset + 4 > size) return std::nullopt;
    size_t words = (static_cast<size_t>(data[offset + 2]) << 8) | data[offset + 3];
    offset += 4 + 4 * words;
    if (offset > size) return std::nullopt;
  }
  size_t end = size;
  if (padding) {
    size_t pad = data[size - 1];
    if (pad == 0 || offset + pad > size) return std::nullopt;
    end -= pad;
  }
  header.header_size = offset;
  header.payload_size = end - offset;
  return header;
}

bool ValidRtcp(const uint8_t* data, size_t size, size_t trailer) {
  if (size > kMaxPacketSize || size < trailer + 8) return false;
  size_t end = size - trailer;
  if (data[1] < 200 || data[1] > 207) return false;
  size_t offset = 0;
  while (offset < end) {
    if (end - offset < 4) return false;
    if ((data[offset] >> 6) != 2) return false;
    size_t length = 4 * ((static_cast<size_t>(data[offset + 2]) << 8) | data[offset + 3]) + 4;
    if (length > end - offset) return false;
    offset += length;
  }
  return true;
}

char ToneOf(uint8_t event) {
  static constexpr char kTones[] = "0123456789*#ABCD";
  return event < 16 ? kTones[event] : '\0';
}

dt_rtp_dtmf_event TelephoneEventReader::Make(uint8_t event, bool ended, uint32_t duration, uint8_t volume,
                                             uint32_t timestamp) const {
  dt_rtp_dtmf_event e{};
  e.struct_size = sizeof(e);
  e.event = event;
  e.tone = ToneOf(event);
  e.ended = ended;
  e.duration_ms = static_cast<uint32_t>(static_cast<uint64_t>(duration) * 1000 / clock_rate_);
  e.volume = volume;
  e.rtp_timestamp = timestamp;
  return e;
}

}  // namespace dt::rtp
