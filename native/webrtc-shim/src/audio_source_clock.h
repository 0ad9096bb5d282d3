// The process-wide real-time clock of per-call audio ("dt-call-audio"): one thread, an absolute
// 10 ms schedule (clock_nanosleep TIMER_ABSTIME), serving every per-call source (which sends 10 ms
// of its audio per tick) and every WAV-recording sink (which writes what it received). One thread
// for all calls rather than one per call: each tick is a few memcpy's per call, and a thread per
// call would cost a wake-up per call every 10 ms. The thread runs only while it has members.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "webrtc_shim.h"

namespace dt {

class CallAudioClock {
 public:
  class Member {
   public:
    virtual ~Member() = default;
    // Called every 10 ms on the clock thread. Must not block and must not call Remove.
    virtual void Tick() = 0;
  };

  static CallAudioClock& Instance();

  // Starts serving `member` from the next tick (starts the thread when it is the first).
  void Add(std::shared_ptr<Member> member);
  // Stops serving `member`; when it returns, no Tick of it is running or will run again.
  void Remove(const Member* member);

  dt_call_audio_clock_statistics Statistics() const;
  // The window since the previous TakeWindow (or the process start); starts a new one.
  dt_call_audio_clock_window TakeWindow();
  // 0: normal scheduling; 1..99: SCHED_FIFO at that priority. Throws Error(DT_ERROR_NOT_SUPPORTED)
  // when the process may not (then nothing changes); applied now and whenever the thread starts.
  void SetRealtimePriority(int priority);

 private:
  // Lateness/work histogram: 0.1 ms buckets up to 100 ms, the last bucket holds everything later.
  struct Histogram {
    static constexpr int kBuckets = 1001;
    uint64_t counts[kBuckets] = {};
    uint64_t total = 0;
    int64_t max_ns = 0;
    void Add(int64_t ns);
    double PercentileMs(double p) const;  // upper edge of the bucket holding the p-quantile
  };

  CallAudioClock();
  void Run();
  void ApplyPriority();  // on the clock thread
  void RecordTick(int64_t late_ns, int64_t work_ns, uint32_t members);

  std::mutex control_mutex_;  // Add/Remove: thread start and stop
  std::thread thread_;
  std::atomic<bool> stop_{false};

  mutable std::mutex members_mutex_;
  std::vector<std::shared_ptr<Member>> members_;
  std::mutex tick_mutex_;  // held for a whole tick: Remove waits on it

  mutable std::mutex stats_mutex_;
  Histogram lateness_;  // process lifetime
  uint64_t skipped_ = 0;
  // The current window (see TakeWindow).
  Histogram window_lateness_;
  Histogram window_work_;
  uint64_t window_skipped_ = 0;
  uint32_t window_members_max_ = 0;
  int64_t window_start_ns_;  // CLOCK_MONOTONIC

  std::atomic<int> requested_priority_{0};
  std::atomic<int> applied_priority_{0};
};

}  // namespace dt
