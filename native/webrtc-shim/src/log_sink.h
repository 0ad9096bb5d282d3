// libwebrtc's log lines, routed to the application's dt_set_log_callback (and nowhere else).
#pragma once

namespace dt {
// Silences libwebrtc's own stderr logging once per process; logs then reach the application only
// through its callback.
void InitLogging();
}  // namespace dt
