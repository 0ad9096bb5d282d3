#include "audio_sink_call.h"

#include <algorithm>
#include <cstring>

#include "errors.h"
#include "peer_connection.h"
#include "transceiver.h"
#include "wav_header.h"

namespace dt {
namespace {
constexpr size_t kMaxInput = 480 * 2;  // 10 ms at 48 kHz (libwebrtc's playout frames are 10 ms)
}

CallAudioSink::CallAudioSink(std::shared_ptr<Factory> factory, rtc::scoped_refptr<webrtc::AudioTrackInterface> track,
                             uint32_t rate, uint32_t buffer_ms, const std::string& wav_path)
    : factory_(std::move(factory)),
      track_(std::move(track)),
      rate_(rate),
      fifo_(static_cast<size_t>(rate) * buffer_ms / 1000),
      mono_(kMaxInput),
      resampled_(kMaxInput),
      drain_(480) {
  if (!wav_path.empty()) {
    CheckWritable(wav_path);  // libwebrtc's WavWriter aborts when it cannot open the file
    writer_ = std::make_unique<webrtc::WavWriter>(wav_path, static_cast<int>(rate), 1);
  }
}

CallAudioSink::~CallAudioSink() { Shutdown(); }

void CallAudioSink::Start(const std::shared_ptr<CallAudioSink>& self) {
  std::lock_guard lock(shutdown_mutex_);
  if (writer_) CallAudioClock::Instance().Add(self);
  track_->AddSink(this);
  started_ = true;
}

void CallAudioSink::OnData(const void* data, int bits, int rate, size_t channels, size_t frames) {
  if (bits != 16 || channels == 0 || frames > kMaxInput || rate <= 0) return;
  const auto* in = static_cast<const int16_t*>(data);
  if (channels == 1) {
    std::memcpy(mono_.data(), in, frames * sizeof(int16_t));
  } else {
    for (size_t i = 0; i < frames; ++i) {
      int32_t sum = 0;
      for (size_t c = 0; c < channels; ++c) sum += in[i * channels + c];
      mono_[i] = static_cast<int16_t>(sum / static_cast<int32_t>(channels));
    }
  }
  // Allocates only when the input rate changes (first frame, a codec switch).
  if (resampler_.InitializeIfNeeded(rate, static_cast<int>(rate_), 1) != 0) return;
  int produced = resampler_.Resample(mono_.data(), frames, resampled_.data(), resampled_.size());
  if (produced <= 0) return;
  received_.fetch_add(static_cast<uint64_t>(produced), std::memory_order_relaxed);
  dropped_.fetch_add(fifo_.Write(resampled_.data(), static_cast<size_t>(produced)), std::memory_order_relaxed);
}

size_t CallAudioSink::Read(int16_t* out, size_t max) {
  if (writer_) throw Error(DT_ERROR_INVALID_STATE, "this sink records to a WAV file; it cannot be read");
  return fifo_.Read(out, max);
}

void CallAudioSink::Tick() { Drain(); }

void CallAudioSink::Drain() {
  std::lock_guard lock(writer_mutex_);
  if (!writer_) return;
  size_t got;
  while ((got = fifo_.Read(drain_.data(), drain_.size())) > 0) {
    writer_->WriteSamples(drain_.data(), got);
    written_.fetch_add(got, std::memory_order_relaxed);
  }
}

dt_call_audio_sink_statistics CallAudioSink::Statistics() const {
  dt_call_audio_sink_statistics out{};
  out.struct_size = sizeof(out);
  out.received_samples = received_.load();
  out.dropped_samples = dropped_.load();
  out.buffered_samples = fifo_.size();
  out.written_samples = written_.load();
  return out;
}

void CallAudioSink::Shutdown() {
  {
    std::lock_guard lock(shutdown_mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    if (started_) {
      // The proxy runs RemoveSink on the signalling thread; RemoteAudioSource takes the lock its
      // OnData runs under, so no OnData of this sink is running or will run after it returns.
      track_->RemoveSink(this);
      if (writer_) CallAudioClock::Instance().Remove(this);
    }
  }
  Drain();
  std::lock_guard lock(writer_mutex_);
  writer_.reset();  // completes the WAV header
}

}  // namespace dt

using dt::CallAudioSink;
using dt::Guard;
using dt::Lookup;

extern "C" {

DT_API int32_t dt_transceiver_create_call_audio_sink(dt_transceiver* transceiver, const dt_call_audio_sink_options* options,
                                                     dt_call_audio_sink** out_sink) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_sink != nullptr, "out_sink is NULL");
    *out_sink = nullptr;
    dt_call_audio_sink_options defaults{};
    defaults.struct_size = sizeof(defaults);
    dt_call_audio_sink_options o = dt::ReadVersioned(options, defaults, "dt_call_audio_sink_options");
    if (o.sample_rate_hz == 0) o.sample_rate_hz = 48000;
    if (o.buffer_ms == 0) o.buffer_ms = 1000;
    dt::RequireArgument(o.sample_rate_hz == 8000 || o.sample_rate_hz == 16000 || o.sample_rate_hz == 48000,
                        "sample_rate_hz must be 8000, 16000 or 48000");
    dt::RequireArgument(o.buffer_ms >= 20 && o.buffer_ms <= 10000, "buffer_ms must be 20..10000");
    auto t = Lookup<dt::Transceiver>(transceiver);
    auto receiver = t->receiver();
    auto track = receiver ? receiver->track() : nullptr;
    if (!track || track->kind() != webrtc::MediaStreamTrackInterface::kAudioKind) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "the transceiver has no remote audio track");
    }
    auto sink = std::make_shared<CallAudioSink>(
        t->factory(), rtc::scoped_refptr<webrtc::AudioTrackInterface>(static_cast<webrtc::AudioTrackInterface*>(track.get())),
        o.sample_rate_hz, o.buffer_ms, o.wav_output_path ? o.wav_output_path : "");
    sink->Start(sink);
    *out_sink = dt::Register(sink);
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_sink_read(dt_call_audio_sink* sink, int16_t* samples, size_t max_samples, size_t* out_read) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_read != nullptr, "out_read is NULL");
    *out_read = 0;
    dt::RequireArgument(samples != nullptr || max_samples == 0, "samples is NULL");
    *out_read = Lookup<CallAudioSink>(sink)->Read(samples, max_samples);
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_sink_get_statistics(dt_call_audio_sink* sink, dt_call_audio_sink_statistics* out_statistics) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_statistics != nullptr, "out_statistics is NULL");
    uint32_t size = out_statistics->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_statistics->struct_size is not set");
    dt_call_audio_sink_statistics stats = Lookup<CallAudioSink>(sink)->Statistics();
    std::memcpy(out_statistics, &stats, std::min<size_t>(size, sizeof(stats)));
    out_statistics->struct_size = size;
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_sink_release(dt_call_audio_sink* sink) {
  return Guard(__func__, [&] {
    dt::Unregister<CallAudioSink>(sink)->Shutdown();
    return DT_OK;
  });
}

}  // extern "C"
