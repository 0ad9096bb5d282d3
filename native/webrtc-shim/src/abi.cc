// Library-wide exports: ABI version and live object counts.
#include "errors.h"
#include "handles.h"

extern "C" {

DT_API uint32_t dt_abi_version(void) { return DT_ABI_VERSION; }

DT_API int32_t dt_get_live_objects(dt_live_objects* out_counts) {
  return dt::Guard(__func__, [&] {
    dt::RequireArgument(out_counts != nullptr, "out_counts is NULL");
    dt_live_objects counts{};
    counts.struct_size = sizeof(counts);
    counts.factories = dt::LiveCounters::factories.load();
    counts.peer_connections = dt::LiveCounters::peer_connections.load();
    counts.data_channels = dt::LiveCounters::data_channels.load();
    counts.transceivers = dt::LiveCounters::transceivers.load();
    counts.audio_processors = dt::LiveCounters::audio_processors.load();
    // Writes only as much as the caller's struct holds.
    uint32_t size = out_counts->struct_size;
    dt::RequireArgument(size >= sizeof(uint32_t), "out_counts->struct_size is not set");
    std::memcpy(out_counts, &counts, size < sizeof(counts) ? size : sizeof(counts));
    out_counts->struct_size = size;
    return DT_OK;
  });
}

}  // extern "C"
