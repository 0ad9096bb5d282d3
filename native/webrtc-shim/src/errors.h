// Result codes, the thread-local last error, and the one guard every export runs inside.
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>

#include "webrtc_shim.h"

namespace dt {

// Thrown inside the shim to fail the current export with a code and a message; Guard() turns it
// (and any other C++ exception) into the return value. Never leaves the library.
class Error : public std::exception {
 public:
  Error(int32_t code, std::string message) : code_(code), message_(std::move(message)) {}
  int32_t code() const noexcept { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int32_t code_;
  std::string message_;
};

// Stores `message` as the calling thread's last error and returns `code`.
int32_t SetLastError(int32_t code, std::string message) noexcept;
const std::string& LastErrorMessage() noexcept;

// Runs an export body. Returns what it returns, or the code of the exception it threw, having
// stored the exception's message as the last error. No exception escapes.
template <typename Body>
int32_t Guard(const char* function, Body&& body) noexcept {
  try {
    return body();
  } catch (const Error& e) {
    return SetLastError(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return SetLastError(DT_ERROR_OUT_OF_MEMORY, std::string(function) + ": out of memory");
  } catch (const std::exception& e) {
    return SetLastError(DT_ERROR_INTERNAL, std::string(function) + ": " + e.what());
  } catch (...) {
    return SetLastError(DT_ERROR_INTERNAL, std::string(function) + ": unknown C++ exception");
  }
}

// Where an exception was contained (Contain below): logged through libwebrtc's log (and so the
// application's dt_set_log_callback) with `where` and the exception's text.
void LogContained(const char* where, const char* what) noexcept;

// Runs code that is entered from outside any export: libwebrtc's observers and posted tasks, and
// the application's callbacks. Nothing may unwind from there — into libwebrtc's frames (built
// without exceptions: std::terminate) or back across the application's C frames. An exception is
// logged and swallowed; returns false when one was thrown.
template <typename Body>
bool Contain(const char* where, Body&& body) noexcept {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    LogContained(where, e.what());
  } catch (...) {
    LogContained(where, "unknown exception");
  }
  return false;
}

// The integer value of a C enum received from the caller. C callers (and P/Invoke) may pass any
// int; loading an out-of-range value as the C++ enum type is undefined behaviour, so incoming enums
// are read as integers and range-checked before use.
template <typename Enum>
int32_t RawEnum(const Enum& value) {
  static_assert(sizeof(Enum) == sizeof(int32_t), "C enums are int-sized");
  int32_t raw;
  std::memcpy(&raw, &value, sizeof(raw));
  return raw;
}

// RawEnum(value) as Enum, or DT_ERROR_INVALID_ARGUMENT naming `what` when outside [first, last].
template <typename Enum>
Enum CheckedEnum(const Enum& value, Enum first, Enum last, const char* what) {
  int32_t raw = RawEnum(value);
  if (raw < static_cast<int32_t>(first) || raw > static_cast<int32_t>(last)) {
    throw Error(DT_ERROR_INVALID_ARGUMENT, std::string(what) + " out of range: " + std::to_string(raw));
  }
  return static_cast<Enum>(raw);
}

inline void RequireArgument(bool condition, const char* what) {
  if (!condition) throw Error(DT_ERROR_INVALID_ARGUMENT, what);
}

// Copies a caller's versioned struct (first member `uint32_t struct_size`) over `defaults`:
// members beyond the caller's struct_size keep their default, so older, smaller structs work.
template <typename T>
T ReadVersioned(const T* in, T defaults, const char* name) {
  if (in == nullptr) return defaults;
  uint32_t size = in->struct_size;
  if (size < sizeof(uint32_t)) throw Error(DT_ERROR_INVALID_ARGUMENT, std::string(name) + ".struct_size is not set");
  std::memcpy(&defaults, in, size < sizeof(T) ? size : sizeof(T));
  defaults.struct_size = sizeof(T);
  return defaults;
}

// The caller-buffer convention for strings out: size needed (with NUL) in *needed; copies when it fits.
int32_t WriteString(const std::string& value, char* buffer, size_t capacity, size_t* needed);

}  // namespace dt
