// The front side of one simulated API object, for every SDK front-end: the API thread, the connection state
// machine (connect, scripted and controlled disconnects, reconnect), response delays, callback counting for
// scripted faults, and the flow files. A front-end's API class derives from it (and from its SDK's API class)
// and supplies the SDK's callbacks through the hooks at the bottom.
//
// Threading: every SPI callback of one API object runs on its one API thread (loop_), serially, as the real
// libraries do; requests post work there and return at once. `request()` answers -1 while the front is not
// connected, as CTP does.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "vtcore/sim/api_loop.hpp"
#include "vtcore/sim/config.hpp"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/simulator.hpp"

namespace vtcore::sim {

// Writes the flow files the real library creates in Create…Api: `<prefix><name>.con` (a prefix, not a folder).
void create_flow_files(const char* prefix, std::initializer_list<const char*> names);

class FrontSession : public ControlTarget {
 public:
  explicit FrontSession(FrontKind kind) : kind_(kind) {}
  FrontSession(const FrontSession&) = delete;
  FrontSession& operator=(const FrontSession&) = delete;

  FrontKind front_kind() const override { return kind_; }
  void control_disconnect(int reconnect_ms) override;
  void control_response_delay(int ms) override { response_delay_ms_ = ms; }
  void control_ticks(int64_t, double) override {}
  Json control_status() const override;

 protected:
  virtual ~FrontSession() = default;

  // RegisterFront(): the address may carry "?config=<path>" (resolve_config_path).
  void register_front(const char* address);
  // Init(): choose the exchange, start the API thread, connect after the configured delay.
  void start_session();
  // Release(): stop the thread (also from inside one of this object's callbacks) and forget the object.
  void stop_session();
  // Release() of a front-end's API class: stops the session and deletes `self`, at once or, when called from
  // inside one of its own callbacks (the callback still runs on the object), on the API thread once it returns.
  template <class Api>
  void release_self(Api* self) {
    stop_session();
    if (loop_.in_loop_thread()) {
      loop_.finish_in_loop_thread([self] { delete self; });
      return;
    }
    delete self;
  }
  int join_session();

  // Work for a request: runs on the API thread after the response delay, unless the front dropped meanwhile.
  // Returns what a request returns: 0, or -1 when the front is not connected.
  int request(std::function<void()> work);

  // Trader API objects: the account's private flow (orders and trades), each entry handed to `on_entry` on this
  // object's API thread while the session lasts, from where `resume` says (restart: the whole day; resume: after
  // what this object received; quick: only new ones). API thread only; the session's end unsubscribes.
  void subscribe_private_flow(int account, Resume resume, std::function<void(const FlowEntry&)> on_entry);
  void unsubscribe_private_flow();

  // Calls one SPI method through `call` (the front-end checks its SPI pointer), then counts the callback for
  // scripted faults. Returns false when that callback tripped a scripted disconnect: the caller must then stop
  // (the rest belongs to a dead session).
  template <class Call>
  bool deliver(Call&& call) {
    call();
    return count_event();
  }
  bool current(uint64_t epoch) const { return epoch == epoch_.load(); }

  // Hooks for the front-end, on the API thread.
  virtual void deliver_connected() = 0;               // OnFrontConnected
  virtual void deliver_disconnected(int reason) = 0;  // OnFrontDisconnected(reason)
  virtual void reset_session_state() = 0;             // the front dropped: forget login, subscriptions, flow
  virtual void on_stopping() {}                       // the API thread has ended
  virtual void configure(const Config&) {}            // Init(), before the API thread starts

  const FrontKind kind_;
  ApiLoop loop_;
  std::shared_ptr<Exchange> exchange_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> logged_in_{false};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<int64_t> events_{0};
  std::atomic<int64_t> disconnects_{0};
  std::atomic<int64_t> ticks_sent_{0};
  std::atomic<int> response_delay_ms_{0};
  int front_id_ = 1;
  char trading_day_[9] = "19800100";  // what CTP reports before login

 private:
  struct ScriptedFault {
    FaultConfig config;
    bool fired;
  };

  bool count_event();
  void connect(uint64_t epoch);
  void disconnect(int reconnect_ms);

  uint64_t flow_subscriber_ = 0;  // API thread only
  size_t flow_received_ = 0;
  std::mutex setup_mutex_;
  std::vector<std::string> fronts_;
  std::vector<ScriptedFault> faults_;  // touched on the API thread only after Init
  int reconnect_delay_ms_ = 1000;
  bool registered_ = false;
};

// A market-data API object's session, for every front-end: the tick stream (round robin over the subscribed
// instruments, or a replay), its budget and rate, and the markets' hours (a closed market does not tick: the wall
// clock is waited for, the simulated clock skips to the next session). The front-end turns each tick into its
// SDK's struct (`deliver_tick`).
class MdSession : public FrontSession {
 public:
  explicit MdSession(FrontKind kind = FrontKind::md) : FrontSession(kind) {}
  void control_ticks(int64_t count, double rate) override;

 protected:
  void configure(const Config& config) override;  // budget, rate, replay
  void reset_session_state() override;            // subscriptions forgotten, stream stopped
  // API thread: (un)subscribes one instrument; an unknown one subscribes and never ticks, as on real fronts.
  void update_subscription(const std::string& name, bool subscribe);
  // API thread: starts streaming once logged in with something subscribed.
  void kick_stream();
  // API thread: one tick to the SPI; false when a scripted fault dropped the session (the stream stops).
  virtual bool deliver_tick(const Tick& tick) = 0;

 private:
  enum class Next { tick, closed, done };
  void stream(uint64_t epoch);
  Next next_tick(Tick& tick);

  // API thread only:
  std::vector<int> subscribed_;  // round-robin order of instruments that tick
  std::set<std::string> subscribed_set_;
  size_t next_ = 0;
  bool stream_scheduled_ = false;
  int64_t budget_ = -1;
  double rate_ = 0;
  ApiLoop::Clock::time_point pace_start_{};
  int64_t paced_sent_ = 0;
  std::shared_ptr<const std::vector<Tick>> replay_;
  size_t replay_next_ = 0;
  Tick tick_{};
};

}  // namespace vtcore::sim
