// libpulse, opened with dlopen the first time the PulseAudio device (or the
// device list) is used, so that the shim loads and runs headless on a system without PulseAudio.
// The shim never links it: a missing library is a clear DT_ERROR_AUDIO_DEVICE, not a load failure.
#pragma once

#include <pulse/error.h>
#include <pulse/introspect.h>
#include <pulse/mainloop.h>
#include <pulse/stream.h>
#include <pulse/thread-mainloop.h>

namespace dt {

// Every libpulse function the device uses. Each member has the type of the declaration in the
// libpulse headers, so a signature mismatch is a compile error.
#define DT_PULSE_FUNCTIONS(X)                                                                       \
  X(pa_context_connect) X(pa_context_disconnect) X(pa_context_errno) X(pa_context_get_server_info) \
  X(pa_context_get_sink_info_list) X(pa_context_get_source_info_list) X(pa_context_get_state)      \
  X(pa_context_new) X(pa_context_unref) X(pa_mainloop_free) X(pa_mainloop_get_api)                 \
  X(pa_mainloop_iterate) X(pa_mainloop_new) X(pa_operation_cancel) X(pa_operation_unref) X(pa_strerror)    \
  X(pa_context_set_state_callback) X(pa_stream_new) X(pa_stream_unref) X(pa_stream_connect_record)          \
  X(pa_stream_connect_playback) X(pa_stream_disconnect) X(pa_stream_get_state) X(pa_stream_peek)            \
  X(pa_stream_drop) X(pa_stream_write) X(pa_stream_writable_size) X(pa_stream_get_latency)                  \
  X(pa_stream_set_state_callback) X(pa_stream_set_read_callback) X(pa_stream_set_write_callback)            \
  X(pa_threaded_mainloop_new) X(pa_threaded_mainloop_free) X(pa_threaded_mainloop_start)                    \
  X(pa_threaded_mainloop_stop) X(pa_threaded_mainloop_lock) X(pa_threaded_mainloop_unlock)                  \
  X(pa_threaded_mainloop_get_api)

struct PulseLibrary {
#define DT_PULSE_MEMBER(name) decltype(&::name) name;
  DT_PULSE_FUNCTIONS(DT_PULSE_MEMBER)
#undef DT_PULSE_MEMBER
};

// The loaded functions. Loads once (thread-safe) and keeps the library for the process's life;
// throws Error(DT_ERROR_AUDIO_DEVICE) naming the missing library or symbol, on every call after a
// failure too.
const PulseLibrary& Pulse();

}  // namespace dt
