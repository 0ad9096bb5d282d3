// Replacements for the two libtg_owt.a objects removed from the shim's copy of the archive.
//
// Why: Debian's libtg_owt.a is compiled for executables, and task_queue_base.cc.o and
// yield_policy.cc.o keep their thread_local pointers in the local-exec TLS model, which cannot be
// linked into a shared object. cmake/tg_owt_shared_link.cmake deletes those two objects from a copy
// of the archive; this file defines the same functions, compiled with -fPIC (so the TLS model is
// one a shared library may use). The behaviour is the one their headers document: one thread-local
// "current" pointer each, set and restored by a scoped setter.
//
// libwebrtc-version-specific: with a libwebrtc built as a shared-library-friendly archive (a
// WEBRTC_ROOT build) this file is not compiled (DT_OWN_TLS_OVERRIDES off).
#include "api/task_queue/task_queue_base.h"
#include "rtc_base/synchronization/yield_policy.h"

namespace webrtc {
namespace {
thread_local TaskQueueBase* current_task_queue = nullptr;
}  // namespace

TaskQueueBase* TaskQueueBase::Current() { return current_task_queue; }

TaskQueueBase::CurrentTaskQueueSetter::CurrentTaskQueueSetter(TaskQueueBase* task_queue)
    : previous_(current_task_queue) {
  current_task_queue = task_queue;
}

TaskQueueBase::CurrentTaskQueueSetter::~CurrentTaskQueueSetter() { current_task_queue = previous_; }
}  // namespace webrtc

namespace rtc {
namespace {
thread_local YieldInterface* current_yield_policy = nullptr;
}  // namespace

ScopedYieldPolicy::ScopedYieldPolicy(YieldInterface* policy) : previous_(current_yield_policy) {
  current_yield_policy = policy;
}

ScopedYieldPolicy::~ScopedYieldPolicy() { current_yield_policy = previous_; }

void ScopedYieldPolicy::YieldExecution() {
  if (current_yield_policy != nullptr) current_yield_policy->YieldExecution();
}
}  // namespace rtc
