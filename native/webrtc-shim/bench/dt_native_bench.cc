// dt_native_bench: CPU cost of N concurrent loopback audio calls driven through the C ABI only.
//
//   dt_native_bench <calls> <seconds>
//
// Scenario (the managed benchmark reproduces it through Dialtone.WebRtc to compare): two factories
// (side A, side B), each with a virtual 48 kHz mono device whose microphone is fed a tone and whose
// speaker is pulled every 10 ms by one pump thread per side; <calls> peer connection pairs A[i]<->B[i]
// negotiated with complete SDPs (Opus) and connected over local host candidates. After all are
// connected and 1 s of warm-up, process CPU time (getrusage user+sys) is measured over <seconds>.
// Prints one line:
//   native calls=N seconds=S wall_s=... cpu_ms=... cpu_ms_per_call_second=... audio_ok=0|1 tone_at_b=... tone_at_a=...
// (exit code 0; 3 when the tones were not heard; 1 on setup failure; 2 on bad arguments)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "loopback_call.h"

using namespace dt_test;

namespace {
double CpuMs() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// One pair of peer connections on the two shared factories (Peer owns a factory; here the
// factories are shared, so the pair is built directly on them).
struct Pair {
  std::unique_ptr<Peer> a, b;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: dt_native_bench <calls> <seconds>\n");
    return 2;
  }
  const int calls = std::atoi(argv[1]);
  const int seconds = std::atoi(argv[2]);
  if (calls < 1 || calls > 256 || seconds < 1) {
    std::fprintf(stderr, "dt_native_bench: calls must be 1..256 and seconds >= 1\n");
    return 2;
  }

  dt_factory_options options = VirtualDeviceOptions(/*audio_processing=*/false);
  dt_factory* factory_a = nullptr;
  dt_factory* factory_b = nullptr;
  if (dt_factory_create(&options, &factory_a) != DT_OK || dt_factory_create(&options, &factory_b) != DT_OK) {
    std::fprintf(stderr, "dt_native_bench: factory: %s\n", LastError().c_str());
    return 1;
  }
  std::vector<Pair> pairs(calls);
  for (int i = 0; i < calls; ++i) {
    pairs[i].a = std::make_unique<Peer>(factory_a);
    pairs[i].b = std::make_unique<Peer>(factory_b);
    std::string error;
    if (pairs[i].a->pc == nullptr || pairs[i].b->pc == nullptr || !pairs[i].a->AddAudio() ||
        !Negotiate(*pairs[i].a, *pairs[i].b, true, &error)) {
      std::fprintf(stderr, "dt_native_bench: call %d: %s %s\n", i, error.c_str(), LastError().c_str());
      return 1;
    }
  }
  for (int i = 0; i < calls; ++i) {
    if (!WaitConnected(*pairs[i].a, *pairs[i].b, 30000)) {
      std::fprintf(stderr, "dt_native_bench: call %d did not connect\n", i);
      return 1;
    }
  }
  AudioPump pump_a(factory_a, 1000, 1000);
  AudioPump pump_b(factory_b, 1600, 1000);
  std::this_thread::sleep_for(std::chrono::seconds(1));

  double cpu_before = CpuMs();
  auto wall_before = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  double cpu_ms = CpuMs() - cpu_before;
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();

  // Audio check over the last second: B hears A's 1 kHz and A hears B's 1.6 kHz (the mix of all calls).
  auto heard_b = pump_b.Recent(1000);
  auto heard_a = pump_a.Recent(1000);
  double tone_at_b = ToneAmplitude(heard_b.data(), heard_b.size(), 1000, 48000);
  double tone_at_a = ToneAmplitude(heard_a.data(), heard_a.size(), 1600, 48000);
  bool audio_ok = tone_at_b > 500 && tone_at_a > 500;
  pump_a.Stop();
  pump_b.Stop();
  std::printf(
      "native calls=%d seconds=%d wall_s=%.3f cpu_ms=%.1f cpu_ms_per_call_second=%.3f audio_ok=%d tone_at_b=%.0f "
      "tone_at_a=%.0f\n",
      calls, seconds, wall_s, cpu_ms, cpu_ms / (calls * wall_s), audio_ok ? 1 : 0, tone_at_b, tone_at_a);
  std::fflush(stdout);
  pairs.clear();
  dt_factory_release(factory_a);
  dt_factory_release(factory_b);
  return audio_ok ? 0 : 3;
}
