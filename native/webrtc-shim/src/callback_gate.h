// How "after release returns, no callback runs again" is kept.
//
// Every call into application code passes a CallbackGate: it counts callbacks in flight, and
// CloseAndDrain() shuts the gate and waits until those running on other threads have returned.
// Events stop at a closed gate; completions (which must complete exactly once) are always let
// through but still counted, so a release waits for them too. The gate remembers which gates the
// current thread is inside, so a release from inside one of the object's own callbacks is refused
// instead of deadlocking.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "errors.h"

namespace dt {

class CallbackGate {
 public:
  // RAII pass through the gate; `entered()` is false when the gate refused (closed).
  class Pass {
   public:
    Pass(CallbackGate& gate, bool always);
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    ~Pass();
    bool entered() const { return entered_; }

   private:
    CallbackGate& gate_;
    bool entered_;
  };

  // Shuts the gate and waits for callbacks running on other threads to return.
  void CloseAndDrain();
  bool closed() const;
  // True while the calling thread is inside a callback that passed this gate.
  bool InsideOnThisThread() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable drained_;
  int in_flight_ = 0;
  bool closed_ = false;
};

// A callbacks struct (first member uint32_t struct_size) and its user_data, replaceable at any
// time, fired through a gate.
template <typename Callbacks>
class CallbackSlot {
 public:
  explicit CallbackSlot(std::shared_ptr<CallbackGate> gate) : gate_(std::move(gate)) {}

  // Copies `callbacks` honouring its struct_size (members it does not have stay NULL); NULL clears.
  void Set(const Callbacks* callbacks, void* user_data, const char* name) {
    Callbacks copy{};
    bool has = callbacks != nullptr;
    if (has) copy = ReadVersioned(callbacks, Callbacks{}, name);
    std::lock_guard lock(mutex_);
    callbacks_ = copy;
    user_data_ = user_data;
    has_ = has;
  }

  bool HasCallbacks() const {
    std::lock_guard lock(mutex_);
    return has_;
  }

  // Runs fn(callbacks, user_data) unless the gate is closed or no callbacks are set.
  // Returns whether it ran.
  template <typename Fn>
  bool Fire(Fn&& fn) {
    Callbacks copy;
    void* user_data;
    {
      std::lock_guard lock(mutex_);
      if (!has_) return false;
      copy = callbacks_;
      user_data = user_data_;
    }
    CallbackGate::Pass pass(*gate_, false);
    if (!pass.entered()) return false;
    // The application's callback (and the shim's code around it) must not throw into whatever
    // thread fired it.
    Contain("callback", [&] { fn(copy, user_data); });
    return true;
  }

 private:
  std::shared_ptr<CallbackGate> gate_;
  mutable std::mutex mutex_;
  Callbacks callbacks_{};
  void* user_data_ = nullptr;
  bool has_ = false;
};

}  // namespace dt
