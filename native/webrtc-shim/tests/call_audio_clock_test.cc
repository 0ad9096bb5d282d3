// The call-audio clock's windowed statistics and its optional real-time priority, through the C ABI:
// a window covers only the ticks since the previous take, and the priority reaches the clock thread.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sched.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "loopback_call.h"

using namespace dt_test;

namespace {

dt_call_audio_clock_window TakeWindow() {
  dt_call_audio_clock_window w{};
  w.struct_size = sizeof(w);
  EXPECT_EQ(dt_call_audio_clock_take_window(&w), DT_OK) << LastError();
  return w;
}

// The scheduling policy of this process's "dt-call-audio" thread, or -1 when it is not running.
int ClockThreadPolicy() {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return -1;
  int policy = -1;
  while (dirent* e = readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name == "dt-call-audio") policy = sched_getscheduler(std::atoi(e->d_name));
  }
  closedir(tasks);
  return policy;
}

struct PerCallPeer {
  PerCallPeer() {
    dt_factory_options options{};
    options.struct_size = sizeof(options);
    options.audio_device = static_cast<dt_audio_device_kind>(DT_AUDIO_DEVICE_PER_CALL);
    EXPECT_EQ(dt_factory_create(&options, &factory), DT_OK) << LastError();
    peer = std::make_unique<Peer>(factory);
    EXPECT_EQ(dt_peer_connection_add_call_audio_track(peer->pc, nullptr, nullptr, &peer->audio, &source), DT_OK)
        << LastError();
  }
  ~PerCallPeer() {
    if (source) dt_call_audio_source_release(source);
    peer.reset();
    if (factory) dt_factory_release(factory);
  }
  dt_factory* factory = nullptr;
  std::unique_ptr<Peer> peer;
  dt_call_audio_source* source = nullptr;
};

}  // namespace

TEST(CallAudioClock, AWindowCoversOnlyTheTicksSinceThePreviousTake) {
  PerCallPeer call;  // one member: the clock runs
  TakeWindow();      // starts a fresh window
  ASSERT_TRUE(Eventually([] {
    dt_call_audio_clock_statistics s{};
    s.struct_size = sizeof(s);
    return dt_call_audio_clock_get_statistics(&s) == DT_OK && s.members >= 1;
  }, 5000));
  dt_call_audio_clock_statistics life_before{};
  life_before.struct_size = sizeof(life_before);
  ASSERT_EQ(dt_call_audio_clock_get_statistics(&life_before), DT_OK);
  usleep(600'000);
  dt_call_audio_clock_window w = TakeWindow();
  dt_call_audio_clock_window next = TakeWindow();  // taken right after: (almost) empty

  EXPECT_EQ(w.struct_size, sizeof(w));
  EXPECT_GE(w.seconds, 0.55);
  EXPECT_LT(w.seconds, 30.0);
  // 60 ticks are due in 0.6 s; a loaded machine may skip some but not most (generous bound).
  EXPECT_GE(w.ticks + w.skipped_ticks, 20u);
  EXPECT_LE(w.ticks, static_cast<uint64_t>(w.seconds * 100) + 2);
  EXPECT_GE(w.members_max, 1u);
  EXPECT_LE(w.lateness_p50_ms, w.lateness_p99_ms);
  EXPECT_LE(w.lateness_p99_ms, w.lateness_max_ms + 0.1);
  EXPECT_LE(w.work_p99_ms, w.work_max_ms + 0.1);
  EXPECT_EQ(w.realtime_priority, 0);
  EXPECT_LT(next.seconds, 0.5);
  EXPECT_LE(next.ticks, 50u);
  EXPECT_LT(next.ticks, w.ticks + 1);

  // The lifetime statistics are not reset by a take.
  dt_call_audio_clock_statistics life_after{};
  life_after.struct_size = sizeof(life_after);
  ASSERT_EQ(dt_call_audio_clock_get_statistics(&life_after), DT_OK);
  EXPECT_GE(life_after.ticks, life_before.ticks + w.ticks / 2);

  // An older, smaller struct gets only its own bytes.
  uint32_t size_only = sizeof(uint32_t);
  ASSERT_EQ(dt_call_audio_clock_take_window(reinterpret_cast<dt_call_audio_clock_window*>(&size_only)), DT_OK);
  EXPECT_EQ(size_only, sizeof(uint32_t));
}

TEST(CallAudioClock, RealtimePriorityReachesTheClockThreadOrIsAClearRefusal) {
  EXPECT_EQ(dt_call_audio_clock_set_realtime_priority(-1), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_call_audio_clock_set_realtime_priority(100), DT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(dt_call_audio_clock_take_window(nullptr), DT_ERROR_INVALID_ARGUMENT);

  PerCallPeer call;
  ASSERT_TRUE(Eventually([] { return ClockThreadPolicy() >= 0; }, 5000));
  EXPECT_EQ(ClockThreadPolicy(), SCHED_OTHER);
  int32_t result = dt_call_audio_clock_set_realtime_priority(10);
  if (result == DT_OK) {
    // Permitted here (CAP_SYS_NICE or RLIMIT_RTPRIO): the thread runs SCHED_FIFO from its next tick.
    EXPECT_TRUE(Eventually([] { return ClockThreadPolicy() == SCHED_FIFO; }, 2000));
    EXPECT_TRUE(Eventually([] { return TakeWindow().realtime_priority == 10; }, 2000));
  } else {
    // Not permitted: a clear error, nothing changed.
    EXPECT_EQ(result, DT_ERROR_NOT_SUPPORTED);
    EXPECT_NE(LastError().find("not permitted"), std::string::npos) << LastError();
    usleep(100'000);
    EXPECT_EQ(ClockThreadPolicy(), SCHED_OTHER);
    EXPECT_EQ(TakeWindow().realtime_priority, 0);
  }
  // Back to normal scheduling (always permitted).
  ASSERT_EQ(dt_call_audio_clock_set_realtime_priority(0), DT_OK) << LastError();
  EXPECT_TRUE(Eventually([] { return ClockThreadPolicy() == SCHED_OTHER; }, 2000));
  EXPECT_TRUE(Eventually([] { return TakeWindow().realtime_priority == 0; }, 2000));
}
