#include "audio_device_virtual.h"

#include <algorithm>

#include "modules/audio_device/include/test_audio_device.h"

namespace dt {
namespace {
using webrtc::TestAudioDeviceModule;

// Microphone: 10 ms from the application's FIFO, padded with silence when it runs dry.
class FifoCapturer final : public TestAudioDeviceModule::Capturer {
 public:
  explicit FifoCapturer(std::shared_ptr<VirtualAudioIo> io) : io_(std::move(io)) {}
  int SamplingFrequency() const override { return static_cast<int>(io_->sample_rate_hz); }
  int NumChannels() const override { return static_cast<int>(io_->channels); }
  bool Capture(rtc::BufferT<int16_t>* buffer) override {
    const size_t samples = TestAudioDeviceModule::SamplesPerFrame(SamplingFrequency()) * io_->channels;
    // The device reuses `buffer` frame after frame: only the first call allocates.
    buffer->SetData(samples, [&](rtc::ArrayView<int16_t> out) {
      size_t got = io_->capture.Read(out.data(), out.size());
      std::fill(out.begin() + got, out.end(), int16_t{0});
      return out.size();
    });
    return true;
  }

 private:
  std::shared_ptr<VirtualAudioIo> io_;
};

// Speaker: the mixed playout of every stream, appended to the application's FIFO.
class FifoRenderer final : public TestAudioDeviceModule::Renderer {
 public:
  explicit FifoRenderer(std::shared_ptr<VirtualAudioIo> io) : io_(std::move(io)) {}
  int SamplingFrequency() const override { return static_cast<int>(io_->sample_rate_hz); }
  int NumChannels() const override { return static_cast<int>(io_->channels); }
  bool Render(rtc::ArrayView<const int16_t> data) override {
    io_->playout.Write(data.data(), data.size());
    return true;
  }

 private:
  std::shared_ptr<VirtualAudioIo> io_;
};

class SilenceCapturer final : public TestAudioDeviceModule::Capturer {
 public:
  int SamplingFrequency() const override { return 48000; }
  int NumChannels() const override { return 1; }
  bool Capture(rtc::BufferT<int16_t>* buffer) override {
    buffer->SetData(TestAudioDeviceModule::SamplesPerFrame(48000), [](rtc::ArrayView<int16_t> out) {
      std::fill(out.begin(), out.end(), int16_t{0});
      return out.size();
    });
    return true;
  }
};
}  // namespace

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateVirtualAudioDevice(webrtc::TaskQueueFactory* task_queues,
                                                                      std::shared_ptr<VirtualAudioIo> io) {
  return TestAudioDeviceModule::Create(task_queues, std::make_unique<FifoCapturer>(io),
                                       std::make_unique<FifoRenderer>(io));
}

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateSilentAudioDevice(webrtc::TaskQueueFactory* task_queues) {
  return TestAudioDeviceModule::Create(task_queues, std::make_unique<SilenceCapturer>(),
                                       TestAudioDeviceModule::CreateDiscardRenderer(48000, 1));
}

}  // namespace dt
