// Test and benchmark helpers over the C ABI only: blocking wrappers for the asynchronous calls,
// a Peer (factory + peer connection + recorded events), offer/answer between two peers with
// complete SDPs (as SIP carries them), and an audio pump for the virtual device.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tone.h"
#include "webrtc_shim.h"

namespace dt_test {

std::string LastError();

struct SdpResult {
  int32_t result = 1;  // 1: not completed
  dt_sdp_type type = DT_SDP_TYPE_OFFER;
  std::string sdp;
  std::string error;
};
struct DoneResult {
  int32_t result = 1;
  std::string error;
};
struct StatsResult {
  int32_t result = 1;
  std::string json;
  std::string error;
};

// Each returns the immediate result code; on DT_OK it waits (up to timeout) for the completion
// and fills *out (out->result stays 1 on timeout).
int32_t CreateOffer(dt_peer_connection* pc, SdpResult* out, const dt_offer_answer_options* options = nullptr);
int32_t CreateAnswer(dt_peer_connection* pc, SdpResult* out, const dt_offer_answer_options* options = nullptr);
int32_t SetLocal(dt_peer_connection* pc, dt_sdp_type type, const std::string& sdp, DoneResult* out);
int32_t SetRemote(dt_peer_connection* pc, dt_sdp_type type, const std::string& sdp, DoneResult* out);
int32_t AddCandidate(dt_peer_connection* pc, const char* mid, int32_t index, const std::string& candidate, DoneResult* out);
int32_t GetStats(dt_peer_connection* pc, StatsResult* out);
std::string LocalDescription(dt_peer_connection* pc);

dt_factory_options VirtualDeviceOptions(bool audio_processing = false);

// A factory and one peer connection, with every event recorded.
class Peer {
 public:
  explicit Peer(const dt_factory_options& options, const dt_peer_connection_config* config = nullptr);
  // A peer connection on a factory the caller owns (not released by the Peer).
  explicit Peer(dt_factory* shared_factory, const dt_peer_connection_config* config = nullptr);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  dt_factory* factory = nullptr;
  dt_peer_connection* pc = nullptr;
  dt_transceiver* audio = nullptr;  // set by AddAudio()

  bool AddAudio();
  // Waits until `pred()` holds (evaluated under the event lock) or the timeout passes.
  bool WaitFor(const std::function<bool()>& pred, int timeout_ms);
  void ReleaseAll();  // releases pc, channels and factory now (the destructor does it too)

  // Recorded events (guarded by mutex).
  std::mutex mutex;
  std::condition_variable changed;
  dt_peer_connection_state connection_state = DT_PEER_CONNECTION_STATE_NEW;
  dt_ice_connection_state ice_state = DT_ICE_CONNECTION_STATE_NEW;
  dt_ice_gathering_state gathering_state = DT_ICE_GATHERING_STATE_NEW;
  dt_signaling_state signaling_state = DT_SIGNALING_STATE_STABLE;
  int negotiation_needed = 0;
  int candidates = 0;
  std::vector<std::string> track_ids;
  std::vector<dt_transceiver*> track_transceivers;
  std::vector<dt_data_channel*> remote_channels;
  std::atomic<int> callbacks{0};           // every event callback
  std::atomic<bool> released{false};       // set once ReleaseAll returned
  std::atomic<int> callbacks_after_release{0};

 private:
  static void OnIceCandidate(void* user, const char* mid, int32_t index, const char* candidate);
  static void OnGathering(void* user, dt_ice_gathering_state state);
  static void OnIceState(void* user, dt_ice_connection_state state);
  static void OnConnectionState(void* user, dt_peer_connection_state state);
  static void OnSignalingState(void* user, dt_signaling_state state);
  static void OnNegotiationNeeded(void* user);
  static void OnTrack(void* user, dt_transceiver* transceiver, const char* track_id, const char* mid);
  static void OnDataChannel(void* user, dt_data_channel* channel);
  void Count();
  void CreatePeerConnection(const dt_peer_connection_config* config);
  bool owns_factory_ = true;
};

// Full offer/answer: offerer creates the offer, both wait for ICE gathering to complete and
// exchange complete descriptions; the answerer adds audio (reusing the offered transceiver) when
// `answerer_audio`. Returns false (with a message in *error) on any failure.
bool Negotiate(Peer& offerer, Peer& answerer, bool answerer_audio, std::string* error,
               std::string* offer_sdp = nullptr, std::string* answer_sdp = nullptr);
bool WaitConnected(Peer& a, Peer& b, int timeout_ms);

// Feeds a tone (or, with tone_hz < 0, white noise of the given amplitude) into a virtual device's microphone and pulls its speaker every 10 ms on its own
// thread, keeping the most recent `keep_ms` of speaker audio (48 kHz mono).
class AudioPump {
 public:
  AudioPump(dt_factory* factory, double tone_hz, int keep_ms = 1000, int16_t amplitude = 8000);
  ~AudioPump();
  std::vector<int16_t> Recent(int ms);
  int64_t pulled_samples() const { return pulled_.load(); }
  int errors() const { return errors_.load(); }
  void Stop();

 private:
  void Run();
  dt_factory* factory_;
  ToneGenerator tone_;
  bool noise_;
  int32_t noise_amplitude_;
  uint32_t noise_state_ = 2463534242u;
  size_t keep_;
  std::mutex mutex_;
  std::deque<int16_t> recent_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> pulled_{0};
  std::atomic<int> errors_{0};
  std::thread thread_;
};

// Polls `pred` every 20 ms until true or timeout.
bool Eventually(const std::function<bool()>& pred, int timeout_ms);

}  // namespace dt_test
