#include "peer_connection.h"

#include "data_channel.h"
#include "peer_connection_observer.h"
#include "rtc_base/helpers.h"
#include "tls_verifier.h"
#include "transceiver.h"

namespace dt {

std::string ErrorText(const webrtc::RTCError& error) {
  std::string text = error.message();
  if (text.empty()) text = webrtc::ToString(error.type());
  return text;
}

namespace {
webrtc::PeerConnectionInterface::RTCConfiguration ToRtcConfiguration(const dt_peer_connection_config* in) {
  dt_peer_connection_config defaults{};
  defaults.struct_size = sizeof(defaults);
  defaults.ice_transport_policy = DT_ICE_TRANSPORT_POLICY_ALL;
  defaults.bundle_policy = DT_BUNDLE_POLICY_MAX_BUNDLE;
  dt_peer_connection_config config = ReadVersioned(in, defaults, "dt_peer_connection_config");

  webrtc::PeerConnectionInterface::RTCConfiguration rtc;
  rtc.sdp_semantics = webrtc::SdpSemantics::kUnifiedPlan;
  RequireArgument(config.ice_servers != nullptr || config.ice_server_count == 0, "ice_servers is NULL");
  for (size_t i = 0; i < config.ice_server_count; ++i) {
    const dt_ice_server& server = config.ice_servers[i];
    RequireArgument(server.urls != nullptr && server.url_count > 0, "an ICE server has no urls");
    webrtc::PeerConnectionInterface::IceServer ice;
    for (size_t u = 0; u < server.url_count; ++u) {
      RequireArgument(server.urls[u] != nullptr, "an ICE server url is NULL");
      ice.urls.emplace_back(server.urls[u]);
    }
    if (server.username) ice.username = server.username;
    if (server.credential) ice.password = server.credential;
    rtc.servers.push_back(std::move(ice));
  }
  switch (CheckedEnum(config.ice_transport_policy, DT_ICE_TRANSPORT_POLICY_ALL, DT_ICE_TRANSPORT_POLICY_RELAY,
                      "ice_transport_policy")) {
    case DT_ICE_TRANSPORT_POLICY_ALL: rtc.type = webrtc::PeerConnectionInterface::kAll; break;
    case DT_ICE_TRANSPORT_POLICY_RELAY: rtc.type = webrtc::PeerConnectionInterface::kRelay; break;
  }
  switch (CheckedEnum(config.bundle_policy, DT_BUNDLE_POLICY_BALANCED, DT_BUNDLE_POLICY_MAX_COMPAT, "bundle_policy")) {
    case DT_BUNDLE_POLICY_BALANCED: rtc.bundle_policy = webrtc::PeerConnectionInterface::kBundlePolicyBalanced; break;
    case DT_BUNDLE_POLICY_MAX_BUNDLE: rtc.bundle_policy = webrtc::PeerConnectionInterface::kBundlePolicyMaxBundle; break;
    case DT_BUNDLE_POLICY_MAX_COMPAT: rtc.bundle_policy = webrtc::PeerConnectionInterface::kBundlePolicyMaxCompat; break;
  }
  RequireArgument(config.ice_candidate_pool_size >= 0, "ice_candidate_pool_size is negative");
  rtc.ice_candidate_pool_size = config.ice_candidate_pool_size;
  RequireArgument(config.min_port <= config.max_port, "min_port is greater than max_port");
  rtc.port_allocator_config.min_port = config.min_port;
  rtc.port_allocator_config.max_port = config.max_port;
  return rtc;
}
}  // namespace

PeerConnection::PeerConnection(std::shared_ptr<Factory> factory)
    : factory_(std::move(factory)),
      gate_(std::make_shared<CallbackGate>()),
      events_(gate_),
      completions_(std::make_shared<Completions>(gate_)),
      observer_(std::make_unique<PeerConnectionObserver>(*this)) {}

PeerConnection::~PeerConnection() { Shutdown(); }

std::shared_ptr<PeerConnection> PeerConnection::Create(std::shared_ptr<Factory> factory,
                                                       const dt_peer_connection_config* config) {
  auto rtc_config = ToRtcConfiguration(config);
  std::shared_ptr<PeerConnection> pc(new PeerConnection(factory));
  webrtc::PeerConnectionDependencies dependencies(pc->observer_.get());
  dependencies.tls_cert_verifier = MakeTlsVerifier(factory->tls_trust().Get());  // null: built-in roots only
  auto created = factory->pc_factory().CreatePeerConnectionOrError(rtc_config, std::move(dependencies));
  if (!created.ok()) throw Error(DT_ERROR_CREATE_FAILED, ErrorText(created.error()));
  std::lock_guard lock(pc->mutex_);
  pc->pc_ = created.MoveValue();
  return pc;
}

rtc::scoped_refptr<webrtc::PeerConnectionInterface> PeerConnection::pc() const {
  std::lock_guard lock(mutex_);
  if (!pc_) throw Error(DT_ERROR_CLOSED, "the peer connection was released");
  return pc_;
}

void PeerConnection::Close() {
  rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc;
  {
    std::lock_guard lock(mutex_);
    pc = pc_;
  }
  completions_->CloseAll();  // before libwebrtc fails them with its own errors
  if (pc) pc->Close();       // state events to "closed" are still delivered while this runs
  gate_->CloseAndDrain();
}

void PeerConnection::Shutdown() {
  std::vector<TransceiverEntry> transceivers;
  rtc::scoped_refptr<webrtc::PeerConnectionInterface> pc;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    transceivers.swap(transceivers_);
    pc = std::move(pc_);
  }
  completions_->CloseAll();  // before libwebrtc fails them with its own errors
  if (pc) {
    // Close and the last reference in one round trip to the signalling thread: there the proxy runs both
    // inline (from here each is a blocking hop). The state events to "closed" are delivered meanwhile, and
    // observer_ (a member) is still alive for anything libwebrtc's destructor reports.
    compat::RunOn(factory_->signaling_thread(), [&] {
      pc->Close();
      pc = nullptr;
    });
  }
  gate_->CloseAndDrain();
  for (auto& entry : transceivers) {
    registry::Remove(entry.handle, HandleKind::kTransceiver);
    entry.object->Shutdown();
  }
  transceivers.clear();
}

dt_transceiver* PeerConnection::TransceiverHandle(const rtc::scoped_refptr<webrtc::RtpTransceiverInterface>& transceiver) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return nullptr;
  for (const auto& entry : transceivers_) {
    if (entry.raw == transceiver.get()) return reinterpret_cast<dt_transceiver*>(static_cast<uintptr_t>(entry.handle));
  }
  auto object = std::make_shared<Transceiver>(factory_, gate_, transceiver);
  // Room first: once registered, the entry must be recorded (Shutdown removes the handle through
  // it), so nothing after Register may throw.
  transceivers_.reserve(transceivers_.size() + 1);
  dt_transceiver* handle = Register(object);
  transceivers_.push_back(TransceiverEntry{transceiver.get(), object, HandleId<Transceiver>(handle)});
  return handle;
}

void PeerConnection::OnRemoteDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) {
  auto object = std::make_shared<DataChannel>(factory_, std::move(channel));
  dt_data_channel* handle = Register(object);
  bool taken = false;
  events_.Fire([&](const dt_peer_connection_callbacks& cb, void* user) {
    if (cb.on_data_channel == nullptr) return;
    taken = true;
    cb.on_data_channel(user, handle);
  });
  if (!taken) {
    registry::Remove(HandleId<DataChannel>(handle), HandleKind::kDataChannel);
    object->Shutdown();
  }
}

}  // namespace dt

using dt::Guard;
using dt::Lookup;
using dt::PeerConnection;

extern "C" {

DT_API int32_t dt_peer_connection_create(dt_factory* factory, const dt_peer_connection_config* config,
                                         dt_peer_connection** out_peer_connection) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_peer_connection != nullptr, "out_peer_connection is NULL");
    *out_peer_connection = nullptr;
    auto f = Lookup<dt::Factory>(factory);
    *out_peer_connection = dt::Register(PeerConnection::Create(f, config));
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_set_callbacks(dt_peer_connection* peer_connection,
                                                const dt_peer_connection_callbacks* callbacks, void* user_data) {
  return Guard(__func__, [&] {
    Lookup<PeerConnection>(peer_connection)->events().Set(callbacks, user_data, "dt_peer_connection_callbacks");
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_restart_ice(dt_peer_connection* peer_connection) {
  return Guard(__func__, [&] {
    Lookup<PeerConnection>(peer_connection)->pc()->RestartIce();
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_get_signaling_state(dt_peer_connection* peer_connection, dt_signaling_state* out_state) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_state != nullptr, "out_state is NULL");
    *out_state = static_cast<dt_signaling_state>(Lookup<PeerConnection>(peer_connection)->pc()->signaling_state());
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_get_ice_gathering_state(dt_peer_connection* peer_connection,
                                                          dt_ice_gathering_state* out_state) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_state != nullptr, "out_state is NULL");
    *out_state = static_cast<dt_ice_gathering_state>(Lookup<PeerConnection>(peer_connection)->pc()->ice_gathering_state());
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_get_ice_connection_state(dt_peer_connection* peer_connection,
                                                           dt_ice_connection_state* out_state) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_state != nullptr, "out_state is NULL");
    *out_state = static_cast<dt_ice_connection_state>(
        Lookup<PeerConnection>(peer_connection)->pc()->standardized_ice_connection_state());
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_get_connection_state(dt_peer_connection* peer_connection,
                                                       dt_peer_connection_state* out_state) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_state != nullptr, "out_state is NULL");
    *out_state = static_cast<dt_peer_connection_state>(Lookup<PeerConnection>(peer_connection)->pc()->peer_connection_state());
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_close(dt_peer_connection* peer_connection) {
  return Guard(__func__, [&] {
    Lookup<PeerConnection>(peer_connection)->Close();
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_release(dt_peer_connection* peer_connection) {
  return Guard(__func__, [&] {
    auto pc = Lookup<PeerConnection>(peer_connection);
    if (pc->gate()->InsideOnThisThread()) {
      throw dt::Error(DT_ERROR_INVALID_STATE, "dt_peer_connection_release called from one of its own callbacks");
    }
    dt::Unregister<PeerConnection>(peer_connection);
    pc->Shutdown();
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_add_audio_track(dt_peer_connection* peer_connection, const dt_audio_track_init* init,
                                                  dt_transceiver** out_transceiver) {
  return Guard(__func__, [&] {
    dt::RequireArgument(out_transceiver != nullptr, "out_transceiver is NULL");
    *out_transceiver = nullptr;
    dt_audio_track_init track_init = dt::ReadVersioned(init, dt_audio_track_init{sizeof(dt_audio_track_init), nullptr, nullptr},
                                                       "dt_audio_track_init");
    auto owner = Lookup<PeerConnection>(peer_connection);
    auto pc = owner->pc();
    std::string track_id = track_init.track_id ? track_init.track_id : rtc::CreateRandomUuid();
    std::string stream_id = track_init.stream_id ? track_init.stream_id : rtc::CreateRandomUuid();
    // One round trip to the signalling thread: there the proxy calls below run inline.
    dt::compat::RunOn(owner->factory()->signaling_thread(), [&] {
      // Empty AudioOptions: the audio processing switches stay the factory's (dt_factory_set_audio_processing).
      auto source = owner->factory()->pc_factory().CreateAudioSource(cricket::AudioOptions());
      auto track = owner->factory()->pc_factory().CreateAudioTrack(track_id, source.get());
      if (!track) throw dt::Error(DT_ERROR_CREATE_FAILED, "libwebrtc could not create the audio track");
      auto sender = pc->AddTrack(track, {stream_id});
      if (!sender.ok()) throw dt::Error(DT_ERROR_INVALID_STATE, dt::ErrorText(sender.error()));
      for (const auto& transceiver : pc->GetTransceivers()) {
        if (transceiver->sender() == sender.value()) {
          *out_transceiver = owner->TransceiverHandle(transceiver);
          break;
        }
      }
    });
    if (*out_transceiver == nullptr) throw dt::Error(DT_ERROR_INTERNAL, "the new track's transceiver was not found");
    return DT_OK;
  });
}

}  // extern "C"
