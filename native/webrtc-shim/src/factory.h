// The factory: libwebrtc's three threads, the audio device, audio processing and the
// PeerConnectionFactory. Shared by the application's handle and every peer connection, data channel
// and transceiver made from it, so the threads outlive everything that may still post to them.
#pragma once

#include <memory>
#include <mutex>

#include "api/peer_connection_interface.h"
#include "audio_device_pulse.h"
#include "audio_device_virtual.h"
#include "callback_gate.h"
#include "handles.h"
#include "modules/audio_processing/include/audio_processing.h"
#include "network_change.h"
#include "rtc_base/thread.h"
#include "tls_trust.h"
#include "webrtc_compat.h"

struct dt_factory {};  // only ever used as an opaque handle type

namespace dt {

class Factory {
 public:
  static constexpr HandleKind kKind = HandleKind::kFactory;
  static constexpr const char* kTypeName = "factory";
  using CHandle = dt_factory;

  // Builds everything; throws dt::Error. The returned pointer is destroyed off libwebrtc's threads.
  static std::shared_ptr<Factory> Create(const dt_factory_options* options);
  ~Factory();

  webrtc::PeerConnectionFactoryInterface& pc_factory() const { return *pc_factory_; }
  // With dt_factory_options.engine_threads 1 the network thread is also the worker and the signalling thread.
  rtc::Thread* signaling_thread() const { return signaling_thread_ ? signaling_thread_.get() : network_thread_.get(); }
  rtc::Thread* network_thread() const { return network_thread_.get(); }
  // The legacy RTP path (rtp_media.cc) runs its webrtc::Call here, on the voice engine's AudioState.
  rtc::Thread* worker_thread() const { return worker_thread_ ? worker_thread_.get() : network_thread_.get(); }
  const compat::AudioEngine& audio_engine() const { return audio_engine_; }
  bool IsOwnThread() const;

  void SetAudioProcessing(const dt_audio_processing_options& options);
  // The virtual device's FIFOs; throws DT_ERROR_INVALID_STATE for other devices.
  VirtualAudioIo& virtual_io() const;
  // DT_AUDIO_DEVICE_PER_CALL: no device; tracks are fed by their own sources (audio_source_call.h).
  bool per_call_audio() const { return per_call_audio_; }

  // The PulseAudio device's software volume and mute; throws DT_ERROR_NOT_SUPPORTED for other devices.
  DeviceLevels& device_levels() const;

  // Device events (dt_factory_set_callbacks); the gate closes when the application releases the
  // factory, although peer connections may keep the device running.
  CallbackSlot<dt_factory_callbacks>& events() const { return *events_; }
  CallbackGate& events_gate() const { return *events_gate_; }

  // CAs trusted for TURN over TLS (dt_factory_set_tls_trusted_certificates), taken by each new peer connection.
  TrustedCertificatesSlot& tls_trust() const { return *tls_trust_; }

  // dt_factory_notify_network_change: the network manager enumerates interfaces now, not at its next poll.
  void NotifyNetworkChanged() const { network_change_->Notify(); }

 private:
  Factory() = default;

  LiveCount<LiveCounters::factories> live_;
  std::shared_ptr<CallbackGate> events_gate_ = std::make_shared<CallbackGate>();
  std::shared_ptr<CallbackSlot<dt_factory_callbacks>> events_ =
      std::make_shared<CallbackSlot<dt_factory_callbacks>>(events_gate_);
  std::unique_ptr<TrustedCertificatesSlot> tls_trust_ = std::make_unique<TrustedCertificatesSlot>();
  std::unique_ptr<webrtc::TaskQueueFactory> device_task_queues_;
  std::unique_ptr<rtc::Thread> network_thread_;
  std::unique_ptr<rtc::Thread> worker_thread_;
  std::unique_ptr<rtc::Thread> signaling_thread_;
  std::shared_ptr<NetworkChangeSignal> network_change_;
  std::shared_ptr<VirtualAudioIo> virtual_io_;
  std::shared_ptr<DeviceLevels> device_levels_;
  bool per_call_audio_ = false;
  rtc::scoped_refptr<webrtc::AudioDeviceModule> audio_device_;
  std::mutex processing_mutex_;
  rtc::scoped_refptr<webrtc::AudioProcessing> audio_processing_;
  compat::AudioEngine audio_engine_;
  rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> pc_factory_;
};

}  // namespace dt
