// The handle registry: every handle given to the application is an id (never a pointer), looked up
// here on each call. A released handle is gone from the registry, so using it again gives
// DT_ERROR_INVALID_HANDLE instead of touching freed memory, and ids are never reused.
// The live-object counters count shim objects from construction to destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "errors.h"

namespace dt {

enum class HandleKind : uint8_t { kFactory = 1, kPeerConnection = 2, kTransceiver = 3, kDtmfSender = 4, kDataChannel = 5,
                              kAudioProcessor = 6, kRtpSession = 12 /* legacy-rtp */,
                              // per-call audio and received DTMF (callbots): the top of the 4-bit range, so
                              // kinds other branches add from 7 up do not collide
                              kCallAudioSource = 13, kCallAudioSink = 14, kDtmfReceiver = 15 };

namespace registry {
uint64_t Add(HandleKind kind, std::shared_ptr<void> object);
std::shared_ptr<void> Find(uint64_t handle, HandleKind kind);
std::shared_ptr<void> Remove(uint64_t handle, HandleKind kind);
}  // namespace registry

// Typed access: T names its kind as `static constexpr HandleKind kKind` and its C handle type as `CHandle`.
template <typename T>
typename T::CHandle* Register(std::shared_ptr<T> object) {
  uint64_t id = registry::Add(T::kKind, std::static_pointer_cast<void>(std::move(object)));
  return reinterpret_cast<typename T::CHandle*>(static_cast<uintptr_t>(id));
}

template <typename T>
uint64_t HandleId(typename T::CHandle* handle) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(handle));
}

// The object behind `handle`, kept alive for the caller; throws DT_ERROR_INVALID_HANDLE.
template <typename T>
std::shared_ptr<T> Lookup(typename T::CHandle* handle) {
  std::shared_ptr<void> found = registry::Find(HandleId<T>(handle), T::kKind);
  if (!found) throw Error(DT_ERROR_INVALID_HANDLE, std::string("invalid, released or foreign ") + T::kTypeName + " handle");
  return std::static_pointer_cast<T>(found);
}

// Removes the handle; returns the object (or throws DT_ERROR_INVALID_HANDLE when already gone).
template <typename T>
std::shared_ptr<T> Unregister(typename T::CHandle* handle) {
  std::shared_ptr<void> found = registry::Remove(HandleId<T>(handle), T::kKind);
  if (!found) throw Error(DT_ERROR_INVALID_HANDLE, std::string("invalid, released or foreign ") + T::kTypeName + " handle");
  return std::static_pointer_cast<T>(found);
}

// Live shim objects by kind (dt_get_live_objects).
struct LiveCounters {
  static std::atomic<int64_t> factories;
  static std::atomic<int64_t> peer_connections;
  static std::atomic<int64_t> data_channels;
  static std::atomic<int64_t> transceivers;
  static std::atomic<int64_t> audio_processors;
};

// Member that counts its owner's lifetime in one LiveCounters field.
template <std::atomic<int64_t>& Counter>
class LiveCount {
 public:
  LiveCount() { Counter.fetch_add(1); }
  LiveCount(const LiveCount&) = delete;
  LiveCount& operator=(const LiveCount&) = delete;
  ~LiveCount() { Counter.fetch_sub(1); }
};

}  // namespace dt
