#include "vtcore/sim/api_loop.hpp"

#include <cstdio>
#include <exception>

namespace vtcore::sim {

ApiLoop::~ApiLoop() { stop(); }

void ApiLoop::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] {
    run();
    // Only set when stop() came from a task of this thread: nobody joins it, and `last` may delete *this.
    Task last;
    {
      std::lock_guard guard(mutex_);
      last.swap(last_);
    }
    if (last) last();
  });
  thread_id_ = thread_.get_id();
}

void ApiLoop::post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void ApiLoop::post_after(std::chrono::nanoseconds delay, Task task) {
  if (delay.count() <= 0) {
    post(std::move(task));
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    timers_.push(Timer{Clock::now() + delay, timer_order_++, std::move(task)});
  }
  wake_.notify_one();
}

void ApiLoop::stop() {
  std::thread to_join;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    if (thread_.joinable() && !in_loop_thread()) to_join = std::move(thread_);
  }
  wake_.notify_all();
  if (to_join.joinable()) to_join.join();
  std::deque<Task> dropped;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> dropped_timers;
  {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) thread_.detach();  // stop() from inside a callback: the thread ends by itself
    dropped.swap(tasks_);
    dropped_timers.swap(timers_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
}

void ApiLoop::finish_in_loop_thread(Task last) {
  std::lock_guard lock(mutex_);
  last_ = std::move(last);
}

void ApiLoop::wait_stopped() {
  std::unique_lock lock(mutex_);
  stopped_cv_.wait(lock, [this] { return stopped_; });
}

void ApiLoop::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = Clock::now();
    while (!timers_.empty() && timers_.top().due <= now) {
      // priority_queue::top is const; the task is moved out before pop.
      tasks_.push_back(std::move(const_cast<Timer&>(timers_.top()).task));
      timers_.pop();
    }
    if (!tasks_.empty()) {
      Task task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "vtcore-sim: API thread caught an exception: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "vtcore-sim: API thread caught an unknown exception\n");
      }
      lock.lock();
      continue;
    }
    if (timers_.empty())
      wake_.wait(lock);
    else
      wake_.wait_until(lock, timers_.top().due);
  }
}

}  // namespace vtcore::sim
