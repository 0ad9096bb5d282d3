// getStats: libwebrtc's standard RTCStatsReport, serialised with its own ToJson().
#include "api/stats/rtc_stats_collector_callback.h"
#include "api/stats/rtc_stats_report.h"
#include "peer_connection.h"

namespace dt {
namespace {
class StatsObserver : public webrtc::RTCStatsCollectorCallback {
 public:
  StatsObserver(std::shared_ptr<Completions> completions, uint64_t id) : completions_(std::move(completions)), id_(id) {}
  void OnStatsDelivered(const rtc::scoped_refptr<const webrtc::RTCStatsReport>& report) override {
    if (!report) {
      completions_->Fail(id_, DT_ERROR_OPERATION_FAILED, "no stats report");
      return;
    }
    bool done = Contain("RTCStatsCollectorCallback::OnStatsDelivered", [&] {
      std::string json = report->ToJson();
      completions_->Complete(id_, [&](const Completion& c) {
        const auto& done = std::get<StatsCompletion>(c);
        done.callback(done.user_data, DT_OK, json.c_str(), json.size(), nullptr);
      });
    });
    if (!done) completions_->Fail(id_, DT_ERROR_INTERNAL, "the stats report could not be delivered");
  }

 private:
  std::shared_ptr<Completions> completions_;
  uint64_t id_;
};
}  // namespace
}  // namespace dt

extern "C" DT_API int32_t dt_peer_connection_get_stats(dt_peer_connection* peer_connection, dt_stats_callback callback,
                                                       void* user_data) {
  return dt::Guard(__func__, [&] {
    dt::RequireArgument(callback != nullptr, "callback is NULL");
    auto owner = dt::Lookup<dt::PeerConnection>(peer_connection);
    auto pc = owner->pc();
    owner->completions().Start(dt::StatsCompletion{callback, user_data}, [&](uint64_t id) {
      pc->GetStats(rtc::make_ref_counted<dt::StatsObserver>(owner->completions_ptr(), id).get());
    });
    return DT_OK;
  });
}
