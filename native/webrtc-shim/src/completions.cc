#include "completions.h"

#include <vector>

namespace dt {

uint64_t Completions::Add(Completion completion) {
  std::lock_guard lock(mutex_);
  if (closed_) throw Error(DT_ERROR_CLOSED, "the peer connection is closed");
  uint64_t id = next_id_++;
  pending_.emplace(id, completion);
  return id;
}

bool Completions::Cancel(uint64_t id) { return Take(id).has_value(); }

void Completions::Fail(uint64_t id, int32_t result, const std::string& message) {
  Complete(id, [&](const Completion& c) { ReportFailure(c, result, message); });
}

std::optional<Completion> Completions::Take(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return std::nullopt;
  Completion completion = it->second;
  pending_.erase(it);
  return completion;
}

void Completions::CloseAll() {
  std::vector<Completion> taken;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [id, completion] : pending_) taken.push_back(completion);
    pending_.clear();
  }
  // Each on its own: one callback that throws must not keep the others from completing.
  for (const Completion& completion : taken) {
    CallbackGate::Pass pass(*gate_, /*always=*/true);
    Contain("a completion callback", [&] {
      ReportFailure(completion, DT_ERROR_CLOSED, "the peer connection was closed before the operation completed");
    });
  }
}

void ReportFailure(const Completion& completion, int32_t result, const std::string& message) {
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if (c.callback == nullptr) return;
        if constexpr (std::is_same_v<T, SdpCompletion>) {
          c.callback(c.user_data, result, DT_SDP_TYPE_OFFER, nullptr, message.c_str());
        } else if constexpr (std::is_same_v<T, DoneCompletion>) {
          c.callback(c.user_data, result, message.c_str());
        } else {
          c.callback(c.user_data, result, nullptr, 0, message.c_str());
        }
      },
      completion);
}

}  // namespace dt
