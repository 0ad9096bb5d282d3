#include "audio_device_pulse_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "errors.h"

namespace dt {
namespace {

// The sonames of the runtime packages (Debian/Ubuntu libpulse0, Fedora pulseaudio-libs; PipeWire's
// pipewire-pulse serves the same client libraries).
constexpr const char* kPulse = "libpulse.so.0";

struct LoadResult {
  PulseLibrary functions{};
  std::string error;  // empty: loaded
};

void* Open(const char* soname, std::string& error) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    error = std::string("PulseAudio is not available: ") + soname + " could not be loaded (" + (why ? why : "?") +
            "). Install the PulseAudio client library (Debian/Ubuntu: libpulse0) or use another audio device "
            "(virtual or WAV files need no PulseAudio)";
  }
  return handle;
}

template <typename Function>
void Bind(void* handle, const char* soname, const char* name, Function& slot, std::string& error) {
  if (!error.empty()) return;
  slot = reinterpret_cast<Function>(dlsym(handle, name));
  if (slot == nullptr) error = std::string("PulseAudio: ") + soname + " has no " + name + " (too old a libpulse?)";
}

LoadResult Load() {
  LoadResult result;
  void* pulse = Open(kPulse, result.error);
  if (!result.error.empty()) return result;
#define DT_PULSE_BIND(name) Bind(pulse, kPulse, #name, result.functions.name, result.error);
  DT_PULSE_FUNCTIONS(DT_PULSE_BIND)
#undef DT_PULSE_BIND
  // The handle stays open on success and on failure alike: the process may hold pointers into it,
  // and a failed load is not retried (the message is the answer for this process).
  return result;
}

}  // namespace

const PulseLibrary& Pulse() {
  static const LoadResult loaded = Load();  // thread-safe one-time initialisation
  if (!loaded.error.empty()) throw Error(DT_ERROR_AUDIO_DEVICE, loaded.error);
  return loaded.functions;
}

}  // namespace dt
