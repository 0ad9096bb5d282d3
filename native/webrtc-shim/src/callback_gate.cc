#include "callback_gate.h"

#include <algorithm>
#include <vector>

namespace dt {
namespace {
// Gates the current thread is inside (callbacks may nest: a completion inside an event, ...).
thread_local std::vector<const CallbackGate*> gates_entered_here;

int EnteredHere(const CallbackGate* gate) {
  return static_cast<int>(std::count(gates_entered_here.begin(), gates_entered_here.end(), gate));
}
}  // namespace

CallbackGate::Pass::Pass(CallbackGate& gate, bool always) : gate_(gate), entered_(false) {
  std::lock_guard lock(gate_.mutex_);
  if (gate_.closed_ && !always) return;
  ++gate_.in_flight_;
  entered_ = true;
  gates_entered_here.push_back(&gate_);
}

CallbackGate::Pass::~Pass() {
  if (!entered_) return;
  auto it = std::find(gates_entered_here.rbegin(), gates_entered_here.rend(), &gate_);
  if (it != gates_entered_here.rend()) gates_entered_here.erase(std::next(it).base());
  std::lock_guard lock(gate_.mutex_);
  --gate_.in_flight_;
  gate_.drained_.notify_all();
}

void CallbackGate::CloseAndDrain() {
  // Callbacks running on this very thread (close called from inside one) cannot be waited for.
  int mine = EnteredHere(this);
  std::unique_lock lock(mutex_);
  closed_ = true;
  drained_.wait(lock, [&] { return in_flight_ <= mine; });
}

bool CallbackGate::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool CallbackGate::InsideOnThisThread() const { return EnteredHere(this) > 0; }

}  // namespace dt
