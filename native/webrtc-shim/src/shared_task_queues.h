// Task queues that share a few threads (dt_factory_options.media_threads).
//
// libwebrtc makes each call's send side from task queues: its Opus encoder ("AudioEncoder"), its
// pacer ("TaskQueuePacedSender") and its transport controller ("rtp_send_controller"), and the
// stock factory gives every queue its own thread. A held call then wakes three threads every 10-20 ms;
// profiled with 10 Opus calls, the wake-ups and context switches cost more CPU than encoding. Here
// every queue of a factory is served by one of `threads` shared threads (assigned round-robin when
// the queue is made), so a 10 ms frame of many calls is encoded in one wake-up.
//
// Each queue still runs its tasks one at a time, in order, with TaskQueueBase::Current() set to it;
// delayed tasks run at their time (or later, behind the thread's other work). What a shared thread
// gives up is isolation: a slow task delays the other queues on its thread. libwebrtc does not wait
// on one task queue for another (it blocks only its rtc::Threads), so queues sharing a thread cannot
// deadlock each other.
#pragma once

#include <memory>

#include "api/task_queue/task_queue_factory.h"

namespace dt {

// `threads` >= 1; the threads start now and are named "dt-media-<n>". They stop when the factory and
// every queue made from it are gone.
std::unique_ptr<webrtc::TaskQueueFactory> CreateSharedTaskQueueFactory(int threads);

// While one is alive on a thread, what that thread posts to shared queues wakes their threads once,
// when the (outermost) batch ends, instead of once per post. For a thread that posts many tasks in a
// burst and waits for none of them: the call audio clock's tick hands every call's 10 ms frame to its
// encoder queue, and a shared thread woken by the first frame would finish it and sleep again before
// the next one came — a wake-up per call per tick (measured: one per cross-thread post) instead of one.
class PostBatch {
 public:
  PostBatch();
  ~PostBatch();
  PostBatch(const PostBatch&) = delete;
  PostBatch& operator=(const PostBatch&) = delete;
};

}  // namespace dt
