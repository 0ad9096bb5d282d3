/*
 * webrtc_shim.h — the whole C ABI of Dialtone's libwebrtc shim (library `dialtone_webrtc`).
 *
 * A plain C99 header: the C# bindings in bindings/ are generated from it, so everything the managed
 * side may do is declared here and nothing C++ leaks through.
 *
 * Conventions (docs/abi.md explains them at length):
 *  - Prefix `dt_`, object first then verb: dt_peer_connection_create_offer(...).
 *  - Every fallible function returns an int32_t result: DT_OK (0) or a negative dt_result_code.
 *    dt_last_error_message() returns the detail of the last failure on the calling thread (for SDP
 *    and description errors it is libwebrtc's own message). No C++ exception ever crosses this ABI.
 *  - Handles are opaque and validated: a stale or foreign handle gives DT_ERROR_INVALID_HANDLE.
 *  - Strings in are UTF-8, NUL-terminated and copied. Strings out go into a caller buffer:
 *    pass buffer=NULL (or a too-small capacity) to learn the size needed, including the NUL.
 *    Pointers handed to a callback are borrowed for the duration of that call only.
 *  - Structs passed in start with `uint32_t struct_size` (set it to sizeof) so they can grow.
 *  - Callbacks run on the shim's own threads (named per callback below). They must return quickly.
 *    After an object's dt_*_release returns, no callback for it runs again.
 *  - Asynchronous operations take a completion callback. If the function returns non-zero the
 *    callback is never called; if it returns DT_OK the callback is called exactly once — with
 *    DT_ERROR_CLOSED if the peer connection is closed or released first.
 *  - Thread safety: every function may be called from any thread at any time unless its comment
 *    says otherwise; synchronous calls hop to the peer connection's signalling thread.
 */
#ifndef DIALTONE_WEBRTC_SHIM_H
#define DIALTONE_WEBRTC_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(DT_SHIM_BUILDING)
#    define DT_API __declspec(dllexport)
#  else
#    define DT_API __declspec(dllimport)
#  endif
#else
#  define DT_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change; the managed loader refuses a library whose value differs. */
#define DT_ABI_VERSION 1

/* ------------------------------------------------------------------------------------------------
 * Results
 * ----------------------------------------------------------------------------------------------*/

typedef enum dt_result_code {
  DT_OK = 0,

  /* -1 .. -99: general */
  DT_ERROR_INVALID_ARGUMENT = -1, /* a NULL where a value is required, a value out of range */
  DT_ERROR_INVALID_HANDLE = -2,   /* released, stale or foreign handle */
  DT_ERROR_INVALID_STATE = -3,    /* the operation is not allowed in the object's current state */
  DT_ERROR_BUFFER_TOO_SMALL = -4, /* the size needed was written to the *needed output */
  DT_ERROR_NOT_SUPPORTED = -5,    /* not available in this build or on this platform */
  DT_ERROR_CLOSED = -6,           /* the object was closed before the operation completed */
  DT_ERROR_INTERNAL = -7,         /* unexpected failure inside libwebrtc or the shim (C++ exception) */
  DT_ERROR_OUT_OF_MEMORY = -8,

  /* -100 .. -199: peer connection, session descriptions, ICE */
  DT_ERROR_CREATE_FAILED = -100,   /* libwebrtc refused to create the object; see the message */
  DT_ERROR_SDP_PARSE = -101,       /* the SDP text could not be parsed */
  DT_ERROR_SDP_REJECTED = -102,    /* a well-formed description was refused (wrong state, unsupported offer) */
  DT_ERROR_ICE_CANDIDATE = -103,   /* a candidate could not be parsed or added */
  DT_ERROR_OPERATION_FAILED = -104, /* create offer/answer or get stats failed; see the message */

  /* -200 .. -299: audio */
  DT_ERROR_AUDIO_DEVICE = -200, /* the audio device could not be opened or started */
  DT_ERROR_WAV_FILE = -201,     /* a WAV file could not be read or written */
  DT_ERROR_AUDIO_FORMAT = -202, /* pushed/pulled PCM does not match the device's rate or channels */

  /* -300 .. -399: data channels */
  DT_ERROR_DATA_CHANNEL_SEND = -300, /* the channel is not open or its buffer is full */

  /* -400 .. -499: DTMF */
  DT_ERROR_DTMF = -400 /* the sender cannot send DTMF now (no telephone-event negotiated, not sending) */
} dt_result_code;

/* DT_ABI_VERSION of the loaded library. Never fails. */
DT_API uint32_t dt_abi_version(void);

/* The message of the last failure on the calling thread (UTF-8). Returns the size needed including
 * the NUL; writes at most `capacity` bytes (always NUL-terminated when capacity > 0). An empty string
 * when nothing failed yet. Never fails. */
DT_API size_t dt_last_error_message(char* buffer, size_t capacity);

/* Counts of live shim objects, for leak tests. Never fails. */
typedef struct dt_live_objects {
  uint32_t struct_size;
  int64_t factories;
  int64_t peer_connections;
  int64_t data_channels;
  int64_t transceivers;
  int64_t audio_processors; /* standalone dt_audio_processor objects */
} dt_live_objects;

DT_API int32_t dt_get_live_objects(dt_live_objects* out_counts);

/* ------------------------------------------------------------------------------------------------
 * Logging: libwebrtc's own log lines, routed to the application.
 * ----------------------------------------------------------------------------------------------*/

typedef enum dt_log_severity {
  DT_LOG_VERBOSE = 0,
  DT_LOG_INFO = 1,
  DT_LOG_WARNING = 2,
  DT_LOG_ERROR = 3,
  DT_LOG_NONE = 4
} dt_log_severity;

/* Called on any libwebrtc thread; `message` is borrowed for the call. */
typedef void (*dt_log_callback)(void* user_data, dt_log_severity severity, const char* message);

/* Installs (or with callback=NULL removes) the process-wide log sink. Lines below `min_severity`
 * are not delivered. After it returns, the previous callback is not called again. */
DT_API int32_t dt_set_log_callback(dt_log_callback callback, void* user_data, dt_log_severity min_severity);

/* ------------------------------------------------------------------------------------------------
 * Factory: libwebrtc's threads, codecs, audio device and audio processing.
 * ----------------------------------------------------------------------------------------------*/

typedef struct dt_factory dt_factory;

typedef enum dt_audio_device_kind {
  /* No audio device: nothing is captured (silence is sent), nothing is played. */
  DT_AUDIO_DEVICE_NONE = 0,
  /* The application pushes microphone PCM (dt_factory_push_capture_audio) and pulls speaker PCM
   * (dt_factory_pull_playout_audio); the device runs its own real-time 10 ms clock between two FIFOs. */
  DT_AUDIO_DEVICE_VIRTUAL = 1,
  /* The microphone plays `wav_input_path`; the speaker is recorded to `wav_output_path`. */
  DT_AUDIO_DEVICE_WAV_FILE = 2,
  /* Real devices through a PulseAudio server (PipeWire serves the same API): `input_device` and
   * `output_device` on `audio_server`, paced by the server's clock, with the measured playout and
   * capture latency reported to the echo canceller. */
  DT_AUDIO_DEVICE_PULSEAUDIO = 3,
  /* No device and no sound server: every call's audio is its own (see "Per-call audio" at the end). */
  DT_AUDIO_DEVICE_PER_CALL = 4
} dt_audio_device_kind;

typedef enum dt_audio_direction {
  DT_AUDIO_DIRECTION_INPUT = 0, /* microphone: a PulseAudio source */
  DT_AUDIO_DIRECTION_OUTPUT = 1 /* speaker: a PulseAudio sink */
} dt_audio_direction;

typedef enum dt_noise_suppression_level {
  DT_NOISE_SUPPRESSION_LOW = 0,
  DT_NOISE_SUPPRESSION_MODERATE = 1,
  DT_NOISE_SUPPRESSION_HIGH = 2,
  DT_NOISE_SUPPRESSION_VERY_HIGH = 3
} dt_noise_suppression_level;

/* Switches of libwebrtc's AudioProcessing module (APM), applied to captured audio. */
typedef struct dt_audio_processing_options {
  uint32_t struct_size;
  bool echo_cancellation;  /* AEC3 */
  bool noise_suppression;
  dt_noise_suppression_level noise_suppression_level;
  bool auto_gain_control;  /* AGC2 (adaptive digital) */
  bool high_pass_filter;
} dt_audio_processing_options;

typedef struct dt_factory_options {
  uint32_t struct_size;
  dt_audio_device_kind audio_device;
  /* Virtual and WAV devices: PCM format at the application side. 0 means 48000 Hz / 1 channel. */
  uint32_t sample_rate_hz;
  uint32_t channels;
  /* DT_AUDIO_DEVICE_WAV_FILE: the file played as the microphone (16-bit PCM WAV), and whether to
   * start over at its end; the file the speaker is recorded to (NULL: do not record). */
  const char* wav_input_path;
  bool wav_loop_input;
  const char* wav_output_path;
  dt_audio_processing_options audio_processing;
  /* DT_AUDIO_DEVICE_PULSEAUDIO: the server ("unix:/run/user/1000/pulse/native", "tcp:host:4713";
   * NULL or "": libpulse's default, e.g. $PULSE_SERVER), and the source and sink by PulseAudio name
   * (id) or description (NULL or "": the server's defaults). Checked when the factory is created:
   * an unreachable server or an unknown device is DT_ERROR_AUDIO_DEVICE. */
  const char* audio_server;
  const char* input_device;
  const char* output_device;
  /* The rate at which the Opus encoder of every call of this factory takes audio, and its decoder
   * and jitter buffer (NetEq) produce it: 16000 (wideband: audio up to 8 kHz, what telephony and
   * speech recognition use; 16 kHz call audio is then never resampled and NetEq works on a third of
   * the samples: the lean choice for a bot holding many calls) or 48000 (fullband, what a softphone
   * wants); 0 means 48000. The SDP (opus/48000/2) and the RTP clock are the same either way, so any
   * peer can talk to it; at 16000 the Opus fmtp also declares maxplaybackrate=16000 and
   * sprop-maxcapturerate=16000 (RFC 7587), so peers that honour them encode wideband. (The encoder's complexity stays libwebrtc's default: measured with this
   * libopus, encoding costs 3.4-7.7 CPU-ms per call-second at any complexity 0..10, not monotonic,
   * against ~45 for the whole call; not worth a knob.) */
  uint32_t opus_sample_rate_hz;
  /* Threads that run the calls' send-side task queues (Opus encoder, pacer, transport controller).
   * 0: libwebrtc's own, a thread per queue (three per call, each woken every 10-20 ms). 1..64: that
   * many shared threads serve every queue of this factory's peer connections and voice engine (plain
   * RTP/SDES sessions keep libwebrtc's own), each queue's tasks still in order, so a
   * 10 ms frame of many calls costs a few wake-ups instead of three per call (measured with 10 held
   * Opus calls: ~42 -> ~24 CPU-ms per call-second; docs/scale-out.md); a slow task then delays the
   * other calls on its thread. They are scheduled as libwebrtc schedules its own (SCHED_FIFO where
   * the process may). A held call costs its thread ~15 CPU-ms/s: about one per 50 calls, at most
   * one per core (more threads wake more). */
  uint32_t media_threads;
  /* libwebrtc's network, worker and signalling threads. 0 (or 3): three threads, as in Chrome.
   * 1: one thread ("dt-network") is all three, so libwebrtc's many blocking calls between them during
   * set-up and teardown run inline instead of waking another thread each, and received packets are not
   * handed from the network to the worker thread: the choice for many short calls (a bot, a load
   * generator; measured: ~205 -> ~95 thread wake-ups and ~12 -> ~9 CPU-ms per call set up and torn
   * down, docs/scale-out.md). Everything libwebrtc does outside the media and audio threads then shares
   * one core, and a slow offer/answer or statistics report delays every call's packets meanwhile. */
  uint32_t engine_threads;
} dt_factory_options;

/* Creates the factory, its libwebrtc threads (network, worker, signalling: engine_threads), the audio device
 * and the audio processing module. Codecs offered, in order: Opus (48 kHz stereo), G.722, PCMU,
 * PCMA, telephone-event. `options` may be NULL for defaults (no audio device, APM all on). */
DT_API int32_t dt_factory_create(const dt_factory_options* options, dt_factory** out_factory);

/* Drops the application's reference. Peer connections created from it keep what they need alive;
 * the threads stop when the last of them is released. No dt_factory_callbacks callback runs after
 * it returns (it waits for one in progress on another thread). */
DT_API int32_t dt_factory_release(dt_factory* factory);

/* Events of a factory's audio device. Any member may be NULL. */
typedef struct dt_factory_callbacks {
  uint32_t struct_size;
  /* The device stopped working in `direction` (unplugged, server gone; `message` says why). The
   * calls go on with silence in that direction. Runs on the device's audio thread. */
  void (*on_audio_device_error)(void* user_data, dt_audio_direction direction, const char* message);
} dt_factory_callbacks;

/* Registers the callbacks (copied; NULL removes them). After dt_factory_release returns none runs
 * again, even while peer connections keep the device alive; so release must not be called from one
 * of these callbacks (DT_ERROR_INVALID_STATE). */
DT_API int32_t dt_factory_set_callbacks(dt_factory* factory, const dt_factory_callbacks* callbacks, void* user_data);

/* DT_AUDIO_DEVICE_PULSEAUDIO only (DT_ERROR_NOT_SUPPORTED for other devices): a software volume
 * 0.0..1.0 for the microphone (applied to captured audio before processing and sending) or the
 * speaker (applied to what is played), and mute (silence in that direction; the call goes on and
 * the volume is kept). Both take effect on the next 10 ms frame; the sound server's own volume is
 * left alone. */
DT_API int32_t dt_factory_set_audio_device_volume(dt_factory* factory, dt_audio_direction direction, float volume);
DT_API int32_t dt_factory_set_audio_device_muted(dt_factory* factory, dt_audio_direction direction, bool muted);

/* One device of dt_audio_devices_list: `id` is the PulseAudio name, `description` the human one;
 * both borrowed for the call. */
typedef void (*dt_audio_device_callback)(void* user_data, const char* id, const char* description, bool is_default);

/* Lists the sources (DT_AUDIO_DIRECTION_INPUT, monitors of sinks included: their id ends in
 * ".monitor") or sinks (OUTPUT) of a PulseAudio server (`server` NULL or "": the default), calling
 * `callback` on the calling thread once per device before returning. DT_ERROR_AUDIO_DEVICE when the
 * server cannot be reached within 5 s. */
DT_API int32_t dt_audio_devices_list(const char* server, dt_audio_direction direction,
                                     dt_audio_device_callback callback, void* user_data);

/* Changes the audio processing switches; takes effect on the next 10 ms frame, also mid-call. */
DT_API int32_t dt_factory_set_audio_processing(dt_factory* factory, const dt_audio_processing_options* options);

/* DT_AUDIO_DEVICE_VIRTUAL only. Appends interleaved 16-bit PCM to the microphone FIFO.
 * `sample_rate_hz` and `channels` must match the factory's (DT_ERROR_AUDIO_FORMAT otherwise). Any
 * number of samples; the FIFO keeps at most 500 ms and drops the oldest audio beyond that. When the
 * FIFO runs dry the device captures silence. Does not allocate. */
DT_API int32_t dt_factory_push_capture_audio(dt_factory* factory, const int16_t* samples,
                                             size_t samples_per_channel, uint32_t sample_rate_hz,
                                             uint32_t channels);

/* DT_AUDIO_DEVICE_VIRTUAL only. Takes up to `samples_per_channel` frames of mixed speaker audio
 * (all peer connections of this factory) from the playout FIFO; writes the count taken to
 * *out_samples_per_channel_read (0 when none is buffered; never blocks). The FIFO keeps at most
 * 500 ms and drops the oldest beyond that. Does not allocate. */
DT_API int32_t dt_factory_pull_playout_audio(dt_factory* factory, int16_t* samples,
                                             size_t samples_per_channel, uint32_t sample_rate_hz,
                                             uint32_t channels, size_t* out_samples_per_channel_read);

/* ------------------------------------------------------------------------------------------------
 * Peer connection
 * ----------------------------------------------------------------------------------------------*/

typedef struct dt_peer_connection dt_peer_connection;
/* Owned by its peer connection: no release; valid until the peer connection is released. */
typedef struct dt_transceiver dt_transceiver;
/* Owned by its peer connection: no release; valid until the peer connection is released. */
typedef struct dt_dtmf_sender dt_dtmf_sender;
typedef struct dt_data_channel dt_data_channel;

typedef enum dt_ice_transport_policy {
  DT_ICE_TRANSPORT_POLICY_ALL = 0,
  DT_ICE_TRANSPORT_POLICY_RELAY = 1
} dt_ice_transport_policy;

typedef enum dt_bundle_policy {
  DT_BUNDLE_POLICY_BALANCED = 0,
  DT_BUNDLE_POLICY_MAX_BUNDLE = 1,
  DT_BUNDLE_POLICY_MAX_COMPAT = 2
} dt_bundle_policy;

typedef struct dt_ice_server {
  const char* const* urls; /* "stun:host:port", "turn:host:port?transport=udp", "turns:..." */
  size_t url_count;
  const char* username;    /* NULL for STUN */
  const char* credential;  /* NULL for STUN; never logged */
} dt_ice_server;

typedef struct dt_peer_connection_config {
  uint32_t struct_size;
  const dt_ice_server* ice_servers;
  size_t ice_server_count;
  dt_ice_transport_policy ice_transport_policy;
  dt_bundle_policy bundle_policy;
  /* Candidates gathered before an offer exists; 0 = none. */
  int32_t ice_candidate_pool_size;
  /* Local UDP port range for ICE; both 0 = any. */
  uint16_t min_port;
  uint16_t max_port;
} dt_peer_connection_config;

typedef enum dt_sdp_type {
  DT_SDP_TYPE_OFFER = 0,
  DT_SDP_TYPE_PRANSWER = 1,
  DT_SDP_TYPE_ANSWER = 2,
  DT_SDP_TYPE_ROLLBACK = 3
} dt_sdp_type;

typedef enum dt_signaling_state {
  DT_SIGNALING_STATE_STABLE = 0,
  DT_SIGNALING_STATE_HAVE_LOCAL_OFFER = 1,
  DT_SIGNALING_STATE_HAVE_LOCAL_PRANSWER = 2,
  DT_SIGNALING_STATE_HAVE_REMOTE_OFFER = 3,
  DT_SIGNALING_STATE_HAVE_REMOTE_PRANSWER = 4,
  DT_SIGNALING_STATE_CLOSED = 5
} dt_signaling_state;

typedef enum dt_ice_gathering_state {
  DT_ICE_GATHERING_STATE_NEW = 0,
  DT_ICE_GATHERING_STATE_GATHERING = 1,
  DT_ICE_GATHERING_STATE_COMPLETE = 2
} dt_ice_gathering_state;

typedef enum dt_ice_connection_state {
  DT_ICE_CONNECTION_STATE_NEW = 0,
  DT_ICE_CONNECTION_STATE_CHECKING = 1,
  DT_ICE_CONNECTION_STATE_CONNECTED = 2,
  DT_ICE_CONNECTION_STATE_COMPLETED = 3,
  DT_ICE_CONNECTION_STATE_FAILED = 4,
  DT_ICE_CONNECTION_STATE_DISCONNECTED = 5,
  DT_ICE_CONNECTION_STATE_CLOSED = 6
} dt_ice_connection_state;

typedef enum dt_peer_connection_state {
  DT_PEER_CONNECTION_STATE_NEW = 0,
  DT_PEER_CONNECTION_STATE_CONNECTING = 1,
  DT_PEER_CONNECTION_STATE_CONNECTED = 2,
  DT_PEER_CONNECTION_STATE_DISCONNECTED = 3,
  DT_PEER_CONNECTION_STATE_FAILED = 4,
  DT_PEER_CONNECTION_STATE_CLOSED = 5
} dt_peer_connection_state;

/* Events of a peer connection. Any member may be NULL. They run on the peer connection's
 * signalling thread, except on_ice_candidate and the state callbacks, which may also run on its
 * network thread. */
typedef struct dt_peer_connection_callbacks {
  uint32_t struct_size;
  /* A local candidate in SDP attribute form ("candidate:..."), for trickle ICE. */
  void (*on_ice_candidate)(void* user_data, const char* sdp_mid, int32_t sdp_mline_index,
                           const char* candidate);
  void (*on_ice_gathering_state)(void* user_data, dt_ice_gathering_state state);
  void (*on_ice_connection_state)(void* user_data, dt_ice_connection_state state);
  void (*on_connection_state)(void* user_data, dt_peer_connection_state state);
  void (*on_signaling_state)(void* user_data, dt_signaling_state state);
  void (*on_negotiation_needed)(void* user_data);
  /* A remote track arrived on `transceiver` (borrowed handle owned by the peer connection). */
  void (*on_track)(void* user_data, dt_transceiver* transceiver, const char* track_id, const char* mid);
  /* The remote side opened a data channel. The application owns one reference to `channel` and
   * must dt_data_channel_release it. Messages that arrive before its callbacks are set are queued. */
  void (*on_data_channel)(void* user_data, dt_data_channel* channel);
} dt_peer_connection_callbacks;

/* Completion of create offer/answer: `sdp` and `error_message` are borrowed; `sdp` is NULL on failure. */
typedef void (*dt_session_description_callback)(void* user_data, int32_t result, dt_sdp_type type,
                                                const char* sdp, const char* error_message);

/* Completion of an operation with no value: `error_message` is NULL on success. */
typedef void (*dt_completion_callback)(void* user_data, int32_t result, const char* error_message);

/* Completion of get stats: `json` is the W3C RTCStatsReport as JSON (an array of stats objects);
 * NULL on failure. */
typedef void (*dt_stats_callback)(void* user_data, int32_t result, const char* json, size_t json_length,
                                  const char* error_message);

typedef struct dt_offer_answer_options {
  uint32_t struct_size;
  bool ice_restart;               /* offers only: new ICE credentials */
  bool voice_activity_detection;  /* default true */
} dt_offer_answer_options;

/* Creates a peer connection (Unified Plan, DTLS-SRTP always on). `config` may be NULL for
 * defaults (no ICE servers, all candidates, max-bundle). */
DT_API int32_t dt_peer_connection_create(dt_factory* factory, const dt_peer_connection_config* config,
                                         dt_peer_connection** out_peer_connection);

/* Registers the event callbacks (copied). Call it right after create: no event is raised before the
 * first description or track is set. Replaces earlier callbacks; NULL removes them. */
DT_API int32_t dt_peer_connection_set_callbacks(dt_peer_connection* peer_connection,
                                                const dt_peer_connection_callbacks* callbacks,
                                                void* user_data);

/* `options` may be NULL. The callback runs on the signalling thread. */
DT_API int32_t dt_peer_connection_create_offer(dt_peer_connection* peer_connection,
                                               const dt_offer_answer_options* options,
                                               dt_session_description_callback callback, void* user_data);
DT_API int32_t dt_peer_connection_create_answer(dt_peer_connection* peer_connection,
                                                const dt_offer_answer_options* options,
                                                dt_session_description_callback callback, void* user_data);

/* Unparseable SDP fails at once with DT_ERROR_SDP_PARSE (no callback); a refused description
 * completes with DT_ERROR_SDP_REJECTED and libwebrtc's message. */
DT_API int32_t dt_peer_connection_set_local_description(dt_peer_connection* peer_connection, dt_sdp_type type,
                                                        const char* sdp, dt_completion_callback callback,
                                                        void* user_data);
DT_API int32_t dt_peer_connection_set_remote_description(dt_peer_connection* peer_connection, dt_sdp_type type,
                                                         const char* sdp, dt_completion_callback callback,
                                                         void* user_data);

/* The current local/remote description as SDP text — the local one includes every candidate gathered
 * so far (what a SIP offer/answer carries once gathering completes). DT_ERROR_INVALID_STATE when
 * there is none. Output through the caller buffer convention (size needed in *out_needed). */
DT_API int32_t dt_peer_connection_get_local_description(dt_peer_connection* peer_connection,
                                                        dt_sdp_type* out_type, char* buffer, size_t capacity,
                                                        size_t* out_needed);
DT_API int32_t dt_peer_connection_get_remote_description(dt_peer_connection* peer_connection,
                                                         dt_sdp_type* out_type, char* buffer, size_t capacity,
                                                         size_t* out_needed);

/* Adds a remote candidate ("candidate:..." with or without the "a=" prefix). An unparseable candidate
 * fails at once with DT_ERROR_ICE_CANDIDATE; one for an unknown m-line completes with it. */
DT_API int32_t dt_peer_connection_add_ice_candidate(dt_peer_connection* peer_connection, const char* sdp_mid,
                                                    int32_t sdp_mline_index, const char* candidate,
                                                    dt_completion_callback callback, void* user_data);

/* Marks the next offer as an ICE restart (raises negotiation needed). */
DT_API int32_t dt_peer_connection_restart_ice(dt_peer_connection* peer_connection);

DT_API int32_t dt_peer_connection_get_signaling_state(dt_peer_connection* peer_connection,
                                                      dt_signaling_state* out_state);
DT_API int32_t dt_peer_connection_get_ice_gathering_state(dt_peer_connection* peer_connection,
                                                          dt_ice_gathering_state* out_state);
DT_API int32_t dt_peer_connection_get_ice_connection_state(dt_peer_connection* peer_connection,
                                                           dt_ice_connection_state* out_state);
DT_API int32_t dt_peer_connection_get_connection_state(dt_peer_connection* peer_connection,
                                                       dt_peer_connection_state* out_state);

/* The W3C stats report as JSON; the callback runs on the signalling thread. */
DT_API int32_t dt_peer_connection_get_stats(dt_peer_connection* peer_connection, dt_stats_callback callback,
                                            void* user_data);

/* Closes the connection (states go to closed); pending completions complete with DT_ERROR_CLOSED.
 * Idempotent. Event callbacks still set are not called after it returns. */
DT_API int32_t dt_peer_connection_close(dt_peer_connection* peer_connection);

/* Closes if needed, waits until no callback of this connection (or of its transceivers and DTMF
 * senders) is running, and frees it. Must not be called from one of its own callbacks
 * (DT_ERROR_INVALID_STATE). */
DT_API int32_t dt_peer_connection_release(dt_peer_connection* peer_connection);

/* ------------------------------------------------------------------------------------------------
 * Audio tracks and transceivers
 * ----------------------------------------------------------------------------------------------*/

typedef enum dt_transceiver_direction {
  DT_DIRECTION_SENDRECV = 0,
  DT_DIRECTION_SENDONLY = 1,
  DT_DIRECTION_RECVONLY = 2,
  DT_DIRECTION_INACTIVE = 3,
  DT_DIRECTION_STOPPED = 4
} dt_transceiver_direction;

typedef struct dt_audio_track_init {
  uint32_t struct_size;
  const char* track_id;   /* NULL: a random id */
  const char* stream_id;  /* NULL: a random id */
} dt_audio_track_init;

/* Adds a local audio track fed by the factory's audio device (through audio processing), as W3C
 * addTrack does: it reuses a compatible transceiver created by a remote offer, or adds a new one. */
DT_API int32_t dt_peer_connection_add_audio_track(dt_peer_connection* peer_connection,
                                                  const dt_audio_track_init* init,
                                                  dt_transceiver** out_transceiver);

/* Sets the direction wanted in the next offer/answer (hold: sendonly; unhold: sendrecv). */
DT_API int32_t dt_transceiver_set_direction(dt_transceiver* transceiver, dt_transceiver_direction direction);
DT_API int32_t dt_transceiver_get_direction(dt_transceiver* transceiver, dt_transceiver_direction* out_direction);

/* The negotiated direction; *out_has_value is false before negotiation. */
DT_API int32_t dt_transceiver_get_current_direction(dt_transceiver* transceiver,
                                                    dt_transceiver_direction* out_direction,
                                                    bool* out_has_value);

/* The media id; an empty string before negotiation. Caller buffer convention. */
DT_API int32_t dt_transceiver_get_mid(dt_transceiver* transceiver, char* buffer, size_t capacity,
                                      size_t* out_needed);

/* Mutes the local track (sends silence) or unmutes it. DT_ERROR_INVALID_STATE without a local track. */
DT_API int32_t dt_transceiver_set_muted(dt_transceiver* transceiver, bool muted);

/* The DTMF sender of the transceiver's RTP sender (borrowed, owned by the peer connection). */
DT_API int32_t dt_transceiver_get_dtmf_sender(dt_transceiver* transceiver, dt_dtmf_sender** out_sender);

/* ------------------------------------------------------------------------------------------------
 * DTMF (RFC 4733 telephone-events)
 * ----------------------------------------------------------------------------------------------*/

typedef struct dt_dtmf_callbacks {
  uint32_t struct_size;
  /* A tone started playing ("0"-"9", "*", "#", "A"-"D", "," for a pause); "" when the queue is done.
   * Runs on the signalling thread. */
  void (*on_tone_change)(void* user_data, const char* tone);
} dt_dtmf_callbacks;

DT_API int32_t dt_dtmf_sender_set_callbacks(dt_dtmf_sender* sender, const dt_dtmf_callbacks* callbacks,
                                            void* user_data);

/* True once telephone-event was negotiated and the sender is sending. */
DT_API int32_t dt_dtmf_sender_can_insert(dt_dtmf_sender* sender, bool* out_can_insert);

/* Queues tones (W3C insertDTMF): duration 40..6000 ms, gap >= 30 ms; replaces a queue in progress. */
DT_API int32_t dt_dtmf_sender_insert(dt_dtmf_sender* sender, const char* tones, int32_t duration_ms,
                                     int32_t inter_tone_gap_ms);

/* ------------------------------------------------------------------------------------------------
 * Data channels (SCTP over DTLS)
 * ----------------------------------------------------------------------------------------------*/

typedef enum dt_data_channel_state {
  DT_DATA_CHANNEL_STATE_CONNECTING = 0,
  DT_DATA_CHANNEL_STATE_OPEN = 1,
  DT_DATA_CHANNEL_STATE_CLOSING = 2,
  DT_DATA_CHANNEL_STATE_CLOSED = 3
} dt_data_channel_state;

typedef struct dt_data_channel_init {
  uint32_t struct_size;
  bool ordered;                     /* default true */
  int32_t max_retransmits;          /* -1: not limited */
  int32_t max_packet_life_time_ms;  /* -1: not limited; at most one of the two limits may be set */
  const char* protocol;             /* NULL: "" */
  bool negotiated;                  /* true: the application agrees on `id` out of band */
  int32_t id;                       /* with negotiated; -1 otherwise */
} dt_data_channel_init;

/* Callbacks run on libwebrtc's network or signalling thread; `data` is borrowed for the call. */
typedef struct dt_data_channel_callbacks {
  uint32_t struct_size;
  void (*on_state_change)(void* user_data, dt_data_channel_state state);
  void (*on_message)(void* user_data, const uint8_t* data, size_t size, bool binary);
  void (*on_buffered_amount_change)(void* user_data, uint64_t buffered_amount);
} dt_data_channel_callbacks;

/* `init` may be NULL (reliable, ordered). The application owns one reference to the channel. */
DT_API int32_t dt_peer_connection_create_data_channel(dt_peer_connection* peer_connection, const char* label,
                                                      const dt_data_channel_init* init,
                                                      dt_data_channel** out_channel);

/* Copies the callbacks and delivers any queued messages through them. NULL removes them. */
DT_API int32_t dt_data_channel_set_callbacks(dt_data_channel* channel, const dt_data_channel_callbacks* callbacks,
                                             void* user_data);

DT_API int32_t dt_data_channel_send(dt_data_channel* channel, const uint8_t* data, size_t size, bool binary);
DT_API int32_t dt_data_channel_get_state(dt_data_channel* channel, dt_data_channel_state* out_state);
DT_API int32_t dt_data_channel_get_label(dt_data_channel* channel, char* buffer, size_t capacity,
                                         size_t* out_needed);
/* -1 until the id is assigned. */
DT_API int32_t dt_data_channel_get_id(dt_data_channel* channel, int32_t* out_id);
DT_API int32_t dt_data_channel_get_buffered_amount(dt_data_channel* channel, uint64_t* out_buffered_amount);

/* Starts the closing handshake. Idempotent. */
DT_API int32_t dt_data_channel_close(dt_data_channel* channel);

/* Drops the application's reference; waits until none of its callbacks is running; after it returns
 * none runs again. Must not be called from one of its own callbacks (DT_ERROR_INVALID_STATE). */
DT_API int32_t dt_data_channel_release(dt_data_channel* channel);

/* ------------------------------------------------------------------------------------------------
 * Standalone audio processor: libwebrtc's AudioProcessing module (AEC3 echo cancellation, noise
 * suppression, AGC2, high-pass filter) for applications that own their audio I/O. No threads, no
 * device, no callbacks: the application hands it 10 ms frames.
 *
 * Per 10 ms: dt_audio_processor_process_render with what is about to be played (the far end), then
 * dt_audio_processor_process_capture with what the microphone recorded (the near end, which contains
 * the echo). Both take interleaved 16-bit PCM of exactly sample_rate_hz / 100 samples per channel,
 * in the processor's format. Neither allocates.
 *
 * Thread safety: render and capture may run on two different threads (one each); set_stream_delay_ms,
 * set_options and get_statistics may be called from any thread at any time. A frame call racing
 * dt_audio_processor_release either completes or returns DT_ERROR_INVALID_HANDLE.
 * ----------------------------------------------------------------------------------------------*/

typedef struct dt_audio_processor dt_audio_processor;

/* What libwebrtc's AudioProcessingStats offers; each value is valid only when its has_ flag is true
 * (echo metrics need echo cancellation on and some far-end audio first). */
typedef struct dt_audio_processor_statistics {
  uint32_t struct_size;
  /* ERL in dB: 10·log10(far-end power / echo power), as AEC3 estimates it. */
  bool has_echo_return_loss;
  double echo_return_loss;
  /* ERLE in dB: 10·log10(echo power / residual echo power), as AEC3 estimates it. */
  bool has_echo_return_loss_enhancement;
  double echo_return_loss_enhancement;
  /* Fraction of the last second during which AEC3's linear filter diverged (0..1). */
  bool has_divergent_filter_fraction;
  double divergent_filter_fraction;
  /* Median and standard deviation of the echo delay estimates, aggregated over about one second. */
  bool has_delay_median_ms;
  int32_t delay_median_ms;
  bool has_delay_standard_deviation_ms;
  int32_t delay_standard_deviation_ms;
  /* Residual echo detector: likelihood (0..1) that the output still contains echo, and its recent max. */
  bool has_residual_echo_likelihood;
  double residual_echo_likelihood;
  bool has_residual_echo_likelihood_recent_max;
  double residual_echo_likelihood_recent_max;
  /* AEC3's current estimate of the render-to-capture delay. */
  bool has_delay_ms;
  int32_t delay_ms;
} dt_audio_processor_statistics;

/* Creates a processor for `sample_rate_hz` (8000, 16000, 32000 or 48000) and `channels` (1 or 2),
 * the same format for render and capture. `options` may be NULL (or struct_size 0) for the defaults:
 * everything on, moderate noise suppression. */
DT_API int32_t dt_audio_processor_create(const dt_audio_processing_options* options, uint32_t sample_rate_hz,
                                         uint32_t channels, dt_audio_processor** out_processor);

/* One 10 ms frame of far-end audio (what the loudspeaker is about to play): the echo reference.
 * `samples_per_channel` must be sample_rate_hz / 100 (DT_ERROR_AUDIO_FORMAT otherwise). */
DT_API int32_t dt_audio_processor_process_render(dt_audio_processor* processor, const int16_t* samples,
                                                 size_t samples_per_channel);

/* One 10 ms frame of near-end (microphone) audio: processed from `input` into `output`, which may
 * be the same buffer (in place). `samples_per_channel` must be sample_rate_hz / 100. */
DT_API int32_t dt_audio_processor_process_capture(dt_audio_processor* processor, const int16_t* input,
                                                  int16_t* output, size_t samples_per_channel);

/* The delay between a far-end frame passing process_render and its echo reaching process_capture
 * (playout buffering + acoustic path + capture buffering), 0..500 ms. A hint: AEC3 estimates the
 * delay itself, but a good hint shortens convergence. Applies from the next capture frame. */
DT_API int32_t dt_audio_processor_set_stream_delay_ms(dt_audio_processor* processor, int32_t delay_ms);

/* Changes the switches while processing; takes effect on the next frame. */
DT_API int32_t dt_audio_processor_set_options(dt_audio_processor* processor,
                                              const dt_audio_processing_options* options);

/* Fills *out_statistics (the caller sets its struct_size; only that many bytes are written). */
DT_API int32_t dt_audio_processor_get_statistics(dt_audio_processor* processor,
                                                 dt_audio_processor_statistics* out_statistics);

/* Invalidates the handle; the processor is freed at once, or when a frame call still running on
 * another thread returns. */
DT_API int32_t dt_audio_processor_release(dt_audio_processor* processor);

/* ==== Per-call audio and received DTMF events (callbots) ==== */

/* ------------------------------------------------------------------------------------------------
 * Per-call audio: each call (audio track) has its own source and its own sink, while every call
 * shares the factory, its threads and its codecs. docs/per-call-audio.md explains the design.
 *
 *  - A factory made with audio_device = DT_AUDIO_DEVICE_PER_CALL (appended to dt_audio_device_kind
 *    by this section) opens no sound card and no sound
 *    server: nothing is captured from a device, and the mixed playout of every call is discarded
 *    (its 10 ms clock still runs, because that is what pulls each call's decoded audio).
 *  - dt_peer_connection_add_call_audio_track adds a local track fed only by its own
 *    dt_call_audio_source (PCM pushed by the application, or a WAV file). Only on a PER_CALL factory:
 *    libwebrtc hands device audio to every sending stream, so a device would be mixed into it.
 *  - dt_transceiver_create_call_audio_sink receives the decoded audio of that transceiver's remote
 *    track alone (resampled to the rate asked for, mono), for the application to read or recorded to
 *    its own WAV file. On any factory, so a softphone can record a call too.
 *  - Sources and WAV-recording sinks are served by one process-wide real-time thread
 *    ("dt-call-audio") on an absolute 10 ms schedule; nothing is allocated per 10 ms frame.
 * ----------------------------------------------------------------------------------------------*/

typedef struct dt_call_audio_source dt_call_audio_source;
typedef struct dt_call_audio_sink dt_call_audio_sink;

typedef struct dt_call_audio_source_options {
  uint32_t struct_size;
  /* Rate of the PCM the application pushes: 8000, 16000 or 48000 (0: 48000). Mono. */
  uint32_t sample_rate_hz;
  /* Audio processing of this call's sent audio only. struct_size 0 (or the member not reached by
   * the caller's struct_size): everything off, which is what a bot wants. Echo cancellation uses
   * this call's own received audio as its reference. */
  dt_audio_processing_options audio_processing;
  /* Pushed audio the source may hold, in ms: 20..10000 (0: 1000). Pushing beyond it drops the
   * oldest audio (counted in dt_call_audio_source_statistics.dropped_samples). */
  uint32_t buffer_ms;
} dt_call_audio_source_options;

/* Adds a local audio track fed by its own source instead of a device, as W3C addTrack does (it
 * reuses a compatible transceiver created by a remote offer). The factory must be
 * DT_AUDIO_DEVICE_PER_CALL (DT_ERROR_INVALID_STATE otherwise). `init` and `options` may be NULL.
 * The application owns the source and releases it with dt_call_audio_source_release; until then
 * the source sends silence when it has nothing to send. */
DT_API int32_t dt_peer_connection_add_call_audio_track(dt_peer_connection* peer_connection,
                                                       const dt_audio_track_init* init,
                                                       const dt_call_audio_source_options* options,
                                                       dt_transceiver** out_transceiver,
                                                       dt_call_audio_source** out_source);

/* Appends mono 16-bit PCM at the source's rate (DT_ERROR_AUDIO_FORMAT for another rate). Any number
 * of samples; sent 10 ms at a time by the source's clock. Never blocks; does not allocate. Pushing
 * switches a source that is playing a WAV file back to pushed audio. */
DT_API int32_t dt_call_audio_source_push(dt_call_audio_source* source, const int16_t* samples,
                                         size_t sample_count, uint32_t sample_rate_hz);

/* Plays a 16-bit PCM WAV file (mono or stereo, 8..48 kHz) instead of pushed audio, from its start;
 * at its end it starts over (`loop`) or the source sends silence and reports wav_finished. A bad
 * file is DT_ERROR_WAV_FILE and changes nothing. Pushed audio still buffered is dropped. */
DT_API int32_t dt_call_audio_source_play_wav(dt_call_audio_source* source, const char* path, bool loop);

typedef struct dt_call_audio_source_statistics {
  uint32_t struct_size;
  uint64_t frames_sent;      /* 10 ms frames handed to the call's send stream */
  uint64_t silent_frames;    /* ... of which the source had nothing (underrun) */
  uint64_t dropped_samples;  /* pushed samples dropped because the buffer was full */
  uint64_t buffered_samples; /* pushed samples waiting to be sent */
  bool playing_wav;          /* a WAV file is being played */
  bool wav_finished;         /* the last WAV file played to its end (not looping) */
} dt_call_audio_source_statistics;

/* Fills *out_statistics (the caller sets struct_size; only that many bytes are written). */
DT_API int32_t dt_call_audio_source_get_statistics(dt_call_audio_source* source,
                                                   dt_call_audio_source_statistics* out_statistics);

/* Stops feeding the track (it sends nothing more) and frees the source once its clock tick in
 * progress, if any, has returned. The track and its transceiver stay in the peer connection. */
DT_API int32_t dt_call_audio_source_release(dt_call_audio_source* source);

typedef struct dt_call_audio_sink_options {
  uint32_t struct_size;
  /* Rate the application reads (or the WAV is written) at: 8000, 16000 or 48000 (0: 48000). Mono:
   * a stereo call is mixed down. */
  uint32_t sample_rate_hz;
  /* NULL: the application reads with dt_call_audio_sink_read. Otherwise the file the call's audio is
   * recorded to (16-bit mono WAV; the header is completed on release). */
  const char* wav_output_path;
  /* Received audio the sink may hold for the application, in ms: 20..10000 (0: 1000); beyond it the
   * oldest audio is dropped (dropped_samples). */
  uint32_t buffer_ms;
} dt_call_audio_sink_options;

/* Starts receiving the decoded audio of the transceiver's remote track (on any factory). Audio
 * flows once the call is connected; before that, and while the remote side sends nothing, nothing
 * is buffered. Several sinks may share a transceiver. */
DT_API int32_t dt_transceiver_create_call_audio_sink(dt_transceiver* transceiver,
                                                     const dt_call_audio_sink_options* options,
                                                     dt_call_audio_sink** out_sink);

/* Takes up to `max_samples` buffered samples (mono, the sink's rate); *out_read gets the count (0
 * when none; never blocks; does not allocate). DT_ERROR_INVALID_STATE for a WAV-recording sink. */
DT_API int32_t dt_call_audio_sink_read(dt_call_audio_sink* sink, int16_t* samples, size_t max_samples,
                                       size_t* out_read);

typedef struct dt_call_audio_sink_statistics {
  uint32_t struct_size;
  uint64_t received_samples;  /* at the sink's rate, since creation */
  uint64_t dropped_samples;   /* dropped because the application did not read them in time */
  uint64_t buffered_samples;  /* waiting to be read (or written to the WAV) */
  uint64_t written_samples;   /* written to the WAV file */
} dt_call_audio_sink_statistics;

DT_API int32_t dt_call_audio_sink_get_statistics(dt_call_audio_sink* sink,
                                                 dt_call_audio_sink_statistics* out_statistics);

/* Detaches the sink from the track (after it returns no more audio arrives), writes what is still
 * buffered to the WAV file and completes its header, and frees the sink. */
DT_API int32_t dt_call_audio_sink_release(dt_call_audio_sink* sink);

/* The "dt-call-audio" clock's scheduling: how late each 10 ms tick started against its absolute
 * schedule, since the process started (all zero before the first source or WAV sink). */
typedef struct dt_call_audio_clock_statistics {
  uint32_t struct_size;
  uint64_t ticks;
  uint32_t members;          /* sources and WAV sinks served now */
  double lateness_p50_ms;
  double lateness_p99_ms;
  double lateness_max_ms;
  uint64_t skipped_ticks;    /* ticks skipped after the clock fell more than 200 ms behind */
} dt_call_audio_clock_statistics;

DT_API int32_t dt_call_audio_clock_get_statistics(dt_call_audio_clock_statistics* out_statistics);

/* ------------------------------------------------------------------------------------------------
 * Received DTMF: RFC 4733 telephone-events read from the RTP packets of a transceiver's receiver
 * (a frame transformer: no audio is decoded), reported once each, in arrival order.
 * ----------------------------------------------------------------------------------------------*/

typedef struct dt_dtmf_receiver dt_dtmf_receiver;

typedef enum dt_dtmf_event_phase {
  DT_DTMF_EVENT_START = 0, /* the first packet of a new event (new RTP timestamp) */
  DT_DTMF_EVENT_END = 1    /* the event is over: its end bit arrived, or the next event began */
} dt_dtmf_event_phase;

typedef struct dt_dtmf_event {
  uint32_t struct_size;
  dt_dtmf_event_phase phase;
  /* RFC 4733 event code: 0-9 the digits, 10 '*', 11 '#', 12-15 'A'-'D', above 15 other events. */
  uint32_t event;
  /* The DTMF character of `event` ('0'-'9', '*', '#', 'A'-'D'), or 0 for other events. */
  char tone;
  /* Duration so far (START) or final (END), in ms, from the packet's duration field. */
  uint32_t duration_ms;
  /* END only: true when the end bit arrived; false when the next event began first (end packets lost). */
  bool end_bit;
  uint32_t volume;         /* 0..63: the power level in -dBm0 */
  uint32_t rtp_timestamp;  /* the event's start timestamp (identifies it) */
  uint32_t clock_rate_hz;  /* of the telephone-event payload type (8000 or 48000) */
} dt_dtmf_event;

typedef struct dt_dtmf_receiver_callbacks {
  uint32_t struct_size;
  /* Runs on libwebrtc's worker thread, in packet order; `event` is borrowed for the call. */
  void (*on_event)(void* user_data, const dt_dtmf_event* event);
} dt_dtmf_receiver_callbacks;

/* Starts reporting the telephone-events received on the transceiver. One receiver per transceiver
 * at a time (DT_ERROR_INVALID_STATE for a second); create it before the call connects to see every
 * event. Audio is untouched: the packets go on to the decoder. */
DT_API int32_t dt_transceiver_create_dtmf_receiver(dt_transceiver* transceiver,
                                                   const dt_dtmf_receiver_callbacks* callbacks, void* user_data,
                                                   dt_dtmf_receiver** out_receiver);

/* Waits until no on_event callback is running and frees the receiver; none runs after it returns.
 * Must not be called from its own callback (DT_ERROR_INVALID_STATE). */
DT_API int32_t dt_dtmf_receiver_release(dt_dtmf_receiver* receiver);

/* ==== WAV validation (hardening) ==== */

/* Checks `size` bytes holding a whole WAV file the way the WAV device checks a file before playing
 * it: RIFF/WAVE, 16-bit PCM (format tag 1, or WAVE_FORMAT_EXTENSIBLE whose sub-format is PCM with
 * 16 valid bits), mono or stereo, 8000-48000 Hz in steps of 100, a fmt chunk, then a non-empty data
 * chunk no longer than the bytes that follow it. 0 when playable, with the rate and channel count
 * in the optional outputs; DT_ERROR_WAV_FILE otherwise (dt_last_error_message says why). Never
 * aborts, whatever the bytes. */
DT_API int32_t dt_wav_check(const uint8_t* data, size_t size, uint32_t* out_sample_rate_hz, uint32_t* out_channels);

/* ==== Legacy RTP sessions: RTP/AVP and SDES RTP/SAVP, no ICE, no DTLS (legacy-rtp) ==== */

/* A media session for a peer that speaks plain RTP/AVP or RTP/SAVP with SDES keys (RFC 4568):
 * carrier trunks, PBXs, desk phones. It runs on the same libwebrtc engine as a factory's peer
 * connections — the same audio device, audio processing (AEC3/NS/AGC), NetEq, codecs and DTMF
 * sender — through webrtc::Call audio streams on the factory's AudioState, but carries its packets
 * over its own two UDP sockets (RTP on an even port, RTCP on the next one, or rtcp-mux).
 *
 * Symmetric RTP (RFC 4961): packets are sent from the port they are received on. With `latching`,
 * the session learns the peer's real address from the first packet that validates (an RTP/RTCP
 * header that parses, a negotiated payload type, and with SRTP a packet that authenticates) and
 * sends there from then on; after that, packets from any other address are dropped and counted.
 *
 * Bad input (garbage, truncated or oversized packets, unknown payload types, packets that fail SRTP
 * authentication, packets from strangers) is dropped and counted in dt_rtp_stats; it never fails the
 * session.
 *
 * Thread safety: every function may be called from any thread; configure, stats and DTMF hop to the
 * factory's worker thread and wait for it. Callbacks run on the session's own network thread
 * ("dt-rtp-io"). After dt_rtp_session_release returns, no callback of the session runs again. */
typedef struct dt_rtp_session dt_rtp_session;

typedef enum dt_srtp_suite {
  DT_SRTP_SUITE_NONE = 0,                    /* plain RTP/AVP */
  DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80 = 1, /* RFC 4568 / RFC 3711; 30-byte master key+salt */
  DT_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 = 2  /* same keys, 32-bit RTP auth tag (RTCP keeps 80) */
} dt_srtp_suite;

/* Size of an AES_CM_128 master key followed by its master salt (16 + 14 bytes), as SDES carries it. */
#define DT_SRTP_KEY_SALT_SIZE 30

typedef struct dt_rtp_session_options {
  uint32_t struct_size;
  /* The local IP literal the sockets bind to ("127.0.0.1", "::1", "0.0.0.0"); NULL or "": "0.0.0.0". */
  const char* local_address;
  /* RTP port (even); RTCP binds port+1. 0: any free even/odd pair chosen by the OS. */
  uint16_t local_port;
} dt_rtp_session_options;

/* One payload type as the SDP's rtpmap/fmtp describe it. Names are matched case-insensitively:
 * "PCMU", "PCMA", "G722" (clock_rate 8000 as SDP writes it), "opus" (48000, channels 2),
 * "telephone-event" (8000 or 48000). `fmtp` is the a=fmtp value (NULL or "": none), e.g.
 * "minptime=10;useinbandfec=1" or "0-16". */
typedef struct dt_rtp_codec {
  int32_t payload_type; /* 0..127 */
  const char* name;
  uint32_t clock_rate;
  uint32_t channels;    /* 0 means 1 */
  const char* fmtp;
} dt_rtp_codec;

/* The negotiated media of the session (from the local and remote SDP). Applied as a whole by
 * dt_rtp_session_configure, which may be called again at any time (re-INVITE: hold, resume, new
 * address, codec or keys). */
typedef struct dt_rtp_session_config {
  uint32_t struct_size;
  /* Where to send: an IP literal and ports from the remote c=/m= lines (and a=rtcp). A NULL, empty
   * or unspecified ("0.0.0.0", "::") address, or port 0, sends nothing (RFC 3264 hold). */
  const char* remote_address;
  uint16_t remote_rtp_port;
  uint16_t remote_rtcp_port; /* 0: remote_rtp_port + 1 */
  bool rtcp_mux;             /* RTCP on the RTP ports both ways (RFC 5761) */
  /* Learn the peer's address from its first valid packet (see above). false: accept packets only
   * from remote_address (any port on that address for RTCP) and never move. */
  bool latching;
  /* Our direction (from our own SDP): SENDRECV, SENDONLY (we hold: nothing is played),
   * RECVONLY, INACTIVE. DT_DIRECTION_STOPPED is refused. */
  dt_transceiver_direction direction;
  /* What we send: one audio codec (ptime 20) and, optionally, telephone-event. */
  dt_rtp_codec send_codec;
  int32_t send_telephone_event_payload_type; /* -1: none (DTMF cannot be sent) */
  uint32_t send_telephone_event_clock_rate;  /* 0: the send codec's RTP clock rate */
  /* Every payload type we accept (ours from our SDP): audio codecs and telephone-event. RTP with
   * any other payload type is dropped and counted. */
  const dt_rtp_codec* receive_codecs;
  size_t receive_codec_count;
  /* SDES keys: ours (send) and the peer's (receive); both NONE (plain RTP) or both set. */
  dt_srtp_suite send_suite;
  const uint8_t* send_key; /* DT_SRTP_KEY_SALT_SIZE bytes, copied */
  dt_srtp_suite receive_suite;
  const uint8_t* receive_key;
  /* RTCP report interval; 0: 5000 ms (RFC 3550's minimum). */
  int32_t rtcp_report_interval_ms;
} dt_rtp_session_config;

/* One RFC 4733 telephone-event as received: reported once when it starts and once when it ends
 * (end bit; or, if every end packet was lost, when the next event starts). Events that arrive out
 * of order (older than the last one reported) are ignored, so a peer's events are reported exactly
 * once each and in order. */
typedef struct dt_rtp_dtmf_event {
  uint32_t struct_size;
  uint8_t event;        /* 0-9, 10 '*', 11 '#', 12-15 'A'-'D', other RFC 4733 events as is */
  char tone;            /* '0'-'9', '*', '#', 'A'-'D'; 0 for other events */
  bool ended;           /* false: the event started; true: it ended */
  uint32_t duration_ms; /* duration so far (the full duration when ended) */
  uint8_t volume;       /* 0..63, in -dBm0 */
  uint32_t rtp_timestamp;
} dt_rtp_dtmf_event;

typedef struct dt_rtp_session_callbacks {
  uint32_t struct_size;
  /* A telephone-event started or ended; `event` is borrowed for the call. */
  void (*on_dtmf_event)(void* user_data, const dt_rtp_dtmf_event* event);
  /* Latching moved RTP (is_rtcp false) or RTCP (true) to the peer's real address ("ip", port). */
  void (*on_remote_address_latched)(void* user_data, bool is_rtcp, const char* address, uint16_t port);
} dt_rtp_session_callbacks;

typedef struct dt_rtp_stats {
  uint32_t struct_size;
  /* Packets and bytes (whole UDP payloads) that left and entered the sockets, RTP and RTCP. */
  uint64_t rtp_packets_sent;
  uint64_t rtp_bytes_sent;
  uint64_t rtp_packets_received; /* accepted (validated) only */
  uint64_t rtp_bytes_received;
  uint64_t rtcp_packets_sent;
  uint64_t rtcp_packets_received;
  /* Dropped incoming packets, by reason. */
  uint64_t dropped_malformed;       /* not RTP/RTCP version 2, truncated, inconsistent lengths */
  uint64_t dropped_oversized;       /* larger than 1500 bytes */
  uint64_t dropped_unknown_payload; /* payload type not negotiated */
  uint64_t dropped_srtp;            /* SRTP/SRTCP authentication or replay check failed */
  uint64_t dropped_stranger;        /* from an address other than the peer's */
  /* The engine's view (webrtc::Call streams). */
  uint32_t local_ssrc;
  uint32_t remote_ssrc;               /* 0 before the first packet */
  int32_t send_payload_type;
  int64_t packets_lost;               /* by our receiver (sequence gaps) */
  double jitter_ms;                   /* interarrival jitter of what we receive */
  int64_t remote_packets_lost;        /* reported by the peer in RTCP; -1 unknown */
  double remote_jitter_ms;            /* reported by the peer in RTCP; -1 unknown */
  double round_trip_time_ms;          /* from RTCP SR/RR; -1 unknown */
  double send_audio_level;            /* 0..1 of full scale, what we send */
  double receive_audio_level;         /* 0..1 of full scale, what we play; -1 nothing received */
  uint64_t concealed_samples;         /* NetEq concealment (loss) */
  uint64_t total_samples_received;
  bool remote_address_latched;
} dt_rtp_stats;

/* Creates a session on `factory` and binds its sockets (DT_ERROR_INVALID_ARGUMENT for a bad
 * address; DT_ERROR_CREATE_FAILED when the ports cannot be bound). `options` may be NULL. Nothing
 * is sent or played before dt_rtp_session_configure. */
DT_API int32_t dt_rtp_session_create(dt_factory* factory, const dt_rtp_session_options* options,
                                     dt_rtp_session** out_session);

/* The bound local ports (what our SDP's m= line and a=rtcp carry). */
DT_API int32_t dt_rtp_session_get_local_ports(dt_rtp_session* session, uint16_t* out_rtp_port,
                                              uint16_t* out_rtcp_port);

/* Copies the callbacks; NULL removes them. */
DT_API int32_t dt_rtp_session_set_callbacks(dt_rtp_session* session, const dt_rtp_session_callbacks* callbacks,
                                            void* user_data);

/* Applies the negotiated media (see dt_rtp_session_config); returns when it is in effect. Bad
 * values (unknown codec name, a key of the wrong suite, a payload type out of range) are
 * DT_ERROR_INVALID_ARGUMENT and leave the previous configuration running. */
DT_API int32_t dt_rtp_session_configure(dt_rtp_session* session, const dt_rtp_session_config* config);

/* Mutes what we send (silence; the stream goes on). */
DT_API int32_t dt_rtp_session_set_muted(dt_rtp_session* session, bool muted);

/* Queues RFC 4733 telephone-events: `tones` of "0123456789*#ABCD" and ',' (a 2 s pause), each
 * `duration_ms` (40..6000) followed by `inter_tone_gap_ms` (>= 30). Replaces a queue in progress.
 * DT_ERROR_DTMF without a send telephone-event payload type or while not sending. */
DT_API int32_t dt_rtp_session_send_dtmf(dt_rtp_session* session, const char* tones, int32_t duration_ms,
                                        int32_t inter_tone_gap_ms);

/* Fills *out_stats (the caller sets struct_size; only that many bytes are written). */
DT_API int32_t dt_rtp_session_get_stats(dt_rtp_session* session, dt_rtp_stats* out_stats);

/* Stops sending and playing, closes the sockets, waits until no callback of the session runs and
 * frees it. Must not be called from one of its own callbacks (DT_ERROR_INVALID_STATE). */
DT_API int32_t dt_rtp_session_release(dt_rtp_session* session);

/* ==== Call-audio clock: windowed statistics and scheduling priority (load) ==== */

/* The "dt-call-audio" clock's scheduling over a window: from the previous take (or the process
 * start) to this one; each call of dt_call_audio_clock_take_window starts a new window, so a load
 * figure covers only the loaded period. Lateness: how late a tick started against its absolute
 * 10 ms schedule; work: how long one tick took to serve its members. 0.1 ms resolution. */
typedef struct dt_call_audio_clock_window {
  uint32_t struct_size;
  double seconds;             /* length of the window */
  uint64_t ticks;
  uint64_t skipped_ticks;     /* ticks skipped after the clock fell more than 200 ms behind */
  uint32_t members_max;       /* most sources and WAV sinks one tick served */
  double lateness_p50_ms;
  double lateness_p99_ms;
  double lateness_max_ms;
  double work_p99_ms;
  double work_max_ms;
  int32_t realtime_priority;  /* the SCHED_FIFO priority in effect now; 0 = normal scheduling */
} dt_call_audio_clock_window;

DT_API int32_t dt_call_audio_clock_take_window(dt_call_audio_clock_window* out_window);

/* Runs the clock thread at SCHED_FIFO `priority` (1..99), or at normal scheduling (0, the default).
 * Real-time priority keeps the 10 ms ticks on time when the machine is busy (the tick's work is
 * small and bounded: a frame copy per call); it needs CAP_SYS_NICE or RLIMIT_RTPRIO >= priority,
 * else DT_ERROR_NOT_SUPPORTED and nothing changes. Takes effect at the next tick (or thread start)
 * and lasts for the process. */
DT_API int32_t dt_call_audio_clock_set_realtime_priority(int32_t priority);

/* ==== TURN over TLS: trusted certificate authorities (net) ==== */

/* Trusts the certificate authorities in `pem` (one or more PEM "CERTIFICATE" blocks, roots or
 * intermediates) for the TLS certificate of a "turns:" ICE server, in addition to libwebrtc's
 * built-in roots, for every peer connection this factory creates from now on (existing ones keep
 * what they had). The server's host name is still checked against the certificate. NULL or ""
 * removes them. Text that is not PEM, a damaged block, or no certificate at all:
 * DT_ERROR_INVALID_ARGUMENT (the previous set stays). */
DT_API int32_t dt_factory_set_tls_trusted_certificates(dt_factory* factory, const char* pem);

/* ==== Network changes (net) ==== */

/* Tells the factory that the machine's network interfaces or addresses changed (an address came or
 * went, Wi-Fi to a hotspot): its network manager enumerates them again now instead of at its next
 * poll (every 2 s on Linux), so an ICE restart made right after gathers candidates on the new
 * address. Returns at once; the enumeration runs on the network thread. Harmless when nothing
 * changed or no peer connection gathers yet. */
DT_API int32_t dt_factory_notify_network_change(dt_factory* factory);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DIALTONE_WEBRTC_SHIM_H */
