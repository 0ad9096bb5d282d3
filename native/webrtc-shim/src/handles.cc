#include "handles.h"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace dt {

std::atomic<int64_t> LiveCounters::factories{0};
std::atomic<int64_t> LiveCounters::peer_connections{0};
std::atomic<int64_t> LiveCounters::data_channels{0};
std::atomic<int64_t> LiveCounters::transceivers{0};
std::atomic<int64_t> LiveCounters::audio_processors{0};

namespace registry {
namespace {
struct Entry {
  HandleKind kind;
  std::shared_ptr<void> object;
};

// Leaked on purpose: exports may run during process exit, after static destructors.
struct Table {
  std::shared_mutex mutex;
  std::unordered_map<uint64_t, Entry> entries;
  uint64_t next_id = 1;
};

Table& table() {
  static Table* instance = new Table();
  return *instance;
}

// The low 4 bits carry the kind so a handle of one type never finds an object of another.
constexpr int kKindBits = 4;
}  // namespace

uint64_t Add(HandleKind kind, std::shared_ptr<void> object) {
  Table& t = table();
  std::unique_lock lock(t.mutex);
  uint64_t id = (t.next_id++ << kKindBits) | static_cast<uint64_t>(kind);
  t.entries.emplace(id, Entry{kind, std::move(object)});
  return id;
}

std::shared_ptr<void> Find(uint64_t handle, HandleKind kind) {
  if ((handle & ((1u << kKindBits) - 1)) != static_cast<uint64_t>(kind)) return nullptr;
  Table& t = table();
  std::shared_lock lock(t.mutex);
  auto it = t.entries.find(handle);
  if (it == t.entries.end() || it->second.kind != kind) return nullptr;
  return it->second.object;
}

std::shared_ptr<void> Remove(uint64_t handle, HandleKind kind) {
  std::shared_ptr<void> object;
  Table& t = table();
  {
    std::unique_lock lock(t.mutex);
    auto it = t.entries.find(handle);
    if (it == t.entries.end() || it->second.kind != kind) return nullptr;
    object = std::move(it->second.object);
    t.entries.erase(it);
  }
  return object;  // destroyed (if last) by the caller, outside the registry lock
}
}  // namespace registry
}  // namespace dt
