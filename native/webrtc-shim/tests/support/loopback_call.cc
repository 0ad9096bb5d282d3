#include "loopback_call.h"

#include <memory>

namespace dt_test {
namespace {
constexpr int kCompletionTimeoutMs = 10000;

// Completion state shared by the waiting thread and the callback (which may come late).
template <typename Result>
struct Pending {
  std::mutex mutex;
  std::condition_variable done;
  bool completed = false;
  Result result;
};

template <typename Result>
int32_t WaitFor(std::shared_ptr<Pending<Result>> pending, int32_t rc, std::shared_ptr<Pending<Result>>* holder,
                Result* out) {
  if (rc != DT_OK) {
    delete holder;  // the callback is never called
    out->result = rc;
    out->error = LastError();
    return rc;
  }
  std::unique_lock lock(pending->mutex);
  pending->done.wait_for(lock, std::chrono::milliseconds(kCompletionTimeoutMs), [&] { return pending->completed; });
  if (pending->completed) *out = pending->result;
  return rc;
}

template <typename Result>
void Complete(void* user, const std::function<void(Result&)>& fill) {
  auto* holder = static_cast<std::shared_ptr<Pending<Result>>*>(user);
  {
    std::lock_guard lock((*holder)->mutex);
    fill((*holder)->result);
    (*holder)->completed = true;
  }
  (*holder)->done.notify_all();
  delete holder;
}

void OnSdp(void* user, int32_t result, dt_sdp_type type, const char* sdp, const char* error) {
  Complete<SdpResult>(user, [&](SdpResult& r) {
    r.result = result;
    r.type = type;
    r.sdp = sdp ? sdp : "";
    r.error = error ? error : "";
  });
}

void OnDone(void* user, int32_t result, const char* error) {
  Complete<DoneResult>(user, [&](DoneResult& r) {
    r.result = result;
    r.error = error ? error : "";
  });
}

void OnStats(void* user, int32_t result, const char* json, size_t length, const char* error) {
  Complete<StatsResult>(user, [&](StatsResult& r) {
    r.result = result;
    r.json = json ? std::string(json, length) : "";
    r.error = error ? error : "";
  });
}
}  // namespace

std::string LastError() {
  size_t needed = dt_last_error_message(nullptr, 0);
  std::string message(needed, '\0');
  dt_last_error_message(message.data(), message.size());
  message.resize(needed - 1);
  return message;
}

int32_t CreateOffer(dt_peer_connection* pc, SdpResult* out, const dt_offer_answer_options* options) {
  auto pending = std::make_shared<Pending<SdpResult>>();
  auto* holder = new std::shared_ptr<Pending<SdpResult>>(pending);
  return WaitFor(pending, dt_peer_connection_create_offer(pc, options, OnSdp, holder), holder, out);
}

int32_t CreateAnswer(dt_peer_connection* pc, SdpResult* out, const dt_offer_answer_options* options) {
  auto pending = std::make_shared<Pending<SdpResult>>();
  auto* holder = new std::shared_ptr<Pending<SdpResult>>(pending);
  return WaitFor(pending, dt_peer_connection_create_answer(pc, options, OnSdp, holder), holder, out);
}

int32_t SetLocal(dt_peer_connection* pc, dt_sdp_type type, const std::string& sdp, DoneResult* out) {
  auto pending = std::make_shared<Pending<DoneResult>>();
  auto* holder = new std::shared_ptr<Pending<DoneResult>>(pending);
  return WaitFor(pending, dt_peer_connection_set_local_description(pc, type, sdp.c_str(), OnDone, holder), holder, out);
}

int32_t SetRemote(dt_peer_connection* pc, dt_sdp_type type, const std::string& sdp, DoneResult* out) {
  auto pending = std::make_shared<Pending<DoneResult>>();
  auto* holder = new std::shared_ptr<Pending<DoneResult>>(pending);
  return WaitFor(pending, dt_peer_connection_set_remote_description(pc, type, sdp.c_str(), OnDone, holder), holder, out);
}

int32_t AddCandidate(dt_peer_connection* pc, const char* mid, int32_t index, const std::string& candidate, DoneResult* out) {
  auto pending = std::make_shared<Pending<DoneResult>>();
  auto* holder = new std::shared_ptr<Pending<DoneResult>>(pending);
  return WaitFor(pending, dt_peer_connection_add_ice_candidate(pc, mid, index, candidate.c_str(), OnDone, holder), holder, out);
}

int32_t GetStats(dt_peer_connection* pc, StatsResult* out) {
  auto pending = std::make_shared<Pending<StatsResult>>();
  auto* holder = new std::shared_ptr<Pending<StatsResult>>(pending);
  return WaitFor(pending, dt_peer_connection_get_stats(pc, OnStats, holder), holder, out);
}

std::string LocalDescription(dt_peer_connection* pc) {
  size_t needed = 0;
  dt_sdp_type type;
  if (dt_peer_connection_get_local_description(pc, &type, nullptr, 0, &needed) != DT_ERROR_BUFFER_TOO_SMALL) return "";
  std::string sdp(needed, '\0');
  if (dt_peer_connection_get_local_description(pc, &type, sdp.data(), sdp.size(), &needed) != DT_OK) return "";
  sdp.resize(needed - 1);
  return sdp;
}

dt_factory_options VirtualDeviceOptions(bool audio_processing) {
  dt_factory_options options{};
  options.struct_size = sizeof(options);
  options.audio_device = DT_AUDIO_DEVICE_VIRTUAL;
  options.sample_rate_hz = 48000;
  options.channels = 1;
  options.audio_processing.struct_size = sizeof(options.audio_processing);
  // Off by default in tests: noise suppression treats a steady tone as noise and removes it.
  options.audio_processing.echo_cancellation = audio_processing;
  options.audio_processing.noise_suppression = audio_processing;
  options.audio_processing.noise_suppression_level = DT_NOISE_SUPPRESSION_MODERATE;
  options.audio_processing.auto_gain_control = audio_processing;
  options.audio_processing.high_pass_filter = audio_processing;
  return options;
}

Peer::Peer(const dt_factory_options& options, const dt_peer_connection_config* config) {
  if (dt_factory_create(&options, &factory) != DT_OK) return;
  CreatePeerConnection(config);
}

Peer::Peer(dt_factory* shared_factory, const dt_peer_connection_config* config)
    : factory(shared_factory), owns_factory_(false) {
  CreatePeerConnection(config);
}

void Peer::CreatePeerConnection(const dt_peer_connection_config* config) {
  if (dt_peer_connection_create(factory, config, &pc) != DT_OK) return;
  dt_peer_connection_callbacks callbacks{};
  callbacks.struct_size = sizeof(callbacks);
  callbacks.on_ice_candidate = OnIceCandidate;
  callbacks.on_ice_gathering_state = OnGathering;
  callbacks.on_ice_connection_state = OnIceState;
  callbacks.on_connection_state = OnConnectionState;
  callbacks.on_signaling_state = OnSignalingState;
  callbacks.on_negotiation_needed = OnNegotiationNeeded;
  callbacks.on_track = OnTrack;
  callbacks.on_data_channel = OnDataChannel;
  dt_peer_connection_set_callbacks(pc, &callbacks, this);
}

Peer::~Peer() { ReleaseAll(); }

void Peer::ReleaseAll() {
  std::vector<dt_data_channel*> channels;
  {
    std::lock_guard lock(mutex);
    channels.swap(remote_channels);
  }
  for (auto* channel : channels) dt_data_channel_release(channel);
  if (pc) dt_peer_connection_release(pc);
  if (factory && owns_factory_) dt_factory_release(factory);
  pc = nullptr;
  factory = nullptr;
  released = true;
}

bool Peer::AddAudio() {
  dt_audio_track_init init{};
  init.struct_size = sizeof(init);
  return dt_peer_connection_add_audio_track(pc, &init, &audio) == DT_OK;
}

bool Peer::WaitFor(const std::function<bool()>& pred, int timeout_ms) {
  std::unique_lock lock(mutex);
  return changed.wait_for(lock, std::chrono::milliseconds(timeout_ms), pred);
}

void Peer::Count() {
  callbacks++;
  if (released) callbacks_after_release++;
}

#define DT_PEER_EVENT(body)               \
  auto* self = static_cast<Peer*>(user);  \
  self->Count();                          \
  {                                       \
    std::lock_guard lock(self->mutex);    \
    body;                                 \
  }                                       \
  self->changed.notify_all();

void Peer::OnIceCandidate(void* user, const char*, int32_t, const char*) { DT_PEER_EVENT(self->candidates++) }
void Peer::OnGathering(void* user, dt_ice_gathering_state state) { DT_PEER_EVENT(self->gathering_state = state) }
void Peer::OnIceState(void* user, dt_ice_connection_state state) { DT_PEER_EVENT(self->ice_state = state) }
void Peer::OnConnectionState(void* user, dt_peer_connection_state state) { DT_PEER_EVENT(self->connection_state = state) }
void Peer::OnSignalingState(void* user, dt_signaling_state state) { DT_PEER_EVENT(self->signaling_state = state) }
void Peer::OnNegotiationNeeded(void* user) { DT_PEER_EVENT(self->negotiation_needed++) }
void Peer::OnTrack(void* user, dt_transceiver* transceiver, const char* track_id, const char*) {
  DT_PEER_EVENT(self->track_ids.push_back(track_id); self->track_transceivers.push_back(transceiver))
}
void Peer::OnDataChannel(void* user, dt_data_channel* channel) { DT_PEER_EVENT(self->remote_channels.push_back(channel)) }

bool Negotiate(Peer& offerer, Peer& answerer, bool answerer_audio, std::string* error, std::string* offer_sdp,
               std::string* answer_sdp) {
  auto fail = [&](const std::string& what) {
    if (error) *error = what;
    return false;
  };
  SdpResult offer;
  if (CreateOffer(offerer.pc, &offer) != DT_OK || offer.result != DT_OK) return fail("create offer: " + offer.error);
  DoneResult done;
  if (SetLocal(offerer.pc, DT_SDP_TYPE_OFFER, offer.sdp, &done) != DT_OK || done.result != DT_OK) return fail("set local offer: " + done.error);
  if (!offerer.WaitFor([&] { return offerer.gathering_state == DT_ICE_GATHERING_STATE_COMPLETE; }, 10000)) return fail("offerer gathering timed out");
  std::string full_offer = LocalDescription(offerer.pc);
  if (offer_sdp) *offer_sdp = full_offer;
  done = {};
  if (SetRemote(answerer.pc, DT_SDP_TYPE_OFFER, full_offer, &done) != DT_OK || done.result != DT_OK) return fail("set remote offer: " + done.error);
  if (answerer_audio && answerer.audio == nullptr && !answerer.AddAudio()) return fail("answerer add audio: " + LastError());
  SdpResult answer;
  if (CreateAnswer(answerer.pc, &answer) != DT_OK || answer.result != DT_OK) return fail("create answer: " + answer.error);
  done = {};
  if (SetLocal(answerer.pc, DT_SDP_TYPE_ANSWER, answer.sdp, &done) != DT_OK || done.result != DT_OK) return fail("set local answer: " + done.error);
  if (!answerer.WaitFor([&] { return answerer.gathering_state == DT_ICE_GATHERING_STATE_COMPLETE; }, 10000)) return fail("answerer gathering timed out");
  std::string full_answer = LocalDescription(answerer.pc);
  if (answer_sdp) *answer_sdp = full_answer;
  done = {};
  if (SetRemote(offerer.pc, DT_SDP_TYPE_ANSWER, full_answer, &done) != DT_OK || done.result != DT_OK) return fail("set remote answer: " + done.error);
  return true;
}

bool WaitConnected(Peer& a, Peer& b, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto connected = [](Peer& p) { return p.connection_state == DT_PEER_CONNECTION_STATE_CONNECTED; };
  if (!a.WaitFor([&] { return connected(a); }, timeout_ms)) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
  return b.WaitFor([&] { return connected(b); }, static_cast<int>(std::max<int64_t>(left, 1)));
}

AudioPump::AudioPump(dt_factory* factory, double tone_hz, int keep_ms, int16_t amplitude)
    : factory_(factory), tone_(tone_hz, 48000, amplitude), noise_(tone_hz < 0), noise_amplitude_(amplitude), keep_(static_cast<size_t>(keep_ms) * 48) {
  thread_ = std::thread([this] { Run(); });
}

AudioPump::~AudioPump() { Stop(); }

void AudioPump::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void AudioPump::Run() {
  int16_t frame[480];
  int16_t speaker[480];
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    if (noise_) {
      for (int16_t& sample : frame) {  // xorshift white noise: cheap, deterministic
        noise_state_ ^= noise_state_ << 13;
        noise_state_ ^= noise_state_ >> 17;
        noise_state_ ^= noise_state_ << 5;
        sample = static_cast<int16_t>(static_cast<int32_t>(noise_state_ % (2 * noise_amplitude_ + 1)) - noise_amplitude_);
      }
    } else {
      tone_.Fill(frame, 480);
    }
    if (dt_factory_push_capture_audio(factory_, frame, 480, 48000, 1) != DT_OK) errors_++;
    size_t got = 0;
    if (dt_factory_pull_playout_audio(factory_, speaker, 480, 48000, 1, &got) != DT_OK) errors_++;
    if (got > 0) {
      pulled_ += static_cast<int64_t>(got);
      std::lock_guard lock(mutex_);
      recent_.insert(recent_.end(), speaker, speaker + got);
      while (recent_.size() > keep_) recent_.pop_front();
    }
    next += std::chrono::milliseconds(10);
    std::this_thread::sleep_until(next);
  }
}

std::vector<int16_t> AudioPump::Recent(int ms) {
  std::lock_guard lock(mutex_);
  size_t n = std::min(recent_.size(), static_cast<size_t>(ms) * 48);
  return std::vector<int16_t>(recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end());
}

bool Eventually(const std::function<bool()>& pred, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace dt_test
