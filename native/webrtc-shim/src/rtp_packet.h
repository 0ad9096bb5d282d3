// RTP/RTCP header checks (RFC 3550, RFC 5761 demultiplexing) and the RFC 4733 telephone-event
// reader of the legacy RTP path. Pure functions over bytes: no libwebrtc, no threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "webrtc_shim.h"

namespace dt::rtp {

// Largest UDP payload accepted (an Ethernet MTU); anything longer is dropped as oversized.
constexpr size_t kMaxPacketSize = 1500;

// RFC 5761 section 4: on a multiplexed port, the second byte 192..223 is RTCP (payload types
// 64..95 with the marker bit), everything else RTP.
bool LooksLikeRtcp(const uint8_t* data, size_t size);

struct RtpHeader {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t header_size = 0;   // fixed header + CSRCs + extension
  size_t payload_size = 0;  // without padding
};

// Parses an (unencrypted, or SRTP before decryption: the header is in the clear) RTP packet:
// version 2, CSRC list, extension and padding lengths consistent with `size`. nullopt when not.
std::optional<RtpHeader> ParseRtp(const uint8_t* data, size_t size);

// A compound RTCP packet (or SRTCP before decryption: `trailer` bytes of index and tag are
// skipped): every sub-packet version 2 with a length inside the buffer, the first one SR/RR
// (or, as some peers send, any RTCP type 200..207).
bool ValidRtcp(const uint8_t* data, size_t size, size_t trailer);

// Tracks RFC 4733 events of one stream and reports each start and end once, in order.
class TelephoneEventReader {
 public:
  // `clock_rate` converts durations (timestamp units) to milliseconds.
  explicit TelephoneEventReader(uint32_t clock_rate) : clock_rate_(clock_rate == 0 ? 8000 : clock_rate) {}

  // Feeds one telephone-event payload of an RTP packet with `timestamp`; calls emit(event) for each
  // start or end it reveals (0, 1 or 2 calls). Malformed payloads return false.
  template <typename Emit>
  bool Read(uint32_t timestamp, const uint8_t* payload, size_t size, Emit&& emit);

 private:
  dt_rtp_dtmf_event Make(uint8_t event, bool ended, uint32_t duration, uint8_t volume, uint32_t timestamp) const;
  uint32_t clock_rate_;
  bool has_current_ = false;
  bool current_ended_ = false;
  uint32_t current_timestamp_ = 0;
  uint8_t current_event_ = 0;
  uint8_t current_volume_ = 0;
  uint32_t current_duration_ = 0;
};

char ToneOf(uint8_t event);

template <typename Emit>
bool TelephoneEventReader::Read(uint32_t timestamp, const uint8_t* payload, size_t size, Emit&& emit) {
  // RFC 4733 section 2.3: event(8) | E(1) R(1) volume(6) | duration(16); several events may be
  // stacked in one packet (redundancy), the newest last. Only the last block is the current state.
  if (size < 4 || size % 4 != 0) return false;
  const uint8_t* block = payload + size - 4;
  uint8_t event = block[0];
  bool end = (block[1] & 0x80) != 0;
  uint8_t volume = block[1] & 0x3f;
  uint32_t duration = (static_cast<uint32_t>(block[2]) << 8) | block[3];

  if (has_current_ && timestamp != current_timestamp_) {
    // Serial-number comparison (RFC 1982): an older timestamp is a late packet of an event
    // already reported; ignore it.
    if (static_cast<int32_t>(timestamp - current_timestamp_) < 0) return true;
    if (!current_ended_) {
      current_ended_ = true;
      emit(Make(current_event_, true, current_duration_, current_volume_, current_timestamp_));
    }
    has_current_ = false;
  }
  if (!has_current_) {
    has_current_ = true;
    current_ended_ = false;
    current_timestamp_ = timestamp;
    current_event_ = event;
    current_volume_ = volume;
    current_duration_ = duration;
    emit(Make(event, false, duration, volume, timestamp));
  }
  if (current_ended_) return true;  // retransmitted end packets
  if (duration > current_duration_) current_duration_ = duration;
  if (end) {
    current_ended_ = true;
    emit(Make(current_event_, true, current_duration_, current_volume_, current_timestamp_));
  }
  return true;
}

}  // namespace dt::rtp
