// The one "API thread" of a simulated API object: every SPI callback of that object runs here, serially, in the
// order the work was posted (timers fire in due order). Requests post work and return at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace vtcore::sim {

class ApiLoop {
 public:
  using Task = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  ApiLoop() = default;
  ~ApiLoop();
  ApiLoop(const ApiLoop&) = delete;
  ApiLoop& operator=(const ApiLoop&) = delete;

  void start();          // starts the thread; work posted before runs then
  void post(Task task);  // any thread
  void post_after(std::chrono::nanoseconds delay, Task task);
  void stop();          // drops pending work; joins, unless called from the loop's own thread
  void wait_stopped();  // blocks until stop() has finished (Join)
  // stop() was called from inside a task: once that task returns, the loop thread runs `last` (which may
  // destroy this loop's owner) and ends.
  void finish_in_loop_thread(Task last);
  bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_; }
  bool started() const { return started_; }

 private:
  struct Timer {
    Clock::time_point due;
    uint64_t order;
    Task task;
    bool operator>(const Timer& other) const { return due != other.due ? due > other.due : order > other.order; }
  };
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable stopped_cv_;
  std::deque<Task> tasks_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t timer_order_ = 0;
  bool stopping_ = false;
  bool stopped_ = false;
  bool started_ = false;
  Task last_;  // see finish_in_loop_thread
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace vtcore::sim
