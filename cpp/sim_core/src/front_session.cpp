#include "vtcore/sim/front_session.hpp"

#include <cstdio>

namespace vtcore::sim {

void create_flow_files(const char* prefix, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const std::string path = std::string(prefix) + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
      // The real library crashes here; the simulator says so and carries on without flow files.
      std::fprintf(stderr, "vtcore-sim: RuntimeError:can not open CFlow file %s\n", path.c_str());
      continue;
    }
    static const char header[6] = {0, 0, 0, 0, 0, 0};
    std::fwrite(header, 1, sizeof header, f);
    std::fclose(f);
  }
}

void FrontSession::control_disconnect(int reconnect_ms) {
  loop_.post([this, reconnect_ms] { disconnect(reconnect_ms); });
}

Json FrontSession::control_status() const {
  return Json(Json::Object{{"front", Json(kind_ == FrontKind::md ? "md" : "td")},
                           {"connected", Json(connected_.load())},
                           {"logged_in", Json(logged_in_.load())},
                           {"events", Json(static_cast<int64_t>(events_.load()))},
                           {"disconnects", Json(static_cast<int64_t>(disconnects_.load()))},
                           {"ticks", Json(static_cast<int64_t>(ticks_sent_.load()))}});
}

void FrontSession::register_front(const char* address) {
  std::lock_guard lock(setup_mutex_);
  if (address) fronts_.emplace_back(address);
}

void FrontSession::start_session() {
  std::lock_guard lock(setup_mutex_);
  if (loop_.started()) return;
  try {
    exchange_ = Simulator::instance().acquire(resolve_config_path(fronts_));
  } catch (const std::exception& e) {
    // Like an unreachable front: the API runs but never connects.
    std::fprintf(stderr, "%s\n", e.what());
    loop_.start();
    return;
  }
  const Config& config = exchange_->config();
  const FrontConfig& front = kind_ == FrontKind::md ? config.md_front : config.td_front;
  front_id_ = front.front_id;
  reconnect_delay_ms_ = front.reconnect_delay_ms;
  response_delay_ms_ = front.response_delay_ms;
  for (const FaultConfig& fault : config.faults)
    if (fault.action == "disconnect" && (fault.front == FrontKind::any || fault.front == kind_))
      faults_.push_back(ScriptedFault{fault, false});
  configure(config);
  Simulator::instance().register_api(this);
  registered_ = true;
  loop_.start();
  const uint64_t epoch = epoch_.load();
  loop_.post_after(std::chrono::milliseconds(front.connect_delay_ms), [this, epoch] { connect(epoch); });
  for (ScriptedFault& fault : faults_)
    if (fault.config.at_ms >= 0)
      loop_.post_after(std::chrono::milliseconds(fault.config.at_ms), [this, &fault] {
        if (fault.fired) return;
        fault.fired = true;
        disconnect(fault.config.reconnect_delay_ms);
      });
}

void FrontSession::stop_session() {
  {
    std::lock_guard lock(setup_mutex_);
    if (registered_) Simulator::instance().unregister_api(this);
    registered_ = false;
  }
  loop_.stop();
  on_stopping();  // the API thread has ended
}

int FrontSession::join_session() {
  loop_.wait_stopped();
  return 0;
}

int FrontSession::request(std::function<void()> work) {
  if (!connected_.load()) return -1;
  const uint64_t epoch = epoch_.load();
  auto task = [this, epoch, work = std::move(work)] {
    if (epoch == epoch_.load()) work();
  };
  const int delay = response_delay_ms_.load();
  if (delay > 0)
    loop_.post_after(std::chrono::milliseconds(delay), std::move(task));
  else
    loop_.post(std::move(task));
  return 0;
}

bool FrontSession::count_event() {
  const int64_t events = ++events_;
  for (ScriptedFault& fault : faults_)
    if (!fault.fired && fault.config.after_events >= 0 && events >= fault.config.after_events) {
      fault.fired = true;
      disconnect(fault.config.reconnect_delay_ms);
      return false;
    }
  return true;
}

void FrontSession::connect(uint64_t epoch) {
  if (!current(epoch)) return;
  connected_ = true;
  deliver([this] { deliver_connected(); });
}

void FrontSession::disconnect(int reconnect_ms) {
  if (!connected_.load()) return;
  ++epoch_;
  connected_ = false;
  logged_in_ = false;
  ++disconnects_;
  reset_session_state();
  deliver_disconnected(0x1001);  // 4097: network read failure
  ++events_;
  const int delay = reconnect_ms >= 0 ? reconnect_ms : reconnect_delay_ms_;
  const uint64_t epoch = epoch_.load();
  loop_.post_after(std::chrono::milliseconds(delay), [this, epoch] { connect(epoch); });
}

}  // namespace vtcore::sim
