// One end of a per-call-audio call in the shim's tests: its peer connection on a shared
// DT_AUDIO_DEVICE_PER_CALL factory, its call audio source and sink, and everything its sink gave.
// A pump pushes each end's audio 10 ms at a time on an absolute schedule and reads each sink.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "loopback_call.h"

namespace dt_test {

struct CallAudioEnd {
  // Fills `samples` samples (one 10-ms frame at `rate`) of what this end sends.
  using Fill = std::function<void(int16_t* frame, size_t samples)>;

  CallAudioEnd(dt_factory* factory, uint32_t rate, Fill fill);
  ~CallAudioEnd();
  CallAudioEnd(const CallAudioEnd&) = delete;
  CallAudioEnd& operator=(const CallAudioEnd&) = delete;

  // A sink at this end's rate (read by the pump); false with LastError() on failure.
  bool CreateSink();

  Peer peer;
  uint32_t rate;
  Fill fill;
  int32_t result = 1;  // of adding the call audio track
  dt_call_audio_source* source = nullptr;
  dt_call_audio_sink* sink = nullptr;
  std::vector<int16_t> heard;  // everything read from the sink
};

// For `ms`, every 10 ms: pushes each end's next frame and appends what its sink holds to `heard`
// (gtest failures on an ABI error).
void PumpCallAudio(const std::vector<CallAudioEnd*>& ends, int ms);

}  // namespace dt_test
