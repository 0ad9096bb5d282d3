#include "audio_fifo.h"

#include <algorithm>
#include <cstring>

namespace dt {

size_t AudioFifo::Write(const int16_t* samples, size_t count) {
  const size_t capacity = buffer_.size();
  if (capacity == 0) return count;
  size_t dropped = 0;
  if (count > capacity) {  // only the newest `capacity` samples can survive
    dropped += count - capacity;
    samples += count - capacity;
    count = capacity;
  }
  std::lock_guard lock(mutex_);
  if (count_ + count > capacity) {
    size_t excess = count_ + count - capacity;
    read_ = (read_ + excess) % capacity;
    count_ -= excess;
    dropped += excess;
  }
  size_t write = (read_ + count_) % capacity;
  size_t first = std::min(count, capacity - write);
  std::memcpy(buffer_.data() + write, samples, first * sizeof(int16_t));
  std::memcpy(buffer_.data(), samples + first, (count - first) * sizeof(int16_t));
  count_ += count;
  return dropped;
}

size_t AudioFifo::Read(int16_t* out, size_t max_count) {
  const size_t capacity = buffer_.size();
  std::lock_guard lock(mutex_);
  size_t count = std::min(max_count, count_);
  if (count == 0) return 0;
  size_t first = std::min(count, capacity - read_);
  std::memcpy(out, buffer_.data() + read_, first * sizeof(int16_t));
  std::memcpy(out + first, buffer_.data(), (count - first) * sizeof(int16_t));
  read_ = (read_ + count) % capacity;
  count_ -= count;
  return count;
}

size_t AudioFifo::size() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace dt
