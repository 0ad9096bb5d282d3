#include "audio_source_clock.h"

#include "errors.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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
}  // namespace

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
  std::vector<std::shared_ptr<Member>> current;
  current.reserve(64);
  int64_t next = NowNs() + kPeriodNs;
  while (!stop_.load(std::memory_order_relaxed)) {
    SleepUntil(next);
    int64_t late = NowNs() - next;
    if (late > kResyncNs) {  // suspended or starved: start a fresh schedule rather than burst
      int64_t missed = late / kPeriodNs;
      next += missed * kPeriodNs;
      std::lock_guard lock(stats_mutex_);
      skipped_ += static_cast<uint64_t>(missed);
    }
    RecordLateness(late);
    {
      std::lock_guard tick(tick_mutex_);
      {
        std::lock_guard lock(members_mutex_);
        current.assign(members_.begin(), members_.end());  // allocates only when the call count grows
      }
      for (const auto& member : current) member->Tick();
      current.clear();  // under tick_mutex_: a member being removed is destroyed by Remove, not here
    }
    next += kPeriodNs;
  }
}

void CallAudioClock::RecordLateness(int64_t late_ns) {
  if (late_ns < 0) late_ns = 0;
  int bucket = static_cast<int>(std::min<int64_t>(late_ns / 100'000, kBuckets - 1));
  std::lock_guard lock(stats_mutex_);
  ++histogram_[bucket];
  ++ticks_;
  max_late_ns_ = std::max(max_late_ns_, late_ns);
}

dt_call_audio_clock_statistics CallAudioClock::Statistics() const {
  dt_call_audio_clock_statistics out{};
  out.struct_size = sizeof(out);
  {
    std::lock_guard lock(members_mutex_);
    out.members = static_cast<uint32_t>(members_.size());
  }
  std::lock_guard lock(stats_mutex_);
  out.ticks = ticks_;
  out.skipped_ticks = skipped_;
  out.lateness_max_ms = max_late_ns_ / 1e6;
  auto percentile = [&](double p) {
    if (ticks_ == 0) return 0.0;
    uint64_t target = static_cast<uint64_t>(p * static_cast<double>(ticks_ - 1)) + 1, seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += histogram_[i];
      if (seen >= target) return (i + 1) * 0.1;  // upper edge of the bucket
    }
    return kBuckets * 0.1;
  };
  out.lateness_p50_ms = percentile(0.50);
  out.lateness_p99_ms = percentile(0.99);
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
}
