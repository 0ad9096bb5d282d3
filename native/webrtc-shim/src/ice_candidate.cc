// Remote ICE candidates (trickle ICE).
#include <memory>

#include "api/jsep.h"
#include "peer_connection.h"

using dt::Guard;

extern "C" DT_API int32_t dt_peer_connection_add_ice_candidate(dt_peer_connection* peer_connection, const char* sdp_mid,
                                                               int32_t sdp_mline_index, const char* candidate,
                                                               dt_completion_callback callback, void* user_data) {
  return Guard(__func__, [&] {
    dt::RequireArgument(candidate != nullptr, "candidate is NULL");
    std::string text = candidate;
    if (text.rfind("a=", 0) == 0) text.erase(0, 2);  // the attribute form, as found in SDP
    webrtc::SdpParseError error;
    std::unique_ptr<webrtc::IceCandidateInterface> parsed(
        webrtc::CreateIceCandidate(sdp_mid ? sdp_mid : "", sdp_mline_index, text, &error));
    if (!parsed) {
      std::string message = "ICE candidate parse error";
      if (!error.description.empty()) message += ": " + error.description;
      throw dt::Error(DT_ERROR_ICE_CANDIDATE, message);
    }
    auto owner = dt::Lookup<dt::PeerConnection>(peer_connection);
    auto pc = owner->pc();
    std::shared_ptr<dt::Completions> completions = owner->completions_ptr();
    completions->Start(dt::DoneCompletion{callback, user_data}, [&](uint64_t id) {
      pc->AddIceCandidate(std::move(parsed), [completions, id](webrtc::RTCError result) {
        // Runs on the signalling thread: nothing may throw out of it.
        bool done = dt::Contain("AddIceCandidate's completion", [&] {
          if (result.ok()) {
            completions->Complete(id, [](const dt::Completion& c) {
              const auto& done = std::get<dt::DoneCompletion>(c);
              if (done.callback) done.callback(done.user_data, DT_OK, nullptr);
            });
          } else {
            std::string message = dt::ErrorText(result);
            completions->Complete(id, [&](const dt::Completion& c) { dt::ReportFailure(c, DT_ERROR_ICE_CANDIDATE, message); });
          }
        });
        if (!done) completions->Fail(id, DT_ERROR_INTERNAL, "the outcome of adding the candidate could not be delivered");
      });
    });
    return DT_OK;
  });
}
