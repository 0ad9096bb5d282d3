// The out-of-line constructor and destructor of rtc::NetworkMonitorFactory (the base class of
// network_change.h's factory).
//
// Why: Debian's libtg_owt.a does not compile rtc_base/network_monitor_factory.cc, although its
// PeerConnectionFactoryDependencies take a factory and its BasicNetworkManager uses one. The two
// definitions are empty in libwebrtc; defining the destructor here (the class's key function)
// also emits its vtable and typeinfo. A libwebrtc built with GN (WEBRTC_ROOT) has them already.
#include "rtc_base/network_monitor_factory.h"

namespace rtc {

NetworkMonitorFactory::NetworkMonitorFactory() = default;
NetworkMonitorFactory::~NetworkMonitorFactory() = default;

}  // namespace rtc
