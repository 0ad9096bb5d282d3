// The completion registry every asynchronous export goes through (src/completions.cc, compiled
// into this test: its failure paths need an exception *after* registration, which through the C
// ABI only an allocation failure inside libwebrtc's proxies would raise). Each operation completes
// exactly once: an export that fails never calls back later, and an export whose callback already
// ran (a concurrent close took it) does not also fail.
#include "completions.h"

#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <string>

namespace dt {
// The shim's LogContained writes to libwebrtc's log; here it only counts.
std::atomic<int> contained{0};
void LogContained(const char*, const char*) noexcept { contained++; }
}  // namespace dt

namespace {

struct Outcome {
  std::atomic<int> calls{0};
  std::atomic<int32_t> result{1};
};

void OnDone(void* user, int32_t result, const char*) {
  auto* o = static_cast<Outcome*>(user);
  o->result = result;
  o->calls++;
}



}  // namespace

TEST(Completions, AnOperationThatCannotStartIsWithdrawnAndNeverCalledBack) {
  auto gate = std::make_shared<dt::CallbackGate>();
  dt::Completions completions(gate);
  Outcome outcome;
  // libwebrtc's proxy call (or the observer's allocation) throws after registration: the export
  // fails — the application frees what it passed as user_data, so no callback may come later.
  EXPECT_THROW(completions.Start(dt::DoneCompletion{OnDone, &outcome}, [](uint64_t) { throw std::bad_alloc(); }),
               std::bad_alloc);
  completions.CloseAll();
  EXPECT_EQ(outcome.calls.load(), 0) << "a failed export was completed as well (double completion)";
}

TEST(Completions, AnOperationAlreadyReportedDoesNotAlsoFail) {
  auto gate = std::make_shared<dt::CallbackGate>();
  dt::Completions completions(gate);
  Outcome outcome;
  // A close on another thread completed it with DT_ERROR_CLOSED before the start call threw: the
  // callback ran, so the export must report success (exactly one outcome).
  EXPECT_NO_THROW(completions.Start(dt::DoneCompletion{OnDone, &outcome}, [&](uint64_t) {
    completions.CloseAll();
    throw std::runtime_error("libwebrtc refused");
  }));
  EXPECT_EQ(outcome.calls.load(), 1);
  EXPECT_EQ(outcome.result.load(), DT_ERROR_CLOSED);
}

TEST(Completions, AnObserverThatFailsCompletesOnceAndAThrowingCallbackIsContained) {
  auto gate = std::make_shared<dt::CallbackGate>();
  dt::Completions completions(gate);
  uint64_t started = 0;
  static std::atomic<int> calls{0};
  calls = 0;
  auto throwing = [](void*, int32_t, const char*) {
    calls++;
    throw std::runtime_error("the application's callback");
  };
  completions.Start(dt::DoneCompletion{throwing, nullptr}, [&](uint64_t id) { started = id; });
  int before = dt::contained.load();
  EXPECT_NO_THROW(completions.Fail(started, DT_ERROR_INTERNAL, "observer failed"));
  EXPECT_EQ(dt::contained.load(), before + 1);
  completions.Fail(started, DT_ERROR_INTERNAL, "again");  // already done: nothing
  completions.CloseAll();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_THROW(completions.Start(dt::DoneCompletion{OnDone, nullptr}, [](uint64_t) {}), dt::Error);  // closed
}
