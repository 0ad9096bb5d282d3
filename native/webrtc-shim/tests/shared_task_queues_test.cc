// The shared task-queue threads (dt_factory_options.media_threads) and PostBatch: each queue runs its
// tasks in order; what a thread posts inside a batch waits for the batch's end, then runs at once.
// Compiled from the shim's source against libwebrtc's task-queue API, no peer connection.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "rtc_base/event.h"
#include "shared_task_queues.h"

namespace {

using namespace std::chrono_literals;

struct Queues {
  std::unique_ptr<webrtc::TaskQueueFactory> factory = dt::CreateSharedTaskQueueFactory(1);
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> a =
      factory->CreateTaskQueue("a", webrtc::TaskQueueFactory::Priority::NORMAL);
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> b =
      factory->CreateTaskQueue("b", webrtc::TaskQueueFactory::Priority::NORMAL);
};

TEST(SharedTaskQueues, TasksOfOneQueueRunInOrderAsThatQueue) {
  Queues q;
  std::mutex mutex;
  std::vector<int> ran;
  rtc::Event done;
  for (int i = 0; i < 100; ++i) {
    auto* queue = i % 2 ? q.b.get() : q.a.get();
    queue->PostTask([&, i, queue] {
      EXPECT_EQ(webrtc::TaskQueueBase::Current(), queue);
      std::lock_guard lock(mutex);
      ran.push_back(i);
      if (ran.size() == 100) done.Set();
    });
  }
  ASSERT_TRUE(done.Wait(webrtc::TimeDelta::Seconds(10)));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ran[i], i);  // one thread: posting order across queues too
}

// Runs one task and waits for it, then gives the shared thread time to go back to sleep.
void LetTheSharedThreadIdle(Queues& q) {
  rtc::Event ran;
  q.a->PostTask([&] { ran.Set(); });
  ASSERT_TRUE(ran.Wait(webrtc::TimeDelta::Seconds(10)));
  std::this_thread::sleep_for(20ms);
}

TEST(SharedTaskQueues, PostsInsideABatchWaitForItsEndThenRun) {
  Queues q;
  // A batch defers the wake-up, not the work: a shared thread still awake (busy, or not yet back
  // asleep on a loaded machine) runs what it finds. So the deferral is shown on an idle thread, with
  // a few tries for a machine too loaded to let it fall asleep in 20 ms.
  bool deferred = false;
  for (int attempt = 0; attempt < 5 && !deferred; ++attempt) {
    LetTheSharedThreadIdle(q);
    std::atomic<int> ran{0};
    rtc::Event all;
    {
      dt::PostBatch outer;
      {
        dt::PostBatch inner;  // nested: only the outermost batch wakes
        for (int i = 0; i < 10; ++i) q.a->PostTask([&] { if (++ran == 20) all.Set(); });
      }
      for (int i = 0; i < 10; ++i) q.b->PostTask([&] { if (++ran == 20) all.Set(); });
      std::this_thread::sleep_for(100ms);
      deferred = ran.load() == 0;
    }
    // Whatever happened meanwhile, the batch's end wakes the thread and every task runs.
    ASSERT_TRUE(all.Wait(webrtc::TimeDelta::Seconds(10)));
    EXPECT_EQ(ran.load(), 20);
  }
  EXPECT_TRUE(deferred) << "every try, the tasks ran before the batch ended";
}

TEST(SharedTaskQueues, ABatchOnOneThreadDoesNotHoldBackAnotherThreadsPosts) {
  Queues q;
  dt::PostBatch batch;
  rtc::Event ran;
  std::thread other([&] { q.a->PostTask([&] { ran.Set(); }); });
  other.join();
  EXPECT_TRUE(ran.Wait(webrtc::TimeDelta::Seconds(10)));
}

TEST(SharedTaskQueues, ADelayedTaskPostedInABatchStillRunsAtItsTime) {
  Queues q;
  rtc::Event ran;
  const auto posted = std::chrono::steady_clock::now();
  {
    dt::PostBatch batch;
    q.a->PostDelayedTask([&] { ran.Set(); }, webrtc::TimeDelta::Millis(50));
  }
  ASSERT_TRUE(ran.Wait(webrtc::TimeDelta::Seconds(10)));
  EXPECT_GE(std::chrono::steady_clock::now() - posted, 50ms);
}

}  // namespace
