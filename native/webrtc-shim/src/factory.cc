#include "factory.h"

#include <thread>

#include "audio_device_pulse.h"
#include "audio_processing.h"
#include "audio_source_call.h"
#include "errors.h"
#include "log_sink.h"
#include "shared_task_queues.h"
#include "srtp_keep_initialized.h"
#include "webrtc_compat.h"

namespace dt {

std::shared_ptr<Factory> Factory::Create(const dt_factory_options* in) {
  dt_factory_options defaults{};
  defaults.struct_size = sizeof(defaults);
  defaults.audio_device = DT_AUDIO_DEVICE_NONE;
  dt_factory_options options = ReadVersioned(in, defaults, "dt_factory_options");
  // The nested struct is only meaningful when the caller's struct reaches it.
  bool has_processing = in != nullptr && in->struct_size >= offsetof(dt_factory_options, audio_processing) + sizeof(uint32_t);
  dt_audio_processing_options processing = ReadAudioProcessingOptions(has_processing ? &options.audio_processing : nullptr);

  uint32_t rate = options.sample_rate_hz == 0 ? 48000 : options.sample_rate_hz;
  uint32_t channels = options.channels == 0 ? 1 : options.channels;
  if (rate < 8000 || rate > 48000 || rate % 100 != 0) throw Error(DT_ERROR_INVALID_ARGUMENT, "sample_rate_hz must be 8000..48000 and a multiple of 100");
  if (channels > 2) throw Error(DT_ERROR_INVALID_ARGUMENT, "channels must be 1 or 2");
  compat::OpusSettings opus;
  if (options.opus_sample_rate_hz != 0 && options.opus_sample_rate_hz != 16000 && options.opus_sample_rate_hz != 48000) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "opus_sample_rate_hz must be 0, 16000 or 48000");
  }
  if (options.opus_sample_rate_hz != 0) opus.sample_rate_hz = static_cast<int>(options.opus_sample_rate_hz);
  if (options.media_threads > 64) throw Error(DT_ERROR_INVALID_ARGUMENT, "media_threads must be 0 (a thread per task queue) or 1..64");
  if (options.engine_threads != 0 && options.engine_threads != 1 && options.engine_threads != 3) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, "engine_threads must be 0 or 3 (network, worker and signalling threads) or 1 (one for all three)");
  }

  InitLogging();
  KeepLibsrtpInitialized();

  // A custom deleter: the last reference may be dropped by a task on one of the factory's own
  // threads, which cannot join itself; then the teardown moves to a short-lived thread.
  std::shared_ptr<Factory> factory(new Factory(), [](Factory* f) {
    if (f->IsOwnThread()) {
      std::thread([f] { delete f; }).detach();
    } else {
      delete f;
    }
  });
  factory->device_task_queues_ = compat::CreateTaskQueueFactory();
  if (RawEnum(options.audio_device) == DT_AUDIO_DEVICE_PER_CALL) {
    factory->per_call_audio_ = true;
    // The device plays (discards) the mix at the calls' decoding rate, so the mix is not resampled.
    factory->audio_device_ = CreatePerCallAudioDevice(factory->device_task_queues_.get(), opus.sample_rate_hz);
  } else switch (CheckedEnum(options.audio_device, DT_AUDIO_DEVICE_NONE, DT_AUDIO_DEVICE_PULSEAUDIO, "audio_device")) {
    case DT_AUDIO_DEVICE_NONE:
      factory->audio_device_ = CreateSilentAudioDevice(factory->device_task_queues_.get());
      break;
    case DT_AUDIO_DEVICE_VIRTUAL:
      factory->virtual_io_ = std::make_shared<VirtualAudioIo>(rate, channels);
      factory->audio_device_ = CreateVirtualAudioDevice(factory->device_task_queues_.get(), factory->virtual_io_);
      break;
    case DT_AUDIO_DEVICE_WAV_FILE:
      factory->audio_device_ = CreateWavAudioDevice(
          factory->device_task_queues_.get(), options.wav_input_path ? options.wav_input_path : "", options.wav_loop_input,
          options.wav_output_path ? options.wav_output_path : "", rate, channels);
      break;
    case DT_AUDIO_DEVICE_PER_CALL:  // handled above; CheckedEnum's range excludes it here
      break;
    case DT_AUDIO_DEVICE_PULSEAUDIO: {
      PulseDeviceConfig pulse;
      pulse.server = options.audio_server ? options.audio_server : "";
      pulse.input = options.input_device ? options.input_device : "";
      pulse.output = options.output_device ? options.output_device : "";
      pulse.sample_rate_hz = rate;
      pulse.channels = channels;
      // The slot, not the factory, is captured: the device may outlive the application's handle.
      std::shared_ptr<CallbackSlot<dt_factory_callbacks>> events = factory->events_;
      factory->device_levels_ = std::make_shared<DeviceLevels>();
      factory->audio_device_ = CreatePulseAudioDevice(pulse, factory->device_levels_, [events](dt_audio_direction direction, const std::string& message) {
        events->Fire([&](const dt_factory_callbacks& cb, void* user_data) {
          if (cb.on_audio_device_error != nullptr) cb.on_audio_device_error(user_data, direction, message.c_str());
        });
      });
      break;
    }
  }
  if (!factory->audio_device_) throw Error(DT_ERROR_AUDIO_DEVICE, "the audio device could not be created");
  factory->audio_processing_ = CreateAudioProcessing(processing);

  factory->network_thread_ = compat::CreateNetworkThread("dt-network");
  if (options.engine_threads != 1) {  // else the network thread is all three (worker_thread() and signaling_thread())
    factory->worker_thread_ = compat::CreateThread("dt-worker");
    factory->signaling_thread_ = compat::CreateThread("dt-signaling");
  }
  factory->network_change_ = std::make_shared<NetworkChangeSignal>(factory->network_thread_.get());
  factory->pc_factory_ = compat::CreateAudioOnlyFactory(factory->network_thread_.get(), factory->worker_thread(),
                                                        factory->signaling_thread(), factory->audio_device_,
                                                        factory->audio_processing_, &factory->audio_engine_,
                                                        std::make_unique<NetworkChangeMonitorFactory>(factory->network_change_),
                                                        opus,
                                                        options.media_threads > 0
                                                            ? CreateSharedTaskQueueFactory(static_cast<int>(options.media_threads))
                                                            : nullptr);
  if (!factory->pc_factory_) throw Error(DT_ERROR_CREATE_FAILED, "libwebrtc could not create the PeerConnectionFactory");
  // The voice engine switched every APM component on while initialising; restore the caller's choice.
  factory->SetAudioProcessing(processing);
  return factory;
}

Factory::~Factory() {
  // Reverse order of creation. The PeerConnectionFactory's proxy destroys it on the signalling
  // thread (media engine on the worker), so the threads are stopped only afterwards.
  pc_factory_ = nullptr;
  audio_engine_ = {};
  audio_device_ = nullptr;
  audio_processing_ = nullptr;
  signaling_thread_.reset();
  worker_thread_.reset();
  network_thread_.reset();
  device_task_queues_.reset();
}

bool Factory::IsOwnThread() const {
  for (const auto* thread : {network_thread_.get(), worker_thread_.get(), signaling_thread_.get()}) {
    if (thread != nullptr && thread->IsCurrent()) return true;
  }
  return false;
}

void Factory::SetAudioProcessing(const dt_audio_processing_options& options) {
  std::lock_guard lock(processing_mutex_);
  ApplyAudioProcessing(*audio_processing_, options);
}

DeviceLevels& Factory::device_levels() const {
  if (!device_levels_) throw Error(DT_ERROR_NOT_SUPPORTED, "volume and mute need DT_AUDIO_DEVICE_PULSEAUDIO");
  return *device_levels_;
}

VirtualAudioIo& Factory::virtual_io() const {
  if (!virtual_io_) throw Error(DT_ERROR_INVALID_STATE, "the factory's audio device is not DT_AUDIO_DEVICE_VIRTUAL");
  return *virtual_io_;
}

}  // namespace dt

using dt::Factory;
using dt::Guard;

extern "C" {

DT_API int32_t dt_factory_create(const dt_factory_options* options, dt_factory** out_factory) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_factory != nullptr, "out_factory is NULL");
    *out_factory = nullptr;
    *out_factory = dt::Register(Factory::Create(options));
    return DT_OK;
  });
}

DT_API int32_t dt_factory_release(dt_factory* factory) {
  return Guard(__func__, [&] {
    auto f = dt::Lookup<Factory>(factory);
    if (f->events_gate().InsideOnThisThread()) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "dt_factory_release called from one of the factory's own callbacks");
    }
    dt::Unregister<Factory>(factory);  // peer connections keep their own reference
    f->events_gate().CloseAndDrain();  // ... but the application hears nothing more from it
    return DT_OK;
  });
}

DT_API int32_t dt_factory_set_audio_device_volume(dt_factory* factory, dt_audio_direction direction, float volume) {
  return Guard(__func__, [&] {
    dt_audio_direction d = dt::CheckedEnum(direction, DT_AUDIO_DIRECTION_INPUT, DT_AUDIO_DIRECTION_OUTPUT, "direction");
    if (!(volume >= 0.0f && volume <= 1.0f)) throw dt::Error(DT_ERROR_INVALID_ARGUMENT, "volume must be 0.0..1.0");
    dt::DeviceLevels& levels = dt::Lookup<Factory>(factory)->device_levels();
    (d == DT_AUDIO_DIRECTION_INPUT ? levels.input_volume : levels.output_volume).store(volume);
    return DT_OK;
  });
}

DT_API int32_t dt_factory_set_audio_device_muted(dt_factory* factory, dt_audio_direction direction, bool muted) {
  return Guard(__func__, [&] {
    dt_audio_direction d = dt::CheckedEnum(direction, DT_AUDIO_DIRECTION_INPUT, DT_AUDIO_DIRECTION_OUTPUT, "direction");
    dt::DeviceLevels& levels = dt::Lookup<Factory>(factory)->device_levels();
    (d == DT_AUDIO_DIRECTION_INPUT ? levels.input_muted : levels.output_muted).store(muted);
    return DT_OK;
  });
}

DT_API int32_t dt_factory_set_callbacks(dt_factory* factory, const dt_factory_callbacks* callbacks, void* user_data) {
  return Guard(__func__, [&] {
    dt::Lookup<Factory>(factory)->events().Set(callbacks, user_data, "dt_factory_callbacks");
    return DT_OK;
  });
}

DT_API int32_t dt_factory_set_audio_processing(dt_factory* factory, const dt_audio_processing_options* options) {
  return Guard(__func__, [&] {
    dt::RequireArgument(options != nullptr, "options is NULL");
    auto f = dt::Lookup<Factory>(factory);
    f->SetAudioProcessing(dt::ReadAudioProcessingOptions(options));
    return DT_OK;
  });
}

DT_API int32_t dt_factory_push_capture_audio(dt_factory* factory, const int16_t* samples, size_t samples_per_channel,
                                             uint32_t sample_rate_hz, uint32_t channels) {
  return Guard(__func__, [&] {
    dt::RequireArgument(samples != nullptr || samples_per_channel == 0, "samples is NULL");
    auto f = dt::Lookup<Factory>(factory);
    dt::VirtualAudioIo& io = f->virtual_io();
    if (sample_rate_hz != io.sample_rate_hz || channels != io.channels) {
      throw dt::Error(DT_ERROR_AUDIO_FORMAT, "the device runs at " + std::to_string(io.sample_rate_hz) + " Hz, " +
                                                 std::to_string(io.channels) + " channel(s)");
    }
    io.capture.Write(samples, samples_per_channel * channels);
    return DT_OK;
  });
}

DT_API int32_t dt_factory_pull_playout_audio(dt_factory* factory, int16_t* samples, size_t samples_per_channel,
                                             uint32_t sample_rate_hz, uint32_t channels,
                                             size_t* out_samples_per_channel_read) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_samples_per_channel_read != nullptr, "out_samples_per_channel_read is NULL");
    *out_samples_per_channel_read = 0;
    dt::RequireArgument(samples != nullptr || samples_per_channel == 0, "samples is NULL");
    auto f = dt::Lookup<Factory>(factory);
    dt::VirtualAudioIo& io = f->virtual_io();
    if (sample_rate_hz != io.sample_rate_hz || channels != io.channels) {
      throw dt::Error(DT_ERROR_AUDIO_FORMAT, "the device runs at " + std::to_string(io.sample_rate_hz) + " Hz, " +
                                                 std::to_string(io.channels) + " channel(s)");
    }
    *out_samples_per_channel_read = io.playout.Read(samples, samples_per_channel * channels) / channels;
    return DT_OK;
  });
}

}  // extern "C"
