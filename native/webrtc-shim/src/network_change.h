// Telling libwebrtc at once that the machine's networks changed. Its network manager otherwise
// learns of a new interface address by polling getifaddrs every 2 s on Linux, so an ICE restart
// made right after a network change gathers nothing on the new address. The application (which
// watches the OS's address events) calls dt_factory_notify_network_change; the network manager
// then enumerates again, and the next restart gathers on the new address the first time.
#pragma once

#include <memory>
#include <set>

#include "rtc_base/network_monitor.h"
#include "rtc_base/network_monitor_factory.h"
#include "rtc_base/thread.h"

namespace dt {

class NetworkChangeMonitor;

// Shared by the factory (which notifies) and the monitors libwebrtc's network managers create.
// Monitors are created, started, stopped and destroyed on the network thread; the notification
// runs there too, so the set needs no lock.
class NetworkChangeSignal : public std::enable_shared_from_this<NetworkChangeSignal> {
 public:
  explicit NetworkChangeSignal(rtc::Thread* network_thread) : network_thread_(network_thread) {}
  // Any thread: every started monitor tells its network manager, on the network thread.
  void Notify();

 private:
  friend class NetworkChangeMonitor;
  rtc::Thread* network_thread_;
  std::set<NetworkChangeMonitor*> started_;
};

// Passed to the PeerConnectionFactory: its network manager asks it for a monitor.
class NetworkChangeMonitorFactory : public rtc::NetworkMonitorFactory {
 public:
  explicit NetworkChangeMonitorFactory(std::shared_ptr<NetworkChangeSignal> signal) : signal_(std::move(signal)) {}
  rtc::NetworkMonitorInterface* CreateNetworkMonitor(const webrtc::FieldTrialsView& field_trials) override;

 private:
  std::shared_ptr<NetworkChangeSignal> signal_;
};

}  // namespace dt
