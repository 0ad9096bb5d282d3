#include "audio_source_clock.h"

#include "errors.h"
#include "shared_task_queues.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

namespace dt {
namespace {
constexpr int64_t kPeriodNs = 10'000'000;
constexpr int64_t kResyncNs = 200'000'000;  // further behind than this: skip ticks, do not burst

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void SleepUntil(int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1'000'000'000), static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// Tries the scheduling on the calling thread: 0 or the errno of pthread_setschedparam.
int SetThreadPriority(int priority) {
  sched_param param{};
  param.sched_priority = priority;
  return pthread_setschedparam(pthread_self(), priority > 0 ? SCHED_FIFO : SCHED_OTHER, &param);
}
}  // namespace

CallAudioClock::CallAudioClock() : window_start_ns_(NowNs()) {}

CallAudioClock& CallAudioClock::Instance() {
  // Leaked on purpose: sources may be released during process exit, after static destructors.
  static CallAudioClock* instance = new CallAudioClock();
  return *instance;
}

void CallAudioClock::Add(std::shared_ptr<Member> member) {
  std::lock_guard control(control_mutex_);
  {
    std::lock_guard lock(members_mutex_);
    members_.push_back(std::move(member));
  }
  if (!thread_.joinable()) {
    stop_ = false;
    thread_ = std::thread([this] { Run(); });
  }
}

void CallAudioClock::Remove(const Member* member) {
  std::lock_guard control(control_mutex_);
  std::shared_ptr<Member> removed;  // destroyed outside the locks
  bool empty;
  {
    std::lock_guard lock(members_mutex_);
    auto it = std::find_if(members_.begin(), members_.end(), [&](const auto& m) { return m.get() == member; });
    if (it != members_.end()) {
      removed = std::move(*it);
      members_.erase(it);
    }
    empty = members_.empty();
  }
  if (thread_.joinable() && thread_.get_id() == std::this_thread::get_id()) return;  // never from a tick
  { std::lock_guard wait_for_tick(tick_mutex_); }  // a tick that still had `member` has finished
  if (empty && thread_.joinable()) {
    stop_ = true;
    thread_.join();
  }
}

void CallAudioClock::Run() {
  pthread_setname_np(pthread_self(), "dt-call-audio");
  ApplyPriority();
  std::vector<std::shared_ptr<Member>> current;
  current.reserve(64);
  int64_t next = NowNs() + kPeriodNs;
  while (!stop_.load(std::memory_order_relaxed)) {
    SleepUntil(next);
    const int64_t start = NowNs();
    const int64_t late = start - next;
    uint64_t missed = 0;
    if (late > kResyncNs) {  // suspended or starved: start a fresh schedule rather than burst
      missed = static_cast<uint64_t>(late / kPeriodNs);
      next += static_cast<int64_t>(missed) * kPeriodNs;
    }
    if (requested_priority_.load(std::memory_order_relaxed) != applied_priority_.load(std::memory_order_relaxed))
      ApplyPriority();
    uint32_t served;
    {
      std::lock_guard tick(tick_mutex_);
      {
        std::lock_guard lock(members_mutex_);
        current.assign(members_.begin(), members_.end());  // allocates only when the call count grows
      }
      {
        // Every call's frame goes to its encoder queue now; their shared threads wake once, after.
        PostBatch batch;
        for (const auto& member : current) member->Tick();
      }
      served = static_cast<uint32_t>(current.size());
      current.clear();  // under tick_mutex_: a member being removed is destroyed by Remove, not here
    }
    RecordTick(late, NowNs() - start, served);
    if (missed > 0) {
      std::lock_guard lock(stats_mutex_);
      skipped_ += missed;
      window_skipped_ += missed;
    }
    next += kPeriodNs;  // the absolute schedule: a late tick does not move the ones after it
  }
}

void CallAudioClock::ApplyPriority() {
  int wanted = requested_priority_.load();
  // SetRealtimePriority checked the permission; should it fail anyway, stay at what is in effect.
  if (SetThreadPriority(wanted) == 0) applied_priority_ = wanted;
  else requested_priority_ = applied_priority_.load();
}

void CallAudioClock::SetRealtimePriority(int priority) {
  RequireArgument(priority >= 0 && priority <= 99, "priority must be 0..99");
  if (priority > 0) {
    // Whether this process may use SCHED_FIFO (CAP_SYS_NICE or RLIMIT_RTPRIO >= priority; inside a
    // container also the runtime's policy): asked on a short-lived thread, so no caller thread changes.
    int result = 0;
    std::thread probe([&] { result = SetThreadPriority(priority); });
    probe.join();
    if (result != 0)
      throw Error(DT_ERROR_NOT_SUPPORTED, std::string("SCHED_FIFO priority ") + std::to_string(priority) +
                                              " not permitted: " + std::strerror(result) +
                                              " (needs CAP_SYS_NICE or RLIMIT_RTPRIO)");
  }
  requested_priority_ = priority;  // the clock thread applies it at its next tick or start
}

void CallAudioClock::Histogram::Add(int64_t ns) {
  if (ns < 0) ns = 0;
  ++counts[std::min<int64_t>(ns / 100'000, kBuckets - 1)];
  ++total;
  max_ns = std::max(max_ns, ns);
}

double CallAudioClock::Histogram::PercentileMs(double p) const {
  if (total == 0) return 0.0;
  uint64_t target = static_cast<uint64_t>(p * static_cast<double>(total - 1)) + 1, seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= target) return (i + 1) * 0.1;
  }
  return kBuckets * 0.1;
}

void CallAudioClock::RecordTick(int64_t late_ns, int64_t work_ns, uint32_t members) {
  std::lock_guard lock(stats_mutex_);
  lateness_.Add(late_ns);
  window_lateness_.Add(late_ns);
  window_work_.Add(work_ns);
  window_members_max_ = std::max(window_members_max_, members);
}

dt_call_audio_clock_statistics CallAudioClock::Statistics() const {
  dt_call_audio_clock_statistics out{};
  out.struct_size = sizeof(out);
  {
    std::lock_guard lock(members_mutex_);
    out.members = static_cast<uint32_t>(members_.size());
  }
  std::lock_guard lock(stats_mutex_);
  out.ticks = lateness_.total;
  out.skipped_ticks = skipped_;
  out.lateness_max_ms = lateness_.max_ns / 1e6;
  out.lateness_p50_ms = lateness_.PercentileMs(0.50);
  out.lateness_p99_ms = lateness_.PercentileMs(0.99);
  return out;
}

dt_call_audio_clock_window CallAudioClock::TakeWindow() {
  dt_call_audio_clock_window out{};
  out.struct_size = sizeof(out);
  out.realtime_priority = applied_priority_.load();
  const int64_t now = NowNs();
  std::lock_guard lock(stats_mutex_);
  out.seconds = (now - window_start_ns_) / 1e9;
  out.ticks = window_lateness_.total;
  out.skipped_ticks = window_skipped_;
  out.members_max = window_members_max_;
  out.lateness_p50_ms = window_lateness_.PercentileMs(0.50);
  out.lateness_p99_ms = window_lateness_.PercentileMs(0.99);
  out.lateness_max_ms = window_lateness_.max_ns / 1e6;
  out.work_p99_ms = window_work_.PercentileMs(0.99);
  out.work_max_ms = window_work_.max_ns / 1e6;
  window_lateness_ = Histogram{};
  window_work_ = Histogram{};
  window_skipped_ = 0;
  window_members_max_ = 0;
  window_start_ns_ = now;
  return out;
}

}  // namespace dt

extern "C" {
DT_API int32_t dt_call_audio_clock_get_statistics(dt_call_audio_clock_statistics* out_statistics) {
  return dt::Guard(__func__, [&] {
    dt::RequireArgument(out_statistics != nullptr, "out_statistics is NULL");
    uint32_t size = out_statistics->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_statistics->struct_size is not set");
    dt_call_audio_clock_statistics stats = dt::CallAudioClock::Instance().Statistics();
    std::memcpy(out_statistics, &stats, std::min<size_t>(size, sizeof(stats)));
    out_statistics->struct_size = size;
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_clock_take_window(dt_call_audio_clock_window* out_window) {
  return dt::Guard(__func__, [&] {
    dt::RequireArgument(out_window != nullptr, "out_window is NULL");
    uint32_t size = out_window->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_window->struct_size is not set");
    dt_call_audio_clock_window window = dt::CallAudioClock::Instance().TakeWindow();
    std::memcpy(out_window, &window, std::min<size_t>(size, sizeof(window)));
    out_window->struct_size = size;
    return DT_OK;
  });
}

DT_API int32_t dt_call_audio_clock_set_realtime_priority(int32_t priority) {
  return dt::Guard(__func__, [&] {
    dt::CallAudioClock::Instance().SetRealtimePriority(priority);
    return DT_OK;
  });
}
}
