#include "errors.h"

namespace dt {
namespace {
thread_local std::string last_error_message;
}

int32_t SetLastError(int32_t code, std::string message) noexcept {
  try {
    last_error_message = std::move(message);
  } catch (...) {
    last_error_message.clear();  // out of memory while storing the message: keep the code
  }
  return code;
}

const std::string& LastErrorMessage() noexcept { return last_error_message; }

int32_t WriteString(const std::string& value, char* buffer, size_t capacity, size_t* needed) {
  size_t size = value.size() + 1;
  if (needed != nullptr) *needed = size;
  if (buffer == nullptr || capacity < size) {
    if (buffer == nullptr && needed == nullptr) throw Error(DT_ERROR_INVALID_ARGUMENT, "buffer and out_needed are both NULL");
    throw Error(DT_ERROR_BUFFER_TOO_SMALL, "buffer too small: " + std::to_string(size) + " bytes needed");
  }
  std::memcpy(buffer, value.c_str(), size);
  return DT_OK;
}

}  // namespace dt

extern "C" DT_API size_t dt_last_error_message(char* buffer, size_t capacity) {
  const std::string& message = dt::LastErrorMessage();
  if (buffer != nullptr && capacity > 0) {
    size_t n = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(buffer, message.data(), n);
    buffer[n] = '\0';
  }
  return message.size() + 1;
}
