#include "call_audio_end.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace dt_test {

CallAudioEnd::CallAudioEnd(dt_factory* factory, uint32_t rate, Fill fill) : peer(factory), rate(rate), fill(std::move(fill)) {
  dt_call_audio_source_options o{};
  o.struct_size = sizeof(o);
  o.sample_rate_hz = rate;
  result = dt_peer_connection_add_call_audio_track(peer.pc, nullptr, &o, &peer.audio, &source);
}

CallAudioEnd::~CallAudioEnd() {
  if (sink) dt_call_audio_sink_release(sink);
  if (source) dt_call_audio_source_release(source);
}

bool CallAudioEnd::CreateSink() {
  dt_call_audio_sink_options o{};
  o.struct_size = sizeof(o);
  o.sample_rate_hz = rate;
  return dt_transceiver_create_call_audio_sink(peer.audio, &o, &sink) == DT_OK;
}

void PumpCallAudio(const std::vector<CallAudioEnd*>& ends, int ms) {
  std::vector<int16_t> frame(480), in(4800);
  auto next = std::chrono::steady_clock::now();
  for (int t = 0; t < ms / 10; ++t) {
    for (CallAudioEnd* e : ends) {
      size_t n = e->rate / 100;
      e->fill(frame.data(), n);
      ASSERT_EQ(dt_call_audio_source_push(e->source, frame.data(), n, e->rate), DT_OK) << LastError();
      size_t got = 0;
      ASSERT_EQ(dt_call_audio_sink_read(e->sink, in.data(), in.size(), &got), DT_OK) << LastError();
      e->heard.insert(e->heard.end(), in.begin(), in.begin() + got);
    }
    next += std::chrono::milliseconds(10);
    std::this_thread::sleep_until(next);
  }
}

}  // namespace dt_test
