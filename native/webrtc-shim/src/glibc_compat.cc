// glibc functions that the statically linked C++ runtime would otherwise take from a newer glibc
// than the shim's floor (docs/packaging.md, "The glibc floor"). Each definition here is hidden and
// bound inside the library (version script: local), so the references of libstdc++.a resolve to it
// at link time and the library never asks the system's glibc for the newer symbol version.
//
// <stdlib.h> is deliberately not included: from glibc 2.36 on it declares arc4random itself.
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>
#include <unistd.h>

namespace {

// Fills `buffer` from the kernel's random source: getrandom(2) (Linux 3.17+, glibc 2.25+), or
// /dev/urandom on a kernel without it. Returns false only when neither is available.
bool FillRandom(void* buffer, size_t size) {
  auto* out = static_cast<unsigned char*>(buffer);
  while (size > 0) {
    ssize_t n = getrandom(out, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out += n;
    size -= static_cast<size_t>(n);
  }
  if (size == 0) return true;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  while (size > 0) {
    ssize_t n = read(fd, out, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out += n;
    size -= static_cast<size_t>(n);
  }
  close(fd);
  return size == 0;
}

}  // namespace

// glibc 2.36. libstdc++'s std::random_device uses it when the headers it was built against have
// it. Like glibc's, it cannot report failure: with no random source at all the process stops (a
// Linux kernel older than 3.17 with /dev/urandom missing — not a system the shim supports).
extern "C" __attribute__((visibility("hidden"))) uint32_t arc4random() noexcept {
  uint32_t value;
  if (!FillRandom(&value, sizeof(value))) __builtin_abort();
  return value;
}

#if defined(DT_GLIBC_COMPAT_OLD_SYMBOLS)
// Below glibc 2.34 (cmake/glibc_compat.cmake, DT_GLIBC_COMPAT): what a direct old-version binding
// (the generated trampolines) cannot express.
#include <sys/stat.h>

// glibc 2.32 added this flag; libstdc++ reads it to skip atomic reference counting while a process
// has one thread. Defined here as 0 ("maybe multi-threaded"), the static libstdc++ always takes the
// atomic path: correct everywhere, and the shim is multi-threaded anyway.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}

// Before glibc 2.33 stat, fstat and lstat were not functions but inline calls of __xstat and friends
// with a structure version (1 on x86-64, _STAT_VER_LINUX); the archives' references are wrapped
// (-Wl,--wrap) to these.
extern "C" {
int dt_glibc_xstat(int version, const char* path, struct stat* buffer);
int dt_glibc_fxstat(int version, int fd, struct stat* buffer);
int dt_glibc_lxstat(int version, const char* path, struct stat* buffer);
__asm__(".symver dt_glibc_xstat,__xstat@GLIBC_2.2.5");
__asm__(".symver dt_glibc_fxstat,__fxstat@GLIBC_2.2.5");
__asm__(".symver dt_glibc_lxstat,__lxstat@GLIBC_2.2.5");
constexpr int kStatVersion = 1;

__attribute__((visibility("hidden"))) int __wrap_stat(const char* path, struct stat* buffer) {
  return dt_glibc_xstat(kStatVersion, path, buffer);
}
__attribute__((visibility("hidden"))) int __wrap_lstat(const char* path, struct stat* buffer) {
  return dt_glibc_lxstat(kStatVersion, path, buffer);
}
__attribute__((visibility("hidden"))) int __wrap_fstat(int fd, struct stat* buffer) {
  return dt_glibc_fxstat(kStatVersion, fd, buffer);
}
// On x86-64 struct stat64 is struct stat.
__attribute__((visibility("hidden"))) int __wrap_fstat64(int fd, struct stat* buffer) {
  return dt_glibc_fxstat(kStatVersion, fd, buffer);
}
}
#endif
