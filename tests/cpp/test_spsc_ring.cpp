// The SPSC ring alone: single-thread semantics, then two threads streaming millions of items with
// sequence and torn-read checks at several capacities.
#include "vtcore/spsc_ring.hpp"

#include <array>
#include <cstdint>
#include <thread>

#include "check.hpp"

namespace {

/// 64 bytes whose every word is derived from the sequence number, so a torn or stale slot shows.
struct Item {
  std::uint64_t seq = 0;
  std::array<std::uint64_t, 7> words{};
  static Item make(std::uint64_t seq) {
    Item item;
    item.seq = seq;
    for (std::size_t i = 0; i < item.words.size(); ++i) item.words[i] = seq * 0x9E3779B97F4A7C15ULL + i;
    return item;
  }
  [[nodiscard]] bool consistent() const {
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (words[i] != seq * 0x9E3779B97F4A7C15ULL + i) return false;
    }
    return true;
  }
};

void single_thread() {
  vtcore::SpscRing<int> ring(5);
  CHECK_EQ(ring.capacity(), 8u);
  CHECK_EQ(vtcore::SpscRing<int>(1).capacity(), 1u);
  CHECK_EQ(ring.readable(), 0u);
  for (int i = 0; i < 8; ++i) CHECK(ring.try_push(i));
  CHECK(!ring.try_push(99));  // full: nothing is overwritten
  CHECK_EQ(ring.readable(), 8u);
  CHECK_EQ(ring.peek(0), 0);
  CHECK_EQ(ring.peek(7), 7);
  ring.consume(3);
  CHECK_EQ(ring.readable(), 5u);
  for (int i = 8; i < 11; ++i) CHECK(ring.try_push(i));  // wraps around the storage
  CHECK(!ring.try_push(99));
  CHECK_EQ(ring.contiguous(8), 5u);  // slots 3..7 before the end of the array
  int expected = 3;
  const std::size_t taken = ring.pop_batch(100, [&](int value) { CHECK_EQ(value, expected++); });
  CHECK_EQ(taken, 8u);
  CHECK_EQ(expected, 11);
  CHECK_EQ(ring.readable(), 0u);
  CHECK(ring.empty_approx());
  CHECK_THROWS(vtcore::SpscRing<int>(0), std::invalid_argument);
}

/// One producer pushes `count` items (yielding when full), one consumer checks order and content,
/// alternating single-item and batch pops.
void two_threads(std::size_t capacity, std::uint64_t count) {
  vtcore::SpscRing<Item> ring(capacity);
  std::thread producer([&] {
    for (std::uint64_t seq = 0; seq < count;) {
      if (ring.try_push(Item::make(seq))) {
        ++seq;
      } else {
        std::this_thread::yield();
      }
    }
  });
  std::uint64_t next = 0;
  std::uint64_t bad = 0;
  std::uint64_t round = 0;
  while (next < count) {
    const std::size_t ready = ring.readable(1);
    if (ready == 0) {
      std::this_thread::yield();
      continue;
    }
    if (++round % 2 == 0) {
      const Item& item = ring.peek(0);
      bad += (item.seq != next || !item.consistent()) ? 1 : 0;
      ++next;
      ring.consume(1);
    } else {
      ring.pop_batch(64, [&](const Item& item) {
        bad += (item.seq != next || !item.consistent()) ? 1 : 0;
        ++next;
      });
    }
  }
  producer.join();
  CHECK_EQ(bad, 0u);
  CHECK_EQ(next, count);
  CHECK_EQ(ring.readable(), 0u);
}

}  // namespace

int main() {
  single_thread();
  const auto start = std::chrono::steady_clock::now();
  two_threads(1, vtcore_test::scaled(200'000));
  two_threads(2, vtcore_test::scaled(500'000));
  two_threads(64, vtcore_test::scaled(2'000'000));
  two_threads(4096, vtcore_test::scaled(4'000'000));
  std::printf("two-thread streaming: %.2f s\n", vtcore_test::seconds_since(start));
  return vtcore_test::finish("test_spsc_ring");
}
