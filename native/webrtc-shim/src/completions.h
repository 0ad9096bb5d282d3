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

  // Registers a pending completion; throws DT_ERROR_CLOSED once the connection is closed.
  uint64_t Add(Completion completion);
  // Forgets a completion whose operation could not be started (its callback is never called).
  void Cancel(uint64_t id);
  // Completes `id` through `report(completion)` if it is still pending (else does nothing).
  template <typename Report>
  void Complete(uint64_t id, Report&& report) {
    std::optional<Completion> completion = Take(id);
    if (!completion) return;
    CallbackGate::Pass pass(*gate_, /*always=*/true);
    report(*completion);
  }
  // Refuses new completions and completes every pending one with DT_ERROR_CLOSED.
  void CloseAll();

 private:
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
