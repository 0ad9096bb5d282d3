// Per-call audio sinks: the decoded audio of one remote track alone, for the application to read or
// recorded to its own WAV file.
//
// libwebrtc (M108) hands each receive stream's decoded 10 ms to the remote track's sinks while the
// mixer pulls that stream for playout (ChannelReceive::GetAudioFrameWithInfo -> RemoteAudioSource
// -> AudioTrackSinkInterface::OnData), on the device's playout thread, before any mixing. So the
// sink sees its call only, on any factory — and a PER_CALL factory's device keeps that pull going.
// OnData must not block that thread: it mixes down, resamples into a preallocated buffer and
// copies into a bounded FIFO (a short lock around one memcpy); the application reads the FIFO, or
// the call-audio clock writes it to the WAV file off the playout thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "audio_fifo.h"
#include "audio_source_clock.h"
#include "common_audio/resampler/include/push_resampler.h"
#include "common_audio/wav_file.h"
#include "factory.h"
#include "handles.h"

struct dt_call_audio_sink {};

namespace dt {

class CallAudioSink final : public webrtc::AudioTrackSinkInterface, public CallAudioClock::Member {
 public:
  static constexpr HandleKind kKind = HandleKind::kCallAudioSink;
  static constexpr const char* kTypeName = "call audio sink";
  using CHandle = dt_call_audio_sink;

  CallAudioSink(std::shared_ptr<Factory> factory, rtc::scoped_refptr<webrtc::AudioTrackInterface> track,
                uint32_t rate, uint32_t buffer_ms, const std::string& wav_path);
  ~CallAudioSink() override;

  // Registers with the track (and the clock when recording); separate from the constructor so the
  // track never sees a half-built sink.
  void Start(const std::shared_ptr<CallAudioSink>& self);
  size_t Read(int16_t* out, size_t max);
  bool recording() const { return writer_ != nullptr; }
  dt_call_audio_sink_statistics Statistics() const;
  // Detaches from the track and the clock, writes what is left and completes the WAV header.
  void Shutdown();

  // Playout thread.
  void OnData(const void* data, int bits, int rate, size_t channels, size_t frames) override;
  // Clock thread (recording sinks only).
  void Tick() override;

 private:
  void Drain();

  std::shared_ptr<Factory> factory_;  // keeps the signalling thread the track proxy needs
  rtc::scoped_refptr<webrtc::AudioTrackInterface> track_;
  const uint32_t rate_;
  AudioFifo fifo_;
  std::vector<int16_t> mono_;       // playout thread: the frame mixed down
  std::vector<int16_t> resampled_;  // playout thread: at the sink's rate
  webrtc::PushResampler<int16_t> resampler_;
  std::mutex writer_mutex_;
  std::unique_ptr<webrtc::WavWriter> writer_;
  std::vector<int16_t> drain_;  // clock thread
  std::atomic<uint64_t> received_{0}, dropped_{0}, written_{0};
  std::mutex shutdown_mutex_;
  bool started_ = false, shut_down_ = false;
};

}  // namespace dt
