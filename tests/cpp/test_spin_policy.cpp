// SpinPolicy: the spin window follows the gap between arrivals, within [base, max].
#include "vtcore/spin_policy.hpp"

#include <chrono>

#include "check.hpp"

int main() {
  using namespace std::chrono_literals;
  using vtcore::SpinPolicy;
  const auto t0 = SpinPolicy::Clock::time_point{} + 1h;

  // Fixed: max <= base.
  SpinPolicy fixed(50us, 0us);
  fixed.on_arrival(t0);
  fixed.on_arrival(t0 + 10us);
  CHECK(fixed.window() == 50us);

  SpinPolicy policy(20us, 250us);
  CHECK(policy.window() == 20us);  // nothing seen yet
  auto t = t0;
  for (int i = 0; i < 50; ++i) policy.on_arrival(t += 100us);  // 10,000 events/s
  CHECK(policy.window() == 200us);                             // twice the gap: catches the next one
  for (int i = 0; i < 50; ++i) policy.on_arrival(t += 200us);  // 5,000/s: twice would exceed max
  CHECK(policy.window() == 250us);
  for (int i = 0; i < 50; ++i) policy.on_arrival(t += 1ms);  // 1,000/s: spinning would not pay
  CHECK(policy.window() == 20us);
  for (int i = 0; i < 50; ++i) policy.on_arrival(t += 2us);  // a burst: never below base
  CHECK(policy.window() == 20us);

  // One long quiet spell moves it to base at once; a run of short gaps brings it back.
  for (int i = 0; i < 50; ++i) policy.on_arrival(t += 100us);
  CHECK(policy.window() >= 190us && policy.window() <= 200us);  // the average converges from above
  policy.on_arrival(t += 1s);
  CHECK(policy.window() == 20us);
  int arrivals = 0;
  while (policy.window() < 190us && arrivals < 1000) {
    policy.on_arrival(t += 100us);
    ++arrivals;
  }
  CHECK(arrivals < 100);

  // A budget of 10 % of wall time: a quiet spell saves up at most the burst; spinning spends it; after that
  // each 100 µs of wall time allows 10 µs, whatever the window asks.
  SpinPolicy budgeted(20us, 250us);
  budgeted.set_budget(0.10, 1ms);
  t = t0;
  for (int i = 0; i < 50; ++i) budgeted.on_arrival(t += 100us);
  CHECK(budgeted.window() == 200us);
  CHECK(budgeted.allowance(t) == 200us);  // the full burst is saved up: the window decides
  budgeted.spent(1ms);                    // the burst is gone
  CHECK(budgeted.allowance(t += 100us) == 10us);
  budgeted.spent(10us);
  CHECK(budgeted.allowance(t += 100us) == 10us);
  budgeted.spent(10us);
  CHECK(budgeted.allowance(t += 1s) == 200us);  // a quiet second refills it (up to the burst)
  SpinPolicy uncapped(20us, 250us);             // no budget: the window alone
  uncapped.spent(10ms);
  CHECK(uncapped.allowance(t0) == 20us);
  return vtcore_test::finish("test_spin_policy");
}
