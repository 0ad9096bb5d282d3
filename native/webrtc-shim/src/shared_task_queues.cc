#include "shared_task_queues.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "api/task_queue/task_queue_base.h"
#include "api/units/time_delta.h"
#include "rtc_base/event.h"

namespace dt {
namespace {

using Task = absl::AnyInvocable<void() &&>;
using SteadyClock = std::chrono::steady_clock;
class SharedQueue;

class WorkerState;

// The posting thread's open PostBatch: the shared threads it posted to, woken when it ends.
struct BatchOnThisThread {
  int depth = 0;
  std::vector<std::shared_ptr<WorkerState>> to_wake;
};
thread_local BatchOnThisThread t_batch;

// What one shared thread serves: the ready tasks of all its queues in posting order, and their
// delayed tasks by due time. Kept alive by the thread itself, so that the thread may outlive its
// last owner when that owner is released on the thread (a queue deleting itself from its own task).
class WorkerState : public std::enable_shared_from_this<WorkerState> {
 public:
  void Post(SharedQueue* queue, Task task) {
    {
      std::lock_guard lock(mutex_);
      ready_.push_back(Entry{queue, std::move(task)});
    }
    Wake();
  }

  void PostAt(SharedQueue* queue, Task task, SteadyClock::time_point due) {
    {
      std::lock_guard lock(mutex_);
      delayed_.emplace(due, Entry{queue, std::move(task)});
    }
    Wake();
  }

  // Now, or when the posting thread's PostBatch ends.
  void Wake() {
    if (t_batch.depth == 0) {
      wake_.Set();
      return;
    }
    for (const auto& pending : t_batch.to_wake) {
      if (pending.get() == this) return;
    }
    t_batch.to_wake.push_back(shared_from_this());
  }

  void WakeNow() { wake_.Set(); }

  // TaskQueueBase::Delete: when it returns no task of `queue` runs or will run. Returns false when
  // the queue deleted itself from its own task: then the thread frees it once that task returns.
  bool Delete(SharedQueue* queue) {
    std::vector<Task> dropped;
    bool deferred = false;
    {
      std::unique_lock lock(mutex_);
      if (running_ == queue && std::this_thread::get_id() == thread_id_) {
        deleting_running_ = true;
        deferred = true;
      } else {
        finished_.wait(lock, [&] { return running_ != queue; });
      }
      TakeTasksOf(queue, dropped);
    }
    dropped.clear();  // outside the lock: a task's destructor may post to another queue
    return !deferred;
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.Set();
  }

  void Run();

  std::thread::id thread_id_;  // set before any queue is made on this thread

 private:
  struct Entry {
    SharedQueue* queue;
    Task task;
  };

  void TakeTasksOf(SharedQueue* queue, std::vector<Task>& out) {
    for (auto it = ready_.begin(); it != ready_.end();) {
      if (it->queue != queue) {
        ++it;
        continue;
      }
      out.push_back(std::move(it->task));
      it = ready_.erase(it);
    }
    for (auto it = delayed_.begin(); it != delayed_.end();) {
      if (it->second.queue != queue) {
        ++it;
        continue;
      }
      out.push_back(std::move(it->second.task));
      it = delayed_.erase(it);
    }
  }

  std::mutex mutex_;
  // The thread: a task was posted, or stop. An rtc::Event, not a condition variable: it waits on
  // CLOCK_MONOTONIC with pthread_cond_timedwait, where std::condition_variable's steady-clock wait
  // needs pthread_cond_clockwait (glibc 2.30), above the library's glibc floor (docs/packaging.md).
  // It stays set until the thread wakes, so a post between unlocking and waiting is not lost.
  rtc::Event wake_;
  std::condition_variable finished_;  // Delete from another thread: the running task returned
  std::deque<Entry> ready_;
  std::multimap<SteadyClock::time_point, Entry> delayed_;  // equal due times run in posting order
  SharedQueue* running_ = nullptr;
  bool deleting_running_ = false;
  bool stop_ = false;
};

// The scheduling libwebrtc gives the task-queue threads these replace (rtc::PlatformThread on Linux,
// ThreadPriority::kNormal, which every queue of a call asks for): SCHED_FIFO at the middle priority
// where the process may (root, CAP_SYS_NICE, RLIMIT_RTPRIO), else unchanged — so the calls' send side
// is scheduled as it would be on libwebrtc's own threads.
void SetLibwebrtcTaskQueuePriority() {
  const int low = sched_get_priority_min(SCHED_FIFO) + 1;
  const int top = sched_get_priority_max(SCHED_FIFO) - 1;
  sched_param param{};
  param.sched_priority = (low + top - 1) / 2;
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);  // refused without the right: stays normal
}

// The owners' handle of one shared thread (the factory and each queue on it hold one). The last
// owner stops the thread; when that happens on the thread itself it is detached instead of joined.
class Worker {
 public:
  explicit Worker(int index) : state_(std::make_shared<WorkerState>()) {
    std::string name = "dt-media-" + std::to_string(index);
    thread_ = std::thread([state = state_, name] {
      pthread_setname_np(pthread_self(), name.c_str());
      SetLibwebrtcTaskQueuePriority();
      state->Run();
    });
    state_->thread_id_ = thread_.get_id();
  }
  ~Worker() {
    state_->Stop();
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
  WorkerState& state() const { return *state_; }

 private:
  std::shared_ptr<WorkerState> state_;
  std::thread thread_;
};

class SharedQueue final : public webrtc::TaskQueueBase {
 public:
  explicit SharedQueue(std::shared_ptr<Worker> worker) : worker_(std::move(worker)), state_(worker_->state()) {}

  void Delete() override {
    if (state_.Delete(this)) delete this;
  }
  void PostTask(Task task) override { state_.Post(this, std::move(task)); }
  void PostDelayedTask(Task task, webrtc::TimeDelta delay) override { PostAfter(std::move(task), delay); }
  void PostDelayedHighPrecisionTask(Task task, webrtc::TimeDelta delay) override { PostAfter(std::move(task), delay); }

  // On the shared thread: runs (and destroys) one task as this queue.
  void Run(Task task) {
    CurrentTaskQueueSetter current(this);
    std::move(task)();
    task = nullptr;
  }

 private:
  void PostAfter(Task task, webrtc::TimeDelta delay) {
    // A day caps an "infinite" delay so the time point cannot overflow.
    int64_t us = std::clamp<int64_t>(delay.IsFinite() ? delay.us() : INT64_MAX, 0, int64_t{86400} * 1000000);
    state_.PostAt(this, std::move(task), SteadyClock::now() + std::chrono::microseconds(us));
  }

  std::shared_ptr<Worker> worker_;
  WorkerState& state_;
};

void WorkerState::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const auto now = SteadyClock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      ready_.push_back(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    if (ready_.empty()) {
      webrtc::TimeDelta wait = rtc::Event::kForever;
      if (!delayed_.empty()) {
        // Rounded up: waking a microsecond early would only loop back here.
        const auto left = std::chrono::ceil<std::chrono::microseconds>(delayed_.begin()->first - now);
        wait = webrtc::TimeDelta::Micros(left.count());
      }
      lock.unlock();
      wake_.Wait(wait, rtc::Event::kForever);
      lock.lock();
      continue;
    }
    Entry entry = std::move(ready_.front());
    ready_.pop_front();
    running_ = entry.queue;
    lock.unlock();
    entry.queue->Run(std::move(entry.task));
    lock.lock();
    SharedQueue* deleted = deleting_running_ ? running_ : nullptr;
    std::vector<Task> dropped;
    if (deleted != nullptr) TakeTasksOf(deleted, dropped);  // what its last task posted to itself
    deleting_running_ = false;
    running_ = nullptr;
    finished_.notify_all();
    if (deleted != nullptr) {
      lock.unlock();
      dropped.clear();
      delete deleted;  // may drop the last owner of this thread: then Stop() was called, the loop ends
      lock.lock();
    }
  }
}

class SharedTaskQueueFactory final : public webrtc::TaskQueueFactory {
 public:
  explicit SharedTaskQueueFactory(int threads) {
    for (int i = 0; i < threads; ++i) workers_.push_back(std::make_shared<Worker>(i));
  }
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> CreateTaskQueue(absl::string_view /*name*/,
                                                                                    Priority /*priority*/) const override {
    const auto& worker = workers_[next_.fetch_add(1, std::memory_order_relaxed) % workers_.size()];
    return std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>(new SharedQueue(worker));
  }

 private:
  std::vector<std::shared_ptr<Worker>> workers_;
  mutable std::atomic<size_t> next_{0};
};

}  // namespace

std::unique_ptr<webrtc::TaskQueueFactory> CreateSharedTaskQueueFactory(int threads) {
  return std::make_unique<SharedTaskQueueFactory>(std::max(threads, 1));
}

PostBatch::PostBatch() { ++t_batch.depth; }

PostBatch::~PostBatch() {
  if (--t_batch.depth > 0) return;
  for (const auto& state : t_batch.to_wake) state->WakeNow();
  t_batch.to_wake.clear();  // keeps the capacity: a tick allocates nothing once warm
}

}  // namespace dt
