// LockHandoff: the notifier's lock reaches the consumer free, every path ends idle, and a late
// side only falls back to the plain path.
#include "vtcore/handoff.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "check.hpp"

namespace {

using namespace std::chrono_literals;
constexpr auto kLong = 10s;  // generous: the tests wait on each other, never on a clock

// The notifier holds `lock`, publishes `work`, hands the lock over; the consumer, spinning on
// `work`, must then find the lock free (try_lock succeeds: it never blocks on it).
void hand_over_once(vtcore::LockHandoff& handoff, std::mutex& lock, std::atomic<int>& work, int round) {
  std::atomic<bool> consumer_got_it_free{false};
  std::thread consumer([&] {
    while (work.load(std::memory_order_acquire) != round) vtcore::cpu_relax();
    handoff.before_acquire(kLong);
    consumer_got_it_free = lock.try_lock();
    if (!consumer_got_it_free) lock.lock();
    handoff.after_acquire();
    lock.unlock();
  });
  lock.lock();
  CHECK(handoff.offer(true, 0ns));
  work.store(round, std::memory_order_release);
  lock.unlock();
  handoff.released();
  CHECK(handoff.finish(kLong));
  consumer.join();
  CHECK(consumer_got_it_free.load());
}

}  // namespace

int main() {
  vtcore::LockHandoff handoff;
  std::mutex lock;
  std::atomic<int> work{0};

  for (int round = 1; round <= 200; ++round) hand_over_once(handoff, lock, work, round);
  CHECK_EQ(handoff.handoffs(), 200U);

  // No offer while the consumer is not spinning, nor for an event right after the previous one.
  CHECK(!handoff.offer(false, 0ns));
  CHECK(!handoff.offer(true, 1h));

  // A consumer that never comes: the notifier's wait times out and the state is idle again.
  CHECK(handoff.offer(true, 0ns));
  handoff.released();
  CHECK(!handoff.finish(1ms));
  CHECK_EQ(handoff.handoffs(), 200U);
  // Its late arrival changes nothing (no offer is open), and the next offer works.
  handoff.before_acquire(kLong);  // returns at once: nothing offered
  handoff.after_acquire();
  hand_over_once(handoff, lock, work, 1000);
  CHECK_EQ(handoff.handoffs(), 201U);

  // A second notifier while an offer is open takes the plain path.
  CHECK(handoff.offer(true, 0ns));
  CHECK(!handoff.offer(true, 0ns));
  handoff.released();
  CHECK(!handoff.finish(0ns));
  return vtcore_test::finish("test_handoff");
}
