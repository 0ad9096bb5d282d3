#include "network_change.h"

namespace dt {

// Only forwards the application's notification; it knows nothing about interfaces, so the network
// manager keeps its own view of them (adapter types by name, every interface available).
class NetworkChangeMonitor : public rtc::NetworkMonitorInterface {
 public:
  explicit NetworkChangeMonitor(std::shared_ptr<NetworkChangeSignal> signal) : signal_(std::move(signal)) {}
  ~NetworkChangeMonitor() override { Stop(); }

  void Start() override { signal_->started_.insert(this); }
  void Stop() override { signal_->started_.erase(this); }

  InterfaceInfo GetInterfaceInfo(absl::string_view) override {
    InterfaceInfo info{};
    info.adapter_type = rtc::ADAPTER_TYPE_UNKNOWN;
    info.available = true;
    return info;
  }

  void Changed() { InvokeNetworksChangedCallback(); }

 private:
  std::shared_ptr<NetworkChangeSignal> signal_;
};

void NetworkChangeSignal::Notify() {
  // A monitor stopped between the post and the task is no longer in the set: nothing dangles.
  network_thread_->PostTask([self = shared_from_this()] {
    for (NetworkChangeMonitor* monitor : std::set<NetworkChangeMonitor*>(self->started_)) monitor->Changed();
  });
}

rtc::NetworkMonitorInterface* NetworkChangeMonitorFactory::CreateNetworkMonitor(const webrtc::FieldTrialsView&) {
  return new NetworkChangeMonitor(signal_);
}

}  // namespace dt
