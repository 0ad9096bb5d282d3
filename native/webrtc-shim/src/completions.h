// Pending asynchronous operations of one peer connection. Each completes exactly once: either
// libwebrtc's observer takes it and reports the outcome, or Close() takes every one still pending
// and reports DT_ERROR_CLOSED. Observers hold this object (not the peer connection) so they stay
// harmless whenever libwebrtc runs them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "callback_gate.h"

namespace dt {

struct SdpCompletion {
  dt_session_description_callback callback;
  void* user_data;
};
struct DoneCompletion {
  dt_completion_callback callback;
  void* user_data;
};
struct StatsCompletion {
  dt_stats_callback callback;
  void* user_data;
};
using Completion = std::variant<SdpCompletion, DoneCompletion, StatsCompletion>;

class Completions {
 public:
  explicit Completions(std::shared_ptr<CallbackGate> gate) : gate_(std::move(gate)) {}

  // Starts an asynchronous operation: registers `completion` (DT_ERROR_CLOSED once the connection
  // is closed), then runs start(id), which hands `id` to libwebrtc's observer. If start throws,
  // the completion is withdrawn and the exception goes on (the export fails; the callback is never
  // called) — unless it was already taken (a concurrent close, or the observer, reported it): then
  // the callback has run or is running, so the export must succeed, or the caller would see two
  // outcomes for one operation.
  template <typename StartFn>
  void Start(Completion completion, StartFn&& start) {
    uint64_t id = Add(completion);
    try {
      start(id);
    } catch (...) {
      if (Cancel(id)) throw;
    }
  }
  // Completes `id` through `report(completion)` if it is still pending (else does nothing). A
  // throwing `report` (the application's callback) is contained: the completion counts as done.
  template <typename Report>
  void Complete(uint64_t id, Report&& report) {
    std::optional<Completion> completion = Take(id);
    if (!completion) return;
    CallbackGate::Pass pass(*gate_, /*always=*/true);
    Contain("a completion callback", [&] { report(*completion); });
  }
  // Completes `id` with `result` and `message` if it is still pending: for an observer whose own
  // work failed before it could report.
  void Fail(uint64_t id, int32_t result, const std::string& message);
  // Refuses new completions and completes every pending one with DT_ERROR_CLOSED.
  void CloseAll();

 private:
  uint64_t Add(Completion completion);
  // Forgets a pending completion; false when it was no longer pending.
  bool Cancel(uint64_t id);
  std::optional<Completion> Take(uint64_t id);

  std::shared_ptr<CallbackGate> gate_;
  std::mutex mutex_;
  std::map<uint64_t, Completion> pending_;
  uint64_t next_id_ = 1;
  bool closed_ = false;
};

// Reports a failure (or DT_ERROR_CLOSED) to any kind of completion.
void ReportFailure(const Completion& completion, int32_t result, const std::string& message);

}  // namespace dt
