// A bounded FIFO of interleaved 16-bit PCM between the application and the audio device's 10 ms
// clock. Storage is allocated once; writes beyond the capacity drop the oldest samples. The lock is
// held only for the memcpy of one push or pull, never across a callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace dt {

class AudioFifo {
 public:
  explicit AudioFifo(size_t capacity_samples) : buffer_(capacity_samples) {}

  // Appends `count` samples; returns how many old samples were dropped to make room.
  size_t Write(const int16_t* samples, size_t count);
  // Takes up to `max_count` samples; returns the number taken.
  size_t Read(int16_t* out, size_t max_count);
  size_t size() const;
  size_t capacity() const { return buffer_.size(); }

 private:
  mutable std::mutex mutex_;
  std::vector<int16_t> buffer_;
  size_t read_ = 0;   // index of the oldest sample
  size_t count_ = 0;  // samples stored
};

}  // namespace dt
