// dt_factory_notify_network_change: the application saw the machine's networks change (network_change.h).
#include "errors.h"
#include "factory.h"

extern "C" {

DT_API int32_t dt_factory_notify_network_change(dt_factory* factory) {
  return dt::Guard(__func__, [&] {
    dt::Lookup<dt::Factory>(factory)->NotifyNetworkChanged();
    return DT_OK;
  });
}

}  // extern "C"
