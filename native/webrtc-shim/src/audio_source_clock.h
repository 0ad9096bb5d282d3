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

 private:
  CallAudioClock() = default;
  void Run();
  void RecordLateness(int64_t late_ns);

  std::mutex control_mutex_;  // Add/Remove: thread start and stop
  std::thread thread_;
  std::atomic<bool> stop_{false};

  mutable std::mutex members_mutex_;
  std::vector<std::shared_ptr<Member>> members_;
  std::mutex tick_mutex_;  // held for a whole tick: Remove waits on it

  // Lateness histogram: 0.1 ms buckets up to 100 ms, the last bucket holds everything later.
  static constexpr int kBuckets = 1001;
  mutable std::mutex stats_mutex_;
  uint64_t histogram_[kBuckets] = {};
  uint64_t ticks_ = 0;
  uint64_t skipped_ = 0;
  int64_t max_late_ns_ = 0;
};

}  // namespace dt
