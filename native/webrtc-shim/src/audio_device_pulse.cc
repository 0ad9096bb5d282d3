#include "audio_device_pulse.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "api/make_ref_counted.h"
#include "api/units/time_delta.h"
#include "audio_device_pulse_library.h"
#include "errors.h"
#include "rtc_base/event.h"

namespace dt {
namespace {

constexpr auto kServerTimeout = std::chrono::seconds(5);

// ---- Listing devices: one short-lived context on its own (non-threaded) main loop. -------------

struct ListState {
  dt_audio_direction direction;
  std::vector<PulseDeviceInfo> devices;
  std::string default_name;
  int pending = 0;  // outstanding operations
};

void OnSourceInfo(pa_context*, const pa_source_info* info, int eol, void* user) {
  auto* state = static_cast<ListState*>(user);
  if (eol != 0) {
    state->pending--;
    return;
  }
  state->devices.push_back({info->name ? info->name : "", info->description ? info->description : "", false});
}

void OnSinkInfo(pa_context*, const pa_sink_info* info, int eol, void* user) {
  auto* state = static_cast<ListState*>(user);
  if (eol != 0) {
    state->pending--;
    return;
  }
  state->devices.push_back({info->name ? info->name : "", info->description ? info->description : "", false});
}

void OnServerInfo(pa_context*, const pa_server_info* info, void* user) {
  auto* state = static_cast<ListState*>(user);
  if (info != nullptr) {
    const char* name = state->direction == DT_AUDIO_DIRECTION_INPUT ? info->default_source_name : info->default_sink_name;
    state->default_name = name ? name : "";
  }
  state->pending--;
}

// Owns a main loop and a context; frees them in the right order on every path, a constructor
// that throws included (members are unique_ptrs, destroyed context first).
struct ContextDeleter {
  void operator()(pa_context* c) const {
    Pulse().pa_context_disconnect(c);
    Pulse().pa_context_unref(c);
  }
};
struct MainloopDeleter {
  void operator()(pa_mainloop* m) const { Pulse().pa_mainloop_free(m); }
};

class Connection {
 public:
  explicit Connection(const std::string& server) {
    loop_.reset(Pulse().pa_mainloop_new());
    if (!loop_) throw Error(DT_ERROR_AUDIO_DEVICE, "PulseAudio: cannot create a main loop");
    context_.reset(Pulse().pa_context_new(Pulse().pa_mainloop_get_api(loop_.get()), "Dialtone"));
    if (!context_) throw Error(DT_ERROR_AUDIO_DEVICE, "PulseAudio: cannot create a context");
    if (Pulse().pa_context_connect(context_.get(), server.empty() ? nullptr : server.c_str(), PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0) {
      throw Failure("cannot connect to", server);
    }
    RunUntil([&] {
      pa_context_state_t state = Pulse().pa_context_get_state(context_.get());
      if (!PA_CONTEXT_IS_GOOD(state)) throw Failure("cannot connect to", server);
      return state == PA_CONTEXT_READY;
    }, server);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  pa_context* context() const { return context_.get(); }

  // Iterates the loop without blocking until `done()` or the timeout.
  template <typename Done>
  void RunUntil(Done&& done, const std::string& server) {
    auto deadline = std::chrono::steady_clock::now() + kServerTimeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw Error(DT_ERROR_AUDIO_DEVICE, "PulseAudio server " + Describe(server) + " did not answer within 5 s");
      }
      if (Pulse().pa_mainloop_iterate(loop_.get(), 0, nullptr) < 0) throw Failure("lost", server);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  Error Failure(const char* what, const std::string& server) const {
    return Error(DT_ERROR_AUDIO_DEVICE, std::string("PulseAudio: ") + what + " server " + Describe(server) + ": " +
                                            Pulse().pa_strerror(Pulse().pa_context_errno(context_.get())));
  }

  static std::string Describe(const std::string& server) { return server.empty() ? "(default)" : "'" + server + "'"; }

 private:
  std::unique_ptr<pa_mainloop, MainloopDeleter> loop_;
  std::unique_ptr<pa_context, ContextDeleter> context_;  // declared last: destroyed first
};

// ---- One stream of the device: its own context on a threaded main loop. ---------------------------
//
// Why not pa_simple: pa_simple_read/pa_simple_write wait inside libpulse without a deadline, so a
// server that dies at an unlucky moment (or a stream that stops moving) could keep the device's
// thread there forever, and StopRecording/StopPlayout (hence dt_factory_release) joins that thread.
// Here the device's thread only enters libpulse under the main loop's lock — which the loop's own
// thread holds while dispatching, never while waiting — and waits for news on its own
// event with a deadline. The callbacks below run on the loop's thread and only set that event.
// (rtc::Event waits on CLOCK_MONOTONIC with pthread_cond_timedwait; std::condition_variable's
// steady-clock wait would need pthread_cond_clockwait, glibc 2.30, above the library's floor.)
constexpr auto kStreamSetupTimeout = std::chrono::seconds(5);
// The device threads wait at most this long at a time (so a stop is noticed within it) ...
constexpr auto kWaitSlice = std::chrono::milliseconds(100);
// ... and give a stream up after this long without a frame (record) or room (playback).
constexpr auto kStallTimeout = std::chrono::milliseconds(3000);

class PulseStream {
 public:
  // Connects and waits (bounded) for the stream to be ready; throws Error with the reason.
  // `run` going false (the device stops this direction) ends the setup early.
  PulseStream(const std::string& server, pa_stream_direction_t direction, const std::string& device,
              const pa_sample_spec& spec, const pa_buffer_attr& attr, const char* stream_name,
              const std::atomic<bool>& run)
      : direction_(direction), bytes_per_second_(spec.rate * spec.channels * sizeof(int16_t)) {
    const PulseLibrary& pa = Pulse();
    loop_ = pa.pa_threaded_mainloop_new();
    if (loop_ == nullptr) throw Error(DT_ERROR_AUDIO_DEVICE, "cannot create a PulseAudio main loop");
    try {
      Setup(server, device, spec, attr, stream_name, run);
    } catch (...) {
      Close();
      throw;
    }
  }
  PulseStream(const PulseStream&) = delete;
  PulseStream& operator=(const PulseStream&) = delete;
  ~PulseStream() { Close(); }

  // Record: copies `bytes` bytes of captured audio to `out`. Returns kDone, kTimeout (nothing
  // failed, the data just did not arrive within `timeout`) or kFailed with *error set.
  enum Result { kDone, kTimeout, kFailed };
  Result Read(void* out, size_t bytes, std::chrono::milliseconds timeout, std::string* error) {
    return WaitFor(timeout, error, [&] {
      const PulseLibrary& pa = Pulse();
      while (captured_.size() < bytes) {
        const void* data = nullptr;
        size_t length = 0;
        if (pa.pa_stream_peek(stream_, &data, &length) < 0) return kFailed;
        if (length == 0) break;
        if (data == nullptr) {
          captured_.insert(captured_.end(), length, uint8_t{0});  // a hole in the stream: silence
        } else {
          auto* bytes_in = static_cast<const uint8_t*>(data);
          captured_.insert(captured_.end(), bytes_in, bytes_in + length);
        }
        if (pa.pa_stream_drop(stream_) < 0) return kFailed;
      }
      if (captured_.size() < bytes) return kTimeout;
      std::memcpy(out, captured_.data(), bytes);
      captured_.erase(captured_.begin(), captured_.begin() + static_cast<std::ptrdiff_t>(bytes));
      return kDone;
    });
  }

  // Playback: queues `bytes` bytes from `data`, counting in *written what is already queued (a
  // call after kTimeout goes on where the last one stopped), waiting for room at most `timeout`.
  Result Write(const void* data, size_t bytes, size_t* written, std::chrono::milliseconds timeout, std::string* error) {
    return WaitFor(timeout, error, [&] {
      const PulseLibrary& pa = Pulse();
      while (*written < bytes) {
        size_t room = pa.pa_stream_writable_size(stream_);
        if (room == static_cast<size_t>(-1)) return kFailed;
        if (room == 0) return kTimeout;
        size_t n = std::min(room, bytes - *written);
        if (pa.pa_stream_write(stream_, static_cast<const uint8_t*>(data) + *written, n, nullptr, 0, PA_SEEK_RELATIVE) < 0) {
          return kFailed;
        }
        *written += n;
      }
      return kDone;
    });
  }

  // The stream's latency (playback: queued for the speaker; record: waiting in the server and here), 0 if unknown.
  uint32_t LatencyMs() {
    const PulseLibrary& pa = Pulse();
    pa.pa_threaded_mainloop_lock(loop_);
    pa_usec_t usec = 0;
    int negative = 0;
    if (pa.pa_stream_get_latency(stream_, &usec, &negative) < 0 || negative != 0) usec = 0;
    if (direction_ == PA_STREAM_RECORD) usec += captured_.size() * 1000000ull / bytes_per_second_;
    pa.pa_threaded_mainloop_unlock(loop_);
    return static_cast<uint32_t>(usec / 1000);
  }

 private:
  void Setup(const std::string& server, const std::string& device, const pa_sample_spec& spec,
             const pa_buffer_attr& attr, const char* stream_name, const std::atomic<bool>& run) {
    const PulseLibrary& pa = Pulse();
    context_ = pa.pa_context_new(pa.pa_threaded_mainloop_get_api(loop_), "Dialtone");
    if (context_ == nullptr) throw Error(DT_ERROR_AUDIO_DEVICE, "cannot create a PulseAudio context");
    pa.pa_context_set_state_callback(context_, OnChange<pa_context>, this);
    if (pa.pa_context_connect(context_, server.empty() ? nullptr : server.c_str(), PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0) {
      throw Error(DT_ERROR_AUDIO_DEVICE, pa.pa_strerror(pa.pa_context_errno(context_)));
    }
    if (pa.pa_threaded_mainloop_start(loop_) < 0) throw Error(DT_ERROR_AUDIO_DEVICE, "cannot start a PulseAudio main loop");
    started_ = true;
    std::string error;
    auto step = [&] {
      if (stream_ == nullptr) {
        if (pa.pa_context_get_state(context_) != PA_CONTEXT_READY) return kTimeout;
        stream_ = pa.pa_stream_new(context_, stream_name, &spec, nullptr);
        if (stream_ == nullptr) return kFailed;
        pa.pa_stream_set_state_callback(stream_, OnChange<pa_stream>, this);
        if (direction_ == PA_STREAM_RECORD) {
          pa.pa_stream_set_read_callback(stream_, OnData, this);
        } else {
          pa.pa_stream_set_write_callback(stream_, OnData, this);
        }
        const char* dev = device.empty() ? nullptr : device.c_str();
        auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_ADJUST_LATENCY |
                                                    PA_STREAM_AUTO_TIMING_UPDATE);
        int rc = direction_ == PA_STREAM_RECORD ? pa.pa_stream_connect_record(stream_, dev, &attr, flags)
                                                : pa.pa_stream_connect_playback(stream_, dev, &attr, flags, nullptr, nullptr);
        if (rc < 0) return kFailed;
      }
      return pa.pa_stream_get_state(stream_) == PA_STREAM_READY ? kDone : kTimeout;
    };
    // In slices, so that a stop during setup is noticed within kWaitSlice.
    auto deadline = std::chrono::steady_clock::now() + kStreamSetupTimeout;
    Result connected = kTimeout;
    while (connected == kTimeout && run && std::chrono::steady_clock::now() < deadline) {
      connected = WaitFor(kWaitSlice, &error, step, /*require_ready=*/false);
    }
    if (connected == kTimeout) error = run ? "the server did not answer within 5 s" : "stopped during setup";
    if (connected != kDone) throw Error(DT_ERROR_AUDIO_DEVICE, error);
  }

  // Runs `step` under the loop's lock until it is done or failed, or `timeout` passed. A step that
  // cannot progress returns kTimeout and we wait for the next callback (or the deadline). A failed
  // context or stream is kFailed whatever the step says.
  template <typename Step>
  Result WaitFor(std::chrono::steady_clock::duration timeout, std::string* error, Step&& step, bool require_ready = true) {
    const PulseLibrary& pa = Pulse();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      news_.Reset();  // cleared before looking: a callback from now on wakes the wait below
      pa.pa_threaded_mainloop_lock(loop_);
      Result result = Dead(require_ready) ? kFailed : step();
      if (result == kFailed) *error = pa.pa_strerror(pa.pa_context_errno(context_));
      pa.pa_threaded_mainloop_unlock(loop_);
      if (result != kTimeout) return result;
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return kTimeout;
      news_.Wait(webrtc::TimeDelta::Micros(left.count()), rtc::Event::kForever);
    }
  }

  // Under the loop's lock.
  bool Dead(bool require_stream) const {
    const PulseLibrary& pa = Pulse();
    if (!PA_CONTEXT_IS_GOOD(pa.pa_context_get_state(context_))) return true;
    if (stream_ != nullptr) return !PA_STREAM_IS_GOOD(pa.pa_stream_get_state(stream_));
    return require_stream;
  }

  // Callbacks on the loop's thread (which holds the loop's lock): only news for the waiting thread.
  void Notify() { news_.Set(); }
  template <typename Object>
  static void OnChange(Object*, void* self) {
    static_cast<PulseStream*>(self)->Notify();
  }
  static void OnData(pa_stream*, size_t, void* self) { static_cast<PulseStream*>(self)->Notify(); }

  // Detaches the callbacks and frees everything; the loop's thread is stopped (it is only ever in
  // poll or in the callbacks above, so stopping it is prompt) before the loop is freed.
  void Close() {
    const PulseLibrary& pa = Pulse();
    if (started_) pa.pa_threaded_mainloop_lock(loop_);
    if (stream_ != nullptr) {
      pa.pa_stream_set_state_callback(stream_, nullptr, nullptr);
      pa.pa_stream_set_read_callback(stream_, nullptr, nullptr);
      pa.pa_stream_set_write_callback(stream_, nullptr, nullptr);
      pa.pa_stream_disconnect(stream_);
      pa.pa_stream_unref(stream_);
      stream_ = nullptr;
    }
    if (context_ != nullptr) {
      pa.pa_context_set_state_callback(context_, nullptr, nullptr);
      pa.pa_context_disconnect(context_);
      pa.pa_context_unref(context_);
      context_ = nullptr;
    }
    if (started_) {
      pa.pa_threaded_mainloop_unlock(loop_);
      pa.pa_threaded_mainloop_stop(loop_);
      started_ = false;
    }
    if (loop_ != nullptr) pa.pa_threaded_mainloop_free(loop_);
    loop_ = nullptr;
  }

  const pa_stream_direction_t direction_;
  const uint32_t bytes_per_second_;
  pa_threaded_mainloop* loop_ = nullptr;
  pa_context* context_ = nullptr;
  pa_stream* stream_ = nullptr;
  bool started_ = false;
  std::vector<uint8_t> captured_;  // record: peeked from the server, not yet read (under the loop's lock)
  rtc::Event news_;  // auto-reset: set by the callbacks, waited for by the device's thread
};

// ---- The device module. --------------------------------------------------------------------------
//
// Stopping a direction is bounded. Normally its thread notices the stop within kWaitSlice and is
// joined. But libpulse's own main-loop thread can block forever while holding the loop's lock (seen
// when the server dies during stream setup: pa_pstream_unlink -> pa_pstream_set_srbchannel), and
// every libpulse call our thread makes needs that lock; pa_threaded_mainloop_lock has no timeout.
// So StopPlayout/StopRecording wait at most kStopTimeout, then give the thread up: it is detached,
// cut off from the voice engine's transport and from error reports, and reported as an error.
// Everything it can still touch (PulseAudioCore, its ThreadControl, its PulseStream) is owned by
// the thread itself through shared ownership, so if libpulse ever lets it go it finishes against
// live objects and exits. The trade-off: per occurrence, one thread and one libpulse connection
// are leaked (for as long as libpulse stays stuck) — instead of a release that never returns.
constexpr auto kStopTimeout = std::chrono::seconds(4);

// What one audio thread shares with the device that started it.
struct ThreadControl {
  std::atomic<bool> run{true};        // false: the device stops this direction
  bool abandoned = false;             // the device gave up on the thread (under the core's transport mutex)
  rtc::Event finished{/*manual_reset=*/true, /*initially_signaled=*/false};
};

// The audio threads' side of the device: configuration, the voice engine's transport and the
// loops. Shared by the device and each of its threads.
class PulseAudioCore {
 public:
  PulseAudioCore(PulseDeviceConfig config, std::string input_id, std::string output_id,
                 std::shared_ptr<DeviceLevels> levels, AudioDeviceErrorHandler on_error)
      : config_(std::move(config)),
        input_id_(std::move(input_id)),
        output_id_(std::move(output_id)),
        levels_(std::move(levels)),
        on_error_(std::move(on_error)),
        frame_samples_(config_.sample_rate_hz / 100) {}

  const PulseDeviceConfig& config() const { return config_; }
  const std::string& input_id() const { return input_id_; }
  const std::string& output_id() const { return output_id_; }
  uint32_t playout_delay_ms() const { return playout_delay_ms_.load(); }

  void SetTransport(webrtc::AudioTransport* transport) {
    std::lock_guard lock(transport_mutex_);
    transport_ = transport;
  }

  // From now on the thread reaches neither the transport nor the error handler. Waits for a
  // transport call in progress (those never enter libpulse, so they end).
  void Abandon(ThreadControl& control) {
    std::lock_guard lock(transport_mutex_);
    control.abandoned = true;
  }

  void ReportLost(dt_audio_direction direction, const std::string& message, const ThreadControl* control = nullptr) {
    if (control != nullptr) {
      std::lock_guard lock(transport_mutex_);
      if (control->abandoned) return;
    }
    if (on_error_) on_error_(direction, message);
  }

  // Microphone: 10 ms frames paced by the server; after a failure, silence paced by a timer.
  // Every wait is a short slice so that StopRecording is prompt; a source that delivers nothing
  // for kStallTimeout while its server looks alive is lost too (a hung server is no microphone).
  void RecordingLoop(const ThreadControl& control) {
    std::vector<int16_t> frame(frame_samples_ * config_.channels);
    std::string error;
    std::unique_ptr<PulseStream> stream = Open(PA_STREAM_RECORD, input_id_, control.run, &error);
    if (!stream && control.run) ReportLost(DT_AUDIO_DIRECTION_INPUT, "cannot open the PulseAudio source: " + error, &control);
    auto next = std::chrono::steady_clock::now();
    auto last_frame = next;
    while (control.run) {
      uint32_t record_delay_ms = 0;
      if (stream) {
        auto result = stream->Read(frame.data(), FrameBytes(), kWaitSlice, &error);
        if (result == PulseStream::kTimeout) {
          if (std::chrono::steady_clock::now() - last_frame < kStallTimeout) continue;
          error = "no audio for " + std::to_string(kStallTimeout.count()) + " ms";
          result = PulseStream::kFailed;
        }
        if (result == PulseStream::kFailed) {
          stream.reset();
          ReportLost(DT_AUDIO_DIRECTION_INPUT, "the PulseAudio source stopped: " + error, &control);
          next = std::chrono::steady_clock::now();
        } else {
          last_frame = std::chrono::steady_clock::now();
          record_delay_ms = stream->LatencyMs();
        }
      }
      if (!stream) {
        std::fill(frame.begin(), frame.end(), int16_t{0});
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
      }
      ApplyLevel(frame, levels_->input_muted.load(), levels_->input_volume.load());
      Deliver(frame, record_delay_ms, control);
    }
  }

  // Speaker: 10 ms from the voice engine, writes paced by room in the server's buffer; after a
  // failure the engine is still pulled every 10 ms (its clock goes on) and the audio is dropped.
  // A sink with no room for kStallTimeout while its server looks alive is lost too.
  void PlayoutLoop(const ThreadControl& control) {
    std::vector<int16_t> frame(frame_samples_ * config_.channels);
    std::string error;
    std::unique_ptr<PulseStream> stream = Open(PA_STREAM_PLAYBACK, output_id_, control.run, &error);
    if (!stream && control.run) ReportLost(DT_AUDIO_DIRECTION_OUTPUT, "cannot open the PulseAudio sink: " + error, &control);
    auto next = std::chrono::steady_clock::now();
    while (control.run) {
      size_t got = 0;
      {
        std::lock_guard lock(transport_mutex_);
        if (transport_ != nullptr && !control.abandoned) {
          int64_t elapsed_ms = 0, ntp_ms = 0;
          transport_->NeedMorePlayData(frame_samples_, sizeof(int16_t) * config_.channels, config_.channels,
                                       config_.sample_rate_hz, frame.data(), got, &elapsed_ms, &ntp_ms);
        }
      }
      if (got < frame_samples_) std::fill(frame.begin() + got * config_.channels, frame.end(), int16_t{0});
      ApplyLevel(frame, levels_->output_muted.load(), levels_->output_volume.load());
      if (stream) {
        auto result = PulseStream::kTimeout;
        auto waiting_since = std::chrono::steady_clock::now();
        size_t written = 0;
        while (control.run && result == PulseStream::kTimeout) {
          result = stream->Write(frame.data(), FrameBytes(), &written, kWaitSlice, &error);
          if (result == PulseStream::kTimeout && std::chrono::steady_clock::now() - waiting_since >= kStallTimeout) {
            error = "no room for audio for " + std::to_string(kStallTimeout.count()) + " ms";
            result = PulseStream::kFailed;
          }
        }
        if (result == PulseStream::kFailed) {
          stream.reset();
          playout_delay_ms_ = 0;
          ReportLost(DT_AUDIO_DIRECTION_OUTPUT, "the PulseAudio sink stopped: " + error, &control);
          next = std::chrono::steady_clock::now();
        } else if (result == PulseStream::kDone) {
          playout_delay_ms_ = stream->LatencyMs();
        }
      }
      if (!stream) {
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
      }
    }
  }

 private:
  std::unique_ptr<PulseStream> Open(pa_stream_direction_t direction, const std::string& device,
                                    const std::atomic<bool>& run, std::string* error) const {
    pa_sample_spec spec{};
    spec.format = PA_SAMPLE_S16LE;
    spec.rate = config_.sample_rate_hz;
    spec.channels = static_cast<uint8_t>(config_.channels);
    const uint32_t frame_bytes = FrameBytes();
    // Small server buffers: 10 ms fragments; 40 ms of playout queued at most.
    pa_buffer_attr attr{};
    attr.maxlength = static_cast<uint32_t>(-1);
    attr.tlength = direction == PA_STREAM_PLAYBACK ? frame_bytes * 4 : static_cast<uint32_t>(-1);
    attr.prebuf = static_cast<uint32_t>(-1);
    attr.minreq = direction == PA_STREAM_PLAYBACK ? frame_bytes : static_cast<uint32_t>(-1);
    attr.fragsize = direction == PA_STREAM_RECORD ? frame_bytes : static_cast<uint32_t>(-1);
    try {
      return std::make_unique<PulseStream>(config_.server, direction, device, spec, attr,
                                           direction == PA_STREAM_RECORD ? "call microphone" : "call speaker", run);
    } catch (const std::exception& e) {
      *error = e.what();
      return nullptr;
    }
  }

  uint32_t FrameBytes() const { return static_cast<uint32_t>(frame_samples_ * config_.channels * sizeof(int16_t)); }

  // The application's software volume and mute, applied in place.
  static void ApplyLevel(std::vector<int16_t>& frame, bool muted, float volume) {
    if (muted) {
      std::fill(frame.begin(), frame.end(), int16_t{0});
    } else if (volume != 1.0f) {
      for (int16_t& sample : frame) sample = static_cast<int16_t>(static_cast<float>(sample) * volume);
    }
  }

  void Deliver(const std::vector<int16_t>& frame, uint32_t record_delay_ms, const ThreadControl& control) {
    std::lock_guard lock(transport_mutex_);
    if (transport_ == nullptr || control.abandoned) return;
    uint32_t new_mic_level = 0;
    // The echo canceller's stream delay: what is queued for playout + what waited in the capture buffer.
    transport_->RecordedDataIsAvailable(frame.data(), frame_samples_, sizeof(int16_t) * config_.channels,
                                        config_.channels, config_.sample_rate_hz,
                                        playout_delay_ms_.load() + record_delay_ms, 0, 0, false, new_mic_level);
  }

  const PulseDeviceConfig config_;
  const std::string input_id_;
  const std::string output_id_;
  const std::shared_ptr<DeviceLevels> levels_;
  const AudioDeviceErrorHandler on_error_;
  const size_t frame_samples_;

  std::mutex transport_mutex_;
  webrtc::AudioTransport* transport_ = nullptr;
  std::atomic<uint32_t> playout_delay_ms_{0};
};

class PulseAudioDevice : public webrtc::AudioDeviceModule {
 public:
  PulseAudioDevice(PulseDeviceConfig config, std::string input_id, std::string output_id,
                   std::shared_ptr<DeviceLevels> levels, AudioDeviceErrorHandler on_error)
      : core_(std::make_shared<PulseAudioCore>(std::move(config), std::move(input_id), std::move(output_id),
                                               std::move(levels), std::move(on_error))) {}

  ~PulseAudioDevice() override {
    StopRecording();
    StopPlayout();
  }

  int32_t ActiveAudioLayer(AudioLayer* layer) const override {
    *layer = kLinuxPulseAudio;
    return 0;
  }
  int32_t RegisterAudioCallback(webrtc::AudioTransport* transport) override {
    core_->SetTransport(transport);
    return 0;
  }
  int32_t Init() override {
    initialized_ = true;
    return 0;
  }
  int32_t Terminate() override {
    StopRecording();
    StopPlayout();
    initialized_ = false;
    return 0;
  }
  bool Initialized() const override { return initialized_; }

  // One device per direction, chosen when the factory was created.
  int16_t PlayoutDevices() override { return 1; }
  int16_t RecordingDevices() override { return 1; }
  int32_t PlayoutDeviceName(uint16_t index, char name[webrtc::kAdmMaxDeviceNameSize],
                            char guid[webrtc::kAdmMaxGuidSize]) override {
    return DeviceName(index, core_->output_id(), name, guid);
  }
  int32_t RecordingDeviceName(uint16_t index, char name[webrtc::kAdmMaxDeviceNameSize],
                              char guid[webrtc::kAdmMaxGuidSize]) override {
    return DeviceName(index, core_->input_id(), name, guid);
  }
  int32_t SetPlayoutDevice(uint16_t index) override { return index == 0 ? 0 : -1; }
  int32_t SetPlayoutDevice(WindowsDeviceType) override { return 0; }
  int32_t SetRecordingDevice(uint16_t index) override { return index == 0 ? 0 : -1; }
  int32_t SetRecordingDevice(WindowsDeviceType) override { return 0; }

  int32_t PlayoutIsAvailable(bool* available) override {
    *available = true;
    return 0;
  }
  int32_t InitPlayout() override {
    playout_initialized_ = true;
    return 0;
  }
  bool PlayoutIsInitialized() const override { return playout_initialized_; }
  int32_t RecordingIsAvailable(bool* available) override {
    *available = true;
    return 0;
  }
  int32_t InitRecording() override {
    recording_initialized_ = true;
    return 0;
  }
  bool RecordingIsInitialized() const override { return recording_initialized_; }

  int32_t StartPlayout() override {
    std::lock_guard lock(control_mutex_);
    if (playing_) return 0;
    playing_ = true;
    playout_thread_ = Launch("the PulseAudio playout thread", &PulseAudioCore::PlayoutLoop);
    return 0;
  }
  int32_t StopPlayout() override {
    std::lock_guard lock(control_mutex_);
    if (!playing_) return 0;
    playing_ = false;
    return Finish(playout_thread_, DT_AUDIO_DIRECTION_OUTPUT, "sink");
  }
  bool Playing() const override { return playing_; }
  int32_t StartRecording() override {
    std::lock_guard lock(control_mutex_);
    if (recording_) return 0;
    recording_ = true;
    recording_thread_ = Launch("the PulseAudio recording thread", &PulseAudioCore::RecordingLoop);
    return 0;
  }
  int32_t StopRecording() override {
    std::lock_guard lock(control_mutex_);
    if (!recording_) return 0;
    recording_ = false;
    return Finish(recording_thread_, DT_AUDIO_DIRECTION_INPUT, "source");
  }
  bool Recording() const override { return recording_; }

  int32_t InitSpeaker() override { return 0; }
  bool SpeakerIsInitialized() const override { return true; }
  int32_t InitMicrophone() override { return 0; }
  bool MicrophoneIsInitialized() const override { return true; }

  // Volume and mute stay with the sound server's own controls.
  int32_t SpeakerVolumeIsAvailable(bool* available) override { return NotAvailable(available); }
  int32_t SetSpeakerVolume(uint32_t) override { return -1; }
  int32_t SpeakerVolume(uint32_t*) const override { return -1; }
  int32_t MaxSpeakerVolume(uint32_t*) const override { return -1; }
  int32_t MinSpeakerVolume(uint32_t*) const override { return -1; }
  int32_t MicrophoneVolumeIsAvailable(bool* available) override { return NotAvailable(available); }
  int32_t SetMicrophoneVolume(uint32_t) override { return -1; }
  int32_t MicrophoneVolume(uint32_t*) const override { return -1; }
  int32_t MaxMicrophoneVolume(uint32_t*) const override { return -1; }
  int32_t MinMicrophoneVolume(uint32_t*) const override { return -1; }
  int32_t SpeakerMuteIsAvailable(bool* available) override { return NotAvailable(available); }
  int32_t SetSpeakerMute(bool) override { return -1; }
  int32_t SpeakerMute(bool*) const override { return -1; }
  int32_t MicrophoneMuteIsAvailable(bool* available) override { return NotAvailable(available); }
  int32_t SetMicrophoneMute(bool) override { return -1; }
  int32_t MicrophoneMute(bool*) const override { return -1; }

  int32_t StereoPlayoutIsAvailable(bool* available) const override {
    *available = Channels() == 2;
    return 0;
  }
  int32_t SetStereoPlayout(bool enable) override { return enable == (Channels() == 2) ? 0 : -1; }
  int32_t StereoPlayout(bool* enabled) const override {
    *enabled = Channels() == 2;
    return 0;
  }
  int32_t StereoRecordingIsAvailable(bool* available) const override {
    *available = Channels() == 2;
    return 0;
  }
  int32_t SetStereoRecording(bool enable) override { return enable == (Channels() == 2) ? 0 : -1; }
  int32_t StereoRecording(bool* enabled) const override {
    *enabled = Channels() == 2;
    return 0;
  }

  int32_t PlayoutDelay(uint16_t* delay_ms) const override {
    *delay_ms = static_cast<uint16_t>(core_->playout_delay_ms());
    return 0;
  }

  bool BuiltInAECIsAvailable() const override { return false; }
  bool BuiltInAGCIsAvailable() const override { return false; }
  bool BuiltInNSIsAvailable() const override { return false; }
  int32_t EnableBuiltInAEC(bool) override { return -1; }
  int32_t EnableBuiltInAGC(bool) override { return -1; }
  int32_t EnableBuiltInNS(bool) override { return -1; }

 private:
  // A direction's thread and what it shares with us.
  struct AudioThread {
    std::thread thread;
    std::shared_ptr<ThreadControl> control;
  };

  uint32_t Channels() const { return core_->config().channels; }

  static int32_t NotAvailable(bool* available) {
    *available = false;
    return 0;
  }

  static int32_t DeviceName(uint16_t index, const std::string& id, char* name, char* guid) {
    if (index != 0) return -1;
    std::string shown = id.empty() ? "default" : id;
    size_t n = std::min(shown.size(), static_cast<size_t>(webrtc::kAdmMaxDeviceNameSize - 1));
    std::memcpy(name, shown.data(), n);
    name[n] = '\0';
    if (guid != nullptr) {
      std::memcpy(guid, shown.data(), std::min(n, static_cast<size_t>(webrtc::kAdmMaxGuidSize - 1)));
      guid[std::min(n, static_cast<size_t>(webrtc::kAdmMaxGuidSize - 1))] = '\0';
    }
    return 0;
  }

  // The thread owns a reference to the core and to its control: see kStopTimeout.
  AudioThread Launch(const char* what, void (PulseAudioCore::*loop)(const ThreadControl&)) {
    auto control = std::make_shared<ThreadControl>();
    std::thread thread([core = core_, control, what, loop] {
      Contain(what, [&] { ((*core).*loop)(*control); });
      control->finished.Set();
    });
    return {std::move(thread), std::move(control)};
  }

  // Stops the thread: joined when it ends within kStopTimeout, else given up (see above). -1 then.
  int32_t Finish(AudioThread& audio, dt_audio_direction direction, const char* what) {
    AudioThread ending = std::move(audio);
    audio = {};
    if (!ending.control) return 0;
    ending.control->run = false;
    if (ending.control->finished.Wait(webrtc::TimeDelta::Millis(
            std::chrono::duration_cast<std::chrono::milliseconds>(kStopTimeout).count()))) {
      if (ending.thread.joinable()) ending.thread.join();
      return 0;
    }
    core_->Abandon(*ending.control);
    if (ending.thread.joinable()) ending.thread.detach();
    core_->ReportLost(direction, std::string("the PulseAudio ") + what + " did not stop within " +
                                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kStopTimeout).count()) +
                                     " s (libpulse is stuck); its thread was left behind");
    return -1;
  }

  const std::shared_ptr<PulseAudioCore> core_;
  std::mutex control_mutex_;
  std::atomic<bool> initialized_{false};
  std::atomic<bool> playout_initialized_{false};
  std::atomic<bool> recording_initialized_{false};
  std::atomic<bool> playing_{false};
  std::atomic<bool> recording_{false};
  AudioThread playout_thread_;
  AudioThread recording_thread_;
};

// The PulseAudio name of `wanted` (a name or a description) among `devices`; empty stays empty (default).
std::string Resolve(const std::vector<PulseDeviceInfo>& devices, const std::string& wanted, const char* kind) {
  if (wanted.empty()) return "";
  for (const auto& d : devices) {
    if (d.id == wanted) return d.id;
  }
  const PulseDeviceInfo* by_description = nullptr;
  for (const auto& d : devices) {
    if (d.description != wanted) continue;
    if (by_description != nullptr) {
      throw Error(DT_ERROR_AUDIO_DEVICE, std::string("more than one PulseAudio ") + kind + " is described as '" + wanted +
                                             "' (" + by_description->id + ", " + d.id + "): choose one by id");
    }
    by_description = &d;
  }
  if (by_description != nullptr) return by_description->id;
  std::string known;
  for (const auto& d : devices) known += (known.empty() ? "" : ", ") + d.id;
  throw Error(DT_ERROR_AUDIO_DEVICE, std::string("no PulseAudio ") + kind + " named '" + wanted + "' (available: " + known + ")");
}

}  // namespace

std::vector<PulseDeviceInfo> ListPulseDevices(const std::string& server, dt_audio_direction direction) {
  Connection connection(server);
  ListState state{direction, {}, "", 2};
  pa_operation* info = Pulse().pa_context_get_server_info(connection.context(), OnServerInfo, &state);
  pa_operation* list = direction == DT_AUDIO_DIRECTION_INPUT
                           ? Pulse().pa_context_get_source_info_list(connection.context(), OnSourceInfo, &state)
                           : Pulse().pa_context_get_sink_info_list(connection.context(), OnSinkInfo, &state);
  if (info == nullptr || list == nullptr) {
    if (info) Pulse().pa_operation_unref(info);
    if (list) Pulse().pa_operation_unref(list);
    throw connection.Failure("cannot query", server);
  }
  try {
    connection.RunUntil([&] { return state.pending <= 0; }, server);
  } catch (...) {
    Pulse().pa_operation_cancel(info);
    Pulse().pa_operation_cancel(list);
    Pulse().pa_operation_unref(info);
    Pulse().pa_operation_unref(list);
    throw;
  }
  Pulse().pa_operation_unref(info);
  Pulse().pa_operation_unref(list);
  for (auto& d : state.devices) d.is_default = d.id == state.default_name;
  return state.devices;
}

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreatePulseAudioDevice(const PulseDeviceConfig& config,
                                                                    std::shared_ptr<DeviceLevels> levels,
                                                                    AudioDeviceErrorHandler on_error) {
  std::string input = Resolve(ListPulseDevices(config.server, DT_AUDIO_DIRECTION_INPUT), config.input, "source");
  std::string output = Resolve(ListPulseDevices(config.server, DT_AUDIO_DIRECTION_OUTPUT), config.output, "sink");
  return rtc::make_ref_counted<PulseAudioDevice>(config, std::move(input), std::move(output), std::move(levels),
                                                 std::move(on_error));
}

}  // namespace dt

extern "C" DT_API int32_t dt_audio_devices_list(const char* server, dt_audio_direction direction,
                                                dt_audio_device_callback callback, void* user_data) {
  return dt::Guard(__func__, [&] {
    dt::RequireArgument(callback != nullptr, "callback is NULL");
    dt_audio_direction checked =
        dt::CheckedEnum(direction, DT_AUDIO_DIRECTION_INPUT, DT_AUDIO_DIRECTION_OUTPUT, "direction");
    for (const auto& d : dt::ListPulseDevices(server ? server : "", checked)) {
      callback(user_data, d.id.c_str(), d.description.c_str(), d.is_default);
    }
    return DT_OK;
  });
}
