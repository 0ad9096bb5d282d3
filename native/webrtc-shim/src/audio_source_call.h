// Per-call audio sources: a local audio track fed by its own source (PCM the application pushes,
// or a WAV file) instead of the factory's device, sent 10 ms at a time by the call-audio clock.
//
// How it reaches the call's send stream (libwebrtc M108): an AudioTrack hands AddSink to its
// source; the RtpSender adds its LocalAudioSinkAdapter there, whose OnData goes straight to the
// track's WebRtcAudioSendStream (and so to its encoder). libwebrtc's own LocalAudioSource ignores
// AddSink because device audio takes another road (the ADM's AudioTransport feeds *every* sending
// stream). That is also why a per-call source needs a factory whose device captures nothing
// (DT_AUDIO_DEVICE_PER_CALL): otherwise device frames and source frames would both reach the stream.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/notifier.h"
#include "api/task_queue/task_queue_factory.h"
#include "audio_fifo.h"
#include "audio_source_clock.h"
#include "common_audio/wav_file.h"
#include "factory.h"
#include "handles.h"
#include "modules/audio_device/include/audio_device.h"
#include "modules/audio_processing/include/audio_processing.h"

struct dt_call_audio_source {};

namespace dt {

// The device of a DT_AUDIO_DEVICE_PER_CALL factory: captures nothing (so no device audio reaches
// any send stream) and discards the mixed playout, while its 10 ms playout clock keeps pulling each
// call's decoded audio (which is what feeds the per-call sinks).
rtc::scoped_refptr<webrtc::AudioDeviceModule> CreatePerCallAudioDevice(webrtc::TaskQueueFactory* task_queues,
                                                                       int playout_rate_hz);

// The libwebrtc side of a source: the AudioSourceInterface the track is made with. It keeps the
// sinks the RtpSender adds and hands them each frame.
class TrackSource : public webrtc::Notifier<webrtc::AudioSourceInterface> {
 public:
  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  void AddSink(webrtc::AudioTrackSinkInterface* sink) override;
  void RemoveSink(webrtc::AudioTrackSinkInterface* sink) override;
  // Clock thread: one 10 ms frame to every sink.
  void Deliver(const int16_t* samples, int sample_rate_hz, size_t channels, size_t frames);
  // After it returns no sink is called again (the source is being released).
  void DetachAll();

 private:
  std::mutex mutex_;
  std::vector<webrtc::AudioTrackSinkInterface*> sinks_;  // few; reserved, so AddSink rarely allocates
  bool detached_ = false;
};

class EchoReference;

class CallAudioSource final : public CallAudioClock::Member {
 public:
  static constexpr HandleKind kKind = HandleKind::kCallAudioSource;
  static constexpr const char* kTypeName = "call audio source";
  using CHandle = dt_call_audio_source;

  CallAudioSource(std::shared_ptr<Factory> factory, const dt_call_audio_source_options& options);
  ~CallAudioSource() override;

  const rtc::scoped_refptr<TrackSource>& track_source() const { return track_source_; }
  // With echo cancellation on: feeds this call's received audio (the remote track) to its APM.
  void AttachEchoReference(rtc::scoped_refptr<webrtc::AudioTrackInterface> remote_track);

  void Push(const int16_t* samples, size_t count, uint32_t rate);
  void PlayWav(const std::string& path, bool loop);
  dt_call_audio_source_statistics Statistics() const;
  // Detaches from the track and the clock; no Tick runs after it returns.
  void Shutdown();

  void Tick() override;

 private:
  std::shared_ptr<Factory> factory_;
  const uint32_t rate_;
  rtc::scoped_refptr<TrackSource> track_source_;
  AudioFifo fifo_;
  std::vector<int16_t> frame_;  // one 10 ms frame, 48 kHz stereo at most

  mutable std::mutex wav_mutex_;  // the tick holds it only to read one frame
  std::unique_ptr<webrtc::WavReader> wav_;
  bool wav_loop_ = false;
  bool wav_finished_ = false;

  rtc::scoped_refptr<webrtc::AudioProcessing> apm_;  // null when every switch is off
  std::unique_ptr<EchoReference> echo_reference_;

  std::atomic<uint64_t> frames_sent_{0}, silent_frames_{0}, dropped_samples_{0};
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
};

}  // namespace dt
