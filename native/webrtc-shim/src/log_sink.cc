#include "log_sink.h"

#include <mutex>

#include "errors.h"
#include "rtc_base/logging.h"

namespace dt {
namespace {

class CallbackLogSink final : public rtc::LogSink {
 public:
  void Set(dt_log_callback callback, void* user_data) {
    callback_ = callback;
    user_data_ = user_data;
  }
  void OnLogMessage(const std::string& message, rtc::LoggingSeverity severity) override {
    Deliver(message, severity);
  }
  void OnLogMessage(const std::string& message) override { Deliver(message, rtc::LS_INFO); }

 private:
  void Deliver(const std::string& message, rtc::LoggingSeverity severity) {
    // libwebrtc calls sinks under its logging lock, the same lock RemoveLogToStream takes, so a
    // removed callback is never running once dt_set_log_callback returns.
    // A callback that throws loses its line; reporting it would log again, into the same callback.
    try {
      if (callback_ != nullptr) callback_(user_data_, static_cast<dt_log_severity>(severity), message.c_str());
    } catch (...) {
    }
  }
  dt_log_callback callback_ = nullptr;
  void* user_data_ = nullptr;
};

// Leaked on purpose: libwebrtc threads may log during process exit.
CallbackLogSink& sink() {
  static CallbackLogSink* instance = new CallbackLogSink();
  return *instance;
}
std::mutex& sink_mutex() {
  static std::mutex* instance = new std::mutex();
  return *instance;
}
bool sink_installed = false;

}  // namespace

void LogContained(const char* where, const char* what) noexcept {
  try {
    RTC_LOG(LS_ERROR) << "dialtone shim: an exception was contained in " << where << ": " << what;
  } catch (...) {
  }
}

void InitLogging() {
  static std::once_flag once;
  std::call_once(once, [] { rtc::LogMessage::LogToDebug(rtc::LS_NONE); });
}

}  // namespace dt

extern "C" DT_API int32_t dt_set_log_callback(dt_log_callback callback, void* user_data, dt_log_severity min_severity) {
  return dt::Guard(__func__, [&] {
    dt::CheckedEnum(min_severity, DT_LOG_VERBOSE, DT_LOG_NONE, "min_severity");
    dt::InitLogging();
    std::lock_guard lock(dt::sink_mutex());
    if (dt::sink_installed) {
      rtc::LogMessage::RemoveLogToStream(&dt::sink());
      dt::sink_installed = false;
    }
    dt::sink().Set(callback, user_data);
    if (callback != nullptr && min_severity != DT_LOG_NONE) {
      rtc::LogMessage::AddLogToStream(&dt::sink(), static_cast<rtc::LoggingSeverity>(min_severity));
      dt::sink_installed = true;
    }
    return DT_OK;
  });
}
