// Offer/answer: create, set local/remote, read back. libwebrtc's observers report to the peer
// connection's Completions (each completes exactly once).
#include <memory>

#include "api/jsep.h"
#include "api/set_local_description_observer_interface.h"
#include "api/set_remote_description_observer_interface.h"
#include "peer_connection.h"
#include "webrtc_compat.h"

namespace dt {
namespace {

static_assert(int(webrtc::SdpType::kOffer) == DT_SDP_TYPE_OFFER && int(webrtc::SdpType::kPrAnswer) == DT_SDP_TYPE_PRANSWER &&
              int(webrtc::SdpType::kAnswer) == DT_SDP_TYPE_ANSWER && int(webrtc::SdpType::kRollback) == DT_SDP_TYPE_ROLLBACK);

webrtc::SdpType ToSdpType(dt_sdp_type type) {
  return static_cast<webrtc::SdpType>(CheckedEnum(type, DT_SDP_TYPE_OFFER, DT_SDP_TYPE_ROLLBACK, "sdp type"));
}

class CreateObserver : public webrtc::CreateSessionDescriptionObserver {
 public:
  CreateObserver(std::shared_ptr<Completions> completions, uint64_t id) : completions_(std::move(completions)), id_(id) {}

  // libwebrtc hands over ownership of `desc`.
  void OnSuccess(webrtc::SessionDescriptionInterface* desc) override {
    std::unique_ptr<webrtc::SessionDescriptionInterface> owned(desc);
    bool done = Contain("CreateSessionDescriptionObserver::OnSuccess", [&] {
      std::string sdp;
      owned->ToString(&sdp);
      auto type = static_cast<dt_sdp_type>(owned->GetType());
      completions_->Complete(id_, [&](const Completion& c) {
        const auto& done = std::get<SdpCompletion>(c);
        done.callback(done.user_data, DT_OK, type, sdp.c_str(), nullptr);
      });
    });
    if (!done) completions_->Fail(id_, DT_ERROR_INTERNAL, "the new session description could not be delivered");
  }
  void OnFailure(webrtc::RTCError error) override {
    bool done = Contain("CreateSessionDescriptionObserver::OnFailure", [&] {
      std::string message = ErrorText(error);
      completions_->Complete(id_, [&](const Completion& c) { ReportFailure(c, DT_ERROR_OPERATION_FAILED, message); });
    });
    if (!done) completions_->Fail(id_, DT_ERROR_OPERATION_FAILED, "creating the session description failed");
  }

 private:
  std::shared_ptr<Completions> completions_;
  uint64_t id_;
};

// Reports a set-description outcome: success, or DT_ERROR_SDP_REJECTED with libwebrtc's message.
// Runs on libwebrtc's signalling thread: nothing may throw out of it.
void ReportSet(Completions& completions, uint64_t id, const webrtc::RTCError& error) {
  bool done = Contain("a set-description observer", [&] {
    if (error.ok()) {
      completions.Complete(id, [&](const Completion& c) {
        const auto& done = std::get<DoneCompletion>(c);
        if (done.callback) done.callback(done.user_data, DT_OK, nullptr);
      });
    } else {
      std::string message = ErrorText(error);
      completions.Complete(id, [&](const Completion& c) { ReportFailure(c, DT_ERROR_SDP_REJECTED, message); });
    }
  });
  if (!done) completions.Fail(id, DT_ERROR_INTERNAL, "the outcome of setting the description could not be delivered");
}

class SetLocalObserver : public webrtc::SetLocalDescriptionObserverInterface {
 public:
  SetLocalObserver(std::shared_ptr<Completions> completions, uint64_t id) : completions_(std::move(completions)), id_(id) {}
  void OnSetLocalDescriptionComplete(webrtc::RTCError error) override { ReportSet(*completions_, id_, error); }

 private:
  std::shared_ptr<Completions> completions_;
  uint64_t id_;
};

class SetRemoteObserver : public webrtc::SetRemoteDescriptionObserverInterface {
 public:
  SetRemoteObserver(std::shared_ptr<Completions> completions, uint64_t id) : completions_(std::move(completions)), id_(id) {}
  void OnSetRemoteDescriptionComplete(webrtc::RTCError error) override { ReportSet(*completions_, id_, error); }

 private:
  std::shared_ptr<Completions> completions_;
  uint64_t id_;
};

webrtc::PeerConnectionInterface::RTCOfferAnswerOptions ToOfferAnswerOptions(const dt_offer_answer_options* in) {
  dt_offer_answer_options defaults{};
  defaults.struct_size = sizeof(defaults);
  defaults.voice_activity_detection = true;
  dt_offer_answer_options options = ReadVersioned(in, defaults, "dt_offer_answer_options");
  webrtc::PeerConnectionInterface::RTCOfferAnswerOptions rtc;
  rtc.ice_restart = options.ice_restart;
  rtc.voice_activity_detection = options.voice_activity_detection;
  return rtc;
}

int32_t CreateDescription(dt_peer_connection* handle, const dt_offer_answer_options* options,
                          dt_session_description_callback callback, void* user_data, bool offer) {
  RequireArgument(callback != nullptr, "callback is NULL");
  auto rtc_options = ToOfferAnswerOptions(options);
  auto owner = Lookup<PeerConnection>(handle);
  auto pc = owner->pc();
  owner->completions().Start(SdpCompletion{callback, user_data}, [&](uint64_t id) {
    auto observer = rtc::make_ref_counted<CreateObserver>(owner->completions_ptr(), id);
    if (offer) {
      pc->CreateOffer(observer.get(), rtc_options);
    } else {
      pc->CreateAnswer(observer.get(), rtc_options);
    }
  });
  return DT_OK;
}

std::unique_ptr<webrtc::SessionDescriptionInterface> ParseDescription(dt_sdp_type type, const char* sdp) {
  webrtc::SdpType rtc_type = ToSdpType(type);
  if (rtc_type != webrtc::SdpType::kRollback) RequireArgument(sdp != nullptr, "sdp is NULL");
  webrtc::SdpParseError error;
  auto description = webrtc::CreateSessionDescription(rtc_type, sdp ? sdp : "", &error);
  if (!description) {
    std::string message = "SDP parse error";
    if (!error.line.empty()) message += " at line '" + error.line + "'";
    if (!error.description.empty()) message += ": " + error.description;
    throw Error(DT_ERROR_SDP_PARSE, message);
  }
  return description;
}

int32_t GetDescription(dt_peer_connection* handle, bool local, dt_sdp_type* out_type, char* buffer, size_t capacity,
                       size_t* out_needed) {
  auto owner = Lookup<PeerConnection>(handle);
  auto pc = owner->pc();
  bool found = false;
  std::string sdp;
  webrtc::SdpType type = webrtc::SdpType::kOffer;
  // The description objects belong to the signalling thread: read them there.
  compat::RunOn(owner->factory()->signaling_thread(), [&] {
    const webrtc::SessionDescriptionInterface* d = local ? pc->local_description() : pc->remote_description();
    if (d == nullptr) return;
    found = d->ToString(&sdp);
    type = d->GetType();
  });
  if (!found) throw Error(DT_ERROR_INVALID_STATE, local ? "there is no local description" : "there is no remote description");
  if (out_type != nullptr) *out_type = static_cast<dt_sdp_type>(type);
  return WriteString(sdp, buffer, capacity, out_needed);
}

}  // namespace
}  // namespace dt

using dt::Guard;

extern "C" {

DT_API int32_t dt_peer_connection_create_offer(dt_peer_connection* peer_connection, const dt_offer_answer_options* options,
                                               dt_session_description_callback callback, void* user_data) {
  return Guard(__func__, [&] { return dt::CreateDescription(peer_connection, options, callback, user_data, true); });
}

DT_API int32_t dt_peer_connection_create_answer(dt_peer_connection* peer_connection, const dt_offer_answer_options* options,
                                                dt_session_description_callback callback, void* user_data) {
  return Guard(__func__, [&] { return dt::CreateDescription(peer_connection, options, callback, user_data, false); });
}

DT_API int32_t dt_peer_connection_set_local_description(dt_peer_connection* peer_connection, dt_sdp_type type,
                                                        const char* sdp, dt_completion_callback callback, void* user_data) {
  return Guard(__func__, [&] {
    auto description = dt::ParseDescription(type, sdp);
    auto owner = dt::Lookup<dt::PeerConnection>(peer_connection);
    auto pc = owner->pc();
    owner->completions().Start(dt::DoneCompletion{callback, user_data}, [&](uint64_t id) {
      pc->SetLocalDescription(std::move(description), rtc::make_ref_counted<dt::SetLocalObserver>(owner->completions_ptr(), id));
    });
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_set_remote_description(dt_peer_connection* peer_connection, dt_sdp_type type,
                                                         const char* sdp, dt_completion_callback callback, void* user_data) {
  return Guard(__func__, [&] {
    auto description = dt::ParseDescription(type, sdp);
    auto owner = dt::Lookup<dt::PeerConnection>(peer_connection);
    auto pc = owner->pc();
    owner->completions().Start(dt::DoneCompletion{callback, user_data}, [&](uint64_t id) {
      pc->SetRemoteDescription(std::move(description), rtc::make_ref_counted<dt::SetRemoteObserver>(owner->completions_ptr(), id));
    });
    return DT_OK;
  });
}

DT_API int32_t dt_peer_connection_get_local_description(dt_peer_connection* peer_connection, dt_sdp_type* out_type,
                                                        char* buffer, size_t capacity, size_t* out_needed) {
  return Guard(__func__, [&] { return dt::GetDescription(peer_connection, true, out_type, buffer, capacity, out_needed); });
}

DT_API int32_t dt_peer_connection_get_remote_description(dt_peer_connection* peer_connection, dt_sdp_type* out_type,
                                                         char* buffer, size_t capacity, size_t* out_needed) {
  return Guard(__func__, [&] { return dt::GetDescription(peer_connection, false, out_type, buffer, capacity, out_needed); });
}

}  // extern "C"
