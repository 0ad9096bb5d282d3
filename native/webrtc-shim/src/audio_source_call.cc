#include "audio_source_call.h"

#include <algorithm>
#include <cstring>

#include "audio_processing.h"
#include "errors.h"
#include "modules/audio_device/include/test_audio_device.h"
#include "peer_connection.h"
#include "rtc_base/helpers.h"
#include "transceiver.h"
#include "wav_header.h"

namespace dt {
namespace {
using webrtc::TestAudioDeviceModule;

constexpr size_t kMaxFrameSamples = 480 * 2;  // 10 ms at 48 kHz, stereo

// Captures nothing: TestAudioDeviceModule hands an empty frame to nobody.
class NoCapturer final : public TestAudioDeviceModule::Capturer {
 public:
  int SamplingFrequency() const override { return 48000; }
  int NumChannels() const override { return 1; }
  bool Capture(rtc::BufferT<int16_t>* buffer) override {
    buffer->Clear();
    return true;
  }
};

bool AnyProcessing(const dt_audio_processing_options& o) {
  return o.echo_cancellation || o.noise_suppression || o.auto_gain_control || o.high_pass_filter;
}
}  // namespace

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreatePerCallAudioDevice(webrtc::TaskQueueFactory* task_queues,
                                                                       int playout_rate_hz) {
  return TestAudioDeviceModule::Create(task_queues, std::make_unique<NoCapturer>(),
                                       TestAudioDeviceModule::CreateDiscardRenderer(playout_rate_hz, 1));
}

// ---- TrackSource ----------------------------------------------------------------------------------

void TrackSource::AddSink(webrtc::AudioTrackSinkInterface* sink) {
  std::lock_guard lock(mutex_);
  if (detached_ || std::find(sinks_.begin(), sinks_.end(), sink) != sinks_.end()) return;
  sinks_.push_back(sink);
}

void TrackSource::RemoveSink(webrtc::AudioTrackSinkInterface* sink) {
  std::lock_guard lock(mutex_);
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), sink), sinks_.end());
}

void TrackSource::Deliver(const int16_t* samples, int sample_rate_hz, size_t channels, size_t frames) {
  // Held across the sinks' OnData so RemoveSink (signalling thread) waits for a frame in flight; the
  // send stream's OnData only queues the frame for its encoder and never calls back here.
  std::lock_guard lock(mutex_);
  for (auto* sink : sinks_) sink->OnData(samples, 16, sample_rate_hz, channels, frames);
}

void TrackSource::DetachAll() {
  std::lock_guard lock(mutex_);
  detached_ = true;
  sinks_.clear();
}

// ---- echo reference ---------------------------------------------------------------------------------

// A sink on the call's remote track that gives the received audio to the source's APM as the
// far end (ProcessReverseStream), on libwebrtc's playout thread. APM allows render and capture on
// two threads.
class EchoReference final : public webrtc::AudioTrackSinkInterface {
 public:
  EchoReference(rtc::scoped_refptr<webrtc::AudioProcessing> apm, rtc::scoped_refptr<webrtc::AudioTrackInterface> track)
      : apm_(std::move(apm)), track_(std::move(track)), scratch_(kMaxFrameSamples) {
    track_->AddSink(this);
  }
  ~EchoReference() override { track_->RemoveSink(this); }  // after it returns, OnData is not running

  void OnData(const void* data, int bits, int rate, size_t channels, size_t frames) override {
    if (bits != 16 || frames * channels > scratch_.size() || (rate != 8000 && rate != 16000 && rate != 32000 && rate != 48000)) return;
    webrtc::StreamConfig config(rate, channels);
    apm_->ProcessReverseStream(static_cast<const int16_t*>(data), config, config, scratch_.data());
  }

 private:
  rtc::scoped_refptr<webrtc::AudioProcessing> apm_;
  rtc::scoped_refptr<webrtc::AudioTrackInterface> track_;
  std::vector<int16_t> scratch_;
};

// ---- CallAudioSource ----------------------------------------------------------------------------------

CallAudioSource::CallAudioSource(std::shared_ptr<Factory> factory, const dt_call_audio_source_options& options)
    : factory_(std::move(factory)),
      rate_(options.sample_rate_hz),
      track_source_(rtc::make_ref_counted<TrackSource>()),
      fifo_(static_cast<size_t>(options.sample_rate_hz) * options.buffer_ms / 1000),
      frame_(kMaxFrameSamples) {
  if (AnyProcessing(options.audio_processing)) apm_ = CreateAudioProcessing(options.audio_processing);
}

CallAudioSource::~CallAudioSource() { Shutdown(); }

void CallAudioSource::AttachEchoReference(rtc::scoped_refptr<webrtc::AudioTrackInterface> remote_track) {
  if (!apm_ || !apm_->GetConfig().echo_canceller.enabled || !remote_track) return;
  echo_reference_ = std::make_unique<EchoReference>(apm_, std::move(remote_track));
}

void CallAudioSource::Push(const int16_t* samples, size_t count, uint32_t rate) {
  if (rate != rate_) {
    throw Error(DT_ERROR_AUDIO_FORMAT, "the source takes " + std::to_string(rate_) + " Hz mono, not " + std::to_string(rate) + " Hz");
  }
  {
    std::lock_guard lock(wav_mutex_);
    if (wav_) {  // pushing takes the source back from a WAV file; the reader is closed outside the tick
      wav_.reset();
      wav_finished_ = false;
    }
  }
  dropped_samples_ += fifo_.Write(samples, count);
}

void CallAudioSource::PlayWav(const std::string& path, bool loop) {
  WavFormat format = ReadPcm16WavHeader(path);  // libwebrtc's WavReader aborts on a bad file
  if (format.channels < 1 || format.channels > 2 || format.sample_rate_hz < 8000 || format.sample_rate_hz > 48000 ||
      format.sample_rate_hz % 100 != 0) {
    throw Error(DT_ERROR_WAV_FILE, "WAV file '" + path + "': must be mono or stereo at 8000..48000 Hz (a multiple of 100)");
  }
  if (loop && format.data_bytes == 0) throw Error(DT_ERROR_WAV_FILE, "WAV file '" + path + "' has no samples to loop");
  auto reader = std::make_unique<webrtc::WavReader>(path);
  std::unique_ptr<webrtc::WavReader> old;
  {
    std::lock_guard lock(wav_mutex_);
    old = std::move(wav_);
    wav_ = std::move(reader);
    wav_loop_ = loop;
    wav_finished_ = false;
  }
  int16_t discard[480];  // what was pushed is not sent after the prompt
  while (fifo_.Read(discard, 480) > 0) {
  }
}

void CallAudioSource::Tick() {
  int rate = static_cast<int>(rate_);
  size_t channels = 1;
  bool silent = false;
  std::unique_ptr<webrtc::WavReader> finished;  // closed after the lock
  {
    std::lock_guard lock(wav_mutex_);
    if (wav_) {
      rate = wav_->sample_rate();
      channels = wav_->num_channels();
      const size_t want = static_cast<size_t>(rate / 100) * channels;
      size_t got = wav_->ReadSamples(want, frame_.data());
      if (got < want && wav_loop_) {
        wav_->Reset();
        got += wav_->ReadSamples(want - got, frame_.data() + got);
      }
      std::fill(frame_.begin() + got, frame_.begin() + want, int16_t{0});
      if (got < want && !wav_loop_) {
        finished = std::move(wav_);
        wav_finished_ = true;
      }
    } else {
      const size_t want = rate_ / 100;
      size_t got = fifo_.Read(frame_.data(), want);
      std::fill(frame_.begin() + got, frame_.begin() + want, int16_t{0});
      silent = got == 0;
    }
  }
  const size_t frames = static_cast<size_t>(rate / 100);
  if (apm_) {
    webrtc::StreamConfig config(rate, channels);
    apm_->set_stream_delay_ms(0);  // a hint only: AEC3 estimates the delay itself
    apm_->ProcessStream(frame_.data(), config, config, frame_.data());
  }
  track_source_->Deliver(frame_.data(), rate, channels, frames);
  frames_sent_.fetch_add(1, std::memory_order_relaxed);
  if (silent) silent_frames_.fetch_add(1, std::memory_order_relaxed);
}

dt_call_audio_source_statistics CallAudioSource::Statistics() const {
  dt_call_audio_source_statistics out{};
  out.struct_size = sizeof(out);
  out.frames_sent = frames_sent_.load();
  out.silent_frames = silent_frames_.load();
  out.dropped_samples = dropped_samples_.load();
  out.buffered_samples = fifo_.size();
  std::lock_guard lock(wav_mutex_);
  out.playing_wav = wav_ != nullptr;
  out.wav_finished = wav_finished_;
  return out;
}

void CallAudioSource::Shutdown() {
  {
    std::lock_guard lock(shutdown_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  CallAudioClock::Instance().Remove(this);
  track_source_->DetachAll();
  echo_reference_.reset();
}

}  // namespace dt

using dt::CallAudioSource;
using dt::Guard;
using dt::Lookup;
using dt::PeerConnection;

extern "C" {

DT_API int32_t dt_peer_connection_add_call_audio_track(dt_peer_connection* peer_connection, const dt_audio_track_init* init,
                                                       const dt_call_audio_source_options* options,
                                                       dt_transceiver** out_transceiver, dt_call_audio_source** out_source) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_transceiver != nullptr && out_source != nullptr, "an output pointer is NULL");
    *out_transceiver = nullptr;
    *out_source = nullptr;
    dt_audio_track_init track_init = dt::ReadVersioned(init, dt_audio_track_init{sizeof(dt_audio_track_init), nullptr, nullptr},
                                                       "dt_audio_track_init");
    dt_call_audio_source_options defaults{};
    defaults.struct_size = sizeof(defaults);
    dt_call_audio_source_options o = dt::ReadVersioned(options, defaults, "dt_call_audio_source_options");
    bool has_processing = options != nullptr &&
                          options->struct_size >= offsetof(dt_call_audio_source_options, audio_processing) + sizeof(uint32_t) &&
                          options->audio_processing.struct_size != 0;
    if (has_processing) {
      o.audio_processing = dt::ReadAudioProcessingOptions(&o.audio_processing);
    } else {
      o.audio_processing = dt_audio_processing_options{};  // everything off
      o.audio_processing.struct_size = sizeof(dt_audio_processing_options);
    }
    if (o.sample_rate_hz == 0) o.sample_rate_hz = 48000;
    if (o.buffer_ms == 0) o.buffer_ms = 1000;
    dt::RequireArgument(o.sample_rate_hz == 8000 || o.sample_rate_hz == 16000 || o.sample_rate_hz == 48000, "sample_rate_hz must be 8000, 16000 or 48000");
    dt::RequireArgument(o.buffer_ms >= 20 && o.buffer_ms <= 10000, "buffer_ms must be 20..10000");

    auto owner = Lookup<PeerConnection>(peer_connection);
    if (!owner->factory()->per_call_audio()) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "per-call audio sources need a factory made with DT_AUDIO_DEVICE_PER_CALL");
    }
    auto pc = owner->pc();
    auto source = std::make_shared<CallAudioSource>(owner->factory(), o);
    std::string track_id = track_init.track_id ? track_init.track_id : rtc::CreateRandomUuid();
    std::string stream_id = track_init.stream_id ? track_init.stream_id : rtc::CreateRandomUuid();
    // One round trip to the signalling thread for the whole sequence: there each proxy call below runs
    // inline, where from this thread each would be a blocking hop of its own (six per call).
    dt::compat::RunOn(owner->factory()->signaling_thread(), [&] {
      auto track = owner->factory()->pc_factory().CreateAudioTrack(track_id, source->track_source().get());
      if (!track) throw dt::Error(DT_ERROR_CREATE_FAILED, "libwebrtc could not create the audio track");
      auto sender = pc->AddTrack(track, {stream_id});
      if (!sender.ok()) throw dt::Error(DT_ERROR_INVALID_STATE, dt::ErrorText(sender.error()));
      for (const auto& transceiver : pc->GetTransceivers()) {
        if (transceiver->sender() != sender.value()) continue;
        *out_transceiver = owner->TransceiverHandle(transceiver);
        auto receiver = transceiver->receiver();
        auto remote = receiver ? receiver->track() : nullptr;
        if (remote && remote->kind() == webrtc::MediaStreamTrackInterface::kAudioKind) {
          source->AttachEchoReference(rtc::scoped_refptr<webrtc::AudioTrackInterface>(
              static_cast<webrtc::AudioTrackInterface*>(remote.get())));
        }
        break;
      }
    });
    if (*out_transceiver == nullptr) throw dt::Error(DT_ERROR_INTERNAL, "the new track's transceiver was not found");
    dt::CallAudioClock::Instance().Add(source);
    try {
      *out_source = dt::Register(source);
    } catch (...) {
      source->Shutdown();
      throw;
    }
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_source_push(dt_call_audio_source* source, const int16_t* samples, size_t sample_count,
                                         uint32_t sample_rate_hz) {
  return Guard(__func__, [&] {
    dt::RequireArgument(samples != nullptr || sample_count == 0, "samples is NULL");
    Lookup<CallAudioSource>(source)->Push(samples, sample_count, sample_rate_hz);
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_source_play_wav(dt_call_audio_source* source, const char* path, bool loop) {
  return Guard(__func__, [&] {
    dt::RequireArgument(path != nullptr && *path != 0, "path is NULL or empty");
    Lookup<CallAudioSource>(source)->PlayWav(path, loop);
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_source_get_statistics(dt_call_audio_source* source,
                                                   dt_call_audio_source_statistics* out_statistics) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_statistics != nullptr, "out_statistics is NULL");
    uint32_t size = out_statistics->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_statistics->struct_size is not set");
    dt_call_audio_source_statistics stats = Lookup<CallAudioSource>(source)->Statistics();
    std::memcpy(out_statistics, &stats, std::min<size_t>(size, sizeof(stats)));
    out_statistics->struct_size = size;
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_source_release(dt_call_audio_source* source) {
  return Guard(__func__, [&] {
    auto s = dt::Unregister<CallAudioSource>(source);
    s->Shutdown();
    return DT_OK;
  });
}

}  // extern "C"
