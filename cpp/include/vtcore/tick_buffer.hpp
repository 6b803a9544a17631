// The ring of TickRecords that Python sees as a numpy structured array, with a generation check.
//
// Sequence numbers grow forever; record `s` lives in slot `s & (capacity - 1)` until record
// `s + capacity` overwrites it. Each slot carries a stamp: `s + 1` while it holds record `s`,
// kBusy while being rewritten (0 = never written). Readers use the seqlock pattern: check the
// stamp, copy, then check it again; if it moved, the copy may be torn and is thrown away.
// Writes go in increasing sequence order and mark a run busy before touching its data, so the
// oldest record of a range is always overwritten first: checking that one slot's stamp
// validates the whole range.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "vtcore/records.hpp"
#include "vtcore/spsc_ring.hpp"

namespace vtcore {

/// A requested range was overwritten (or is being overwritten) by newer records.
class StaleViewError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TickBuffer {
 public:
  explicit TickBuffer(std::size_t min_capacity)
      : capacity_(SpscRing<char>::round_capacity(min_capacity)),
        mask_(capacity_ - 1),
        records_(std::make_unique<TickRecord[]>(capacity_)),
        stamps_(std::make_unique<std::atomic<std::uint64_t>[]>(capacity_)) {
    for (std::size_t i = 0; i < capacity_; ++i) stamps_[i].store(0, std::memory_order_relaxed);
    live_count().fetch_add(1, std::memory_order_relaxed);
  }
  ~TickBuffer() { live_count().fetch_sub(1, std::memory_order_relaxed); }

  /// Number of TickBuffers alive in this module, so tests can prove views keep theirs alive.
  [[nodiscard]] static std::size_t instances() noexcept { return live_count().load(std::memory_order_relaxed); }

  TickBuffer(const TickBuffer&) = delete;
  TickBuffer& operator=(const TickBuffer&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  /// The next sequence number to be written (= records written so far).
  [[nodiscard]] std::uint64_t written() const noexcept { return written_.load(std::memory_order_acquire); }
  [[nodiscard]] TickRecord* data() noexcept { return records_.get(); }
  [[nodiscard]] const TickRecord* data() const noexcept { return records_.get(); }
  [[nodiscard]] std::size_t slot(std::uint64_t seq) const noexcept { return static_cast<std::size_t>(seq & mask_); }

  /// Writes one run of records. Holding a Writer excludes other writers; runs never wrap.
  class Writer {
   public:
    explicit Writer(TickBuffer& buffer) : buffer_(buffer), lock_(buffer.write_mutex_) {}

    /// Records that can be written as one run before the storage wraps.
    [[nodiscard]] std::size_t contiguous_space() const noexcept {
      return buffer_.capacity_ - buffer_.slot(buffer_.written_.load(std::memory_order_relaxed));
    }

    /// Marks the next `count` slots (count <= contiguous_space()) busy and returns where to write.
    [[nodiscard]] TickRecord* begin(std::size_t count) noexcept {
      const std::uint64_t start = buffer_.written_.load(std::memory_order_relaxed);
      for (std::size_t i = 0; i < count; ++i) {
        buffer_.stamps_[buffer_.slot(start + i)].store(kBusy, std::memory_order_relaxed);
      }
      std::atomic_thread_fence(std::memory_order_release);  // busy marks before the data
      return buffer_.records_.get() + buffer_.slot(start);
    }

    /// Publishes the `count` records written after begin(count); returns the first one's sequence.
    std::uint64_t commit(std::size_t count) noexcept {
      const std::uint64_t start = buffer_.written_.load(std::memory_order_relaxed);
      for (std::size_t i = 0; i < count; ++i) {
        buffer_.stamps_[buffer_.slot(start + i)].store(start + i + 1, std::memory_order_release);
      }
      buffer_.written_.store(start + count, std::memory_order_release);
      return start;
    }

    std::uint64_t append(const TickRecord& record) noexcept {
      *begin(1) = record;
      return commit(1);
    }

   private:
    TickBuffer& buffer_;
    std::lock_guard<std::mutex> lock_;
  };

  std::uint64_t append(const TickRecord& record) { return Writer(*this).append(record); }

  /// True while records start .. start+count-1 are all written and none has been overwritten.
  [[nodiscard]] bool is_valid(std::uint64_t start, std::uint64_t count) const noexcept {
    if (start + count < start || start + count > written()) return false;
    if (count == 0) return true;
    return stamps_[slot(start)].load(std::memory_order_acquire) == start + 1;
  }

  /// Throws std::invalid_argument for a range longer than the ring, std::out_of_range for records
  /// not written yet, and StaleViewError when the range was overwritten.
  void check_range(std::uint64_t start, std::uint64_t count) const {
    if (count > capacity_) throw std::invalid_argument("range is longer than the tick buffer");
    if (start + count < start || start + count > written()) {
      throw std::out_of_range("range includes records not written yet");
    }
    if (!is_valid(start, count)) throw StaleViewError(stale_message(start));
  }

  /// Address of a range for zero-copy use; the range must be valid and must not wrap.
  [[nodiscard]] const TickRecord* view(std::uint64_t start, std::uint64_t count) const {
    check_range(start, count);
    if (count > 0 && slot(start) + count > capacity_) {
      throw std::invalid_argument("range wraps around the end of the tick buffer; use read()");
    }
    return records_.get() + slot(start);
  }

  /// Copies a range (it may wrap) into `out`, then re-validates: throws StaleViewError instead of
  /// returning records that were overwritten before or during the copy.
  void read(std::uint64_t start, std::uint64_t count, TickRecord* out) const {
    check_range(start, count);
    if (count == 0) return;
    const std::size_t first = slot(start);
    const std::size_t head = count < capacity_ - first ? static_cast<std::size_t>(count) : capacity_ - first;
    std::memcpy(static_cast<void*>(out), records_.get() + first, head * sizeof(TickRecord));
    std::memcpy(static_cast<void*>(out + head), records_.get(),
                (static_cast<std::size_t>(count) - head) * sizeof(TickRecord));
    std::atomic_thread_fence(std::memory_order_acquire);  // the copy before the re-check
    if (stamps_[first].load(std::memory_order_relaxed) != start + 1) {
      throw StaleViewError(stale_message(start));
    }
  }

 private:
  static constexpr std::uint64_t kBusy = ~std::uint64_t{0};

  static std::atomic<std::size_t>& live_count() noexcept {
    static std::atomic<std::size_t> count{0};
    return count;
  }

  [[nodiscard]] std::string stale_message(std::uint64_t start) const {
    return "tick records from sequence " + std::to_string(start) + " were overwritten (buffer capacity " +
           std::to_string(capacity_) + ", written " + std::to_string(written()) + ")";
  }

  const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<TickRecord[]> records_;
  const std::unique_ptr<std::atomic<std::uint64_t>[]> stamps_;
  std::atomic<std::uint64_t> written_{0};
  std::mutex write_mutex_;
};

}  // namespace vtcore
