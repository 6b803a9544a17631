#include "vtcore/sim/front_session.hpp"

#include <algorithm>
#include <cstdio>

#include "vtcore/sim/replay.hpp"
#include "vtcore/sim/text.hpp"

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
  unsubscribe_private_flow();
}

void FrontSession::subscribe_private_flow(int account, Resume resume, std::function<void(const FlowEntry&)> on_entry) {
  unsubscribe_private_flow();
  FlowSubscriber subscriber;
  subscriber.id = exchange_->new_subscriber_id();
  subscriber.account = account;
  const uint64_t epoch = epoch_.load();
  // Shared: an entry posted before an unsubscribe still runs (and is dropped by the epoch check, or delivered).
  auto handler = std::make_shared<std::function<void(const FlowEntry&)>>(std::move(on_entry));
  subscriber.deliver = [this, epoch, handler](const FlowEntry& entry) {
    loop_.post([this, epoch, entry, handler] {
      if (!current(epoch)) return;
      ++flow_received_;
      (*handler)(entry);
    });
  };
  flow_subscriber_ = subscriber.id;
  exchange_->subscribe_flow(std::move(subscriber), resume, flow_received_);
}

void FrontSession::unsubscribe_private_flow() {
  if (flow_subscriber_ && exchange_) exchange_->unsubscribe_flow(flow_subscriber_);
  flow_subscriber_ = 0;
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
  unsubscribe_private_flow();
  deliver_disconnected(0x1001);  // 4097: network read failure
  ++events_;
  const int delay = reconnect_ms >= 0 ? reconnect_ms : reconnect_delay_ms_;
  const uint64_t epoch = epoch_.load();
  loop_.post_after(std::chrono::milliseconds(delay), [this, epoch] { connect(epoch); });
}

// ---- MdSession ----

void MdSession::control_ticks(int64_t count, double rate) {
  loop_.post([this, count, rate] {
    budget_ = count;
    if (rate >= 0) rate_ = rate;
    pace_start_ = ApiLoop::Clock::now();
    paced_sent_ = 0;
    kick_stream();
  });
}

void MdSession::configure(const Config& config) {
  budget_ = config.market_data.count;
  rate_ = config.market_data.rate;
  if (!config.market_data.replay.empty()) {
    try {
      replay_ = load_replay(config.market_data.replay);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
    }
  }
}

void MdSession::reset_session_state() {
  subscribed_.clear();
  subscribed_set_.clear();
  stream_scheduled_ = false;
}

void MdSession::update_subscription(const std::string& name, bool subscribe) {
  if (subscribe) {
    if (subscribed_set_.insert(name).second) {
      const int index = exchange_->instrument_index(name);
      if (index >= 0) subscribed_.push_back(index);
    }
  } else if (subscribed_set_.erase(name)) {
    const int index = exchange_->instrument_index(name);
    std::erase(subscribed_, index);
    if (next_ >= subscribed_.size()) next_ = 0;
  }
}

void MdSession::kick_stream() {
  if (stream_scheduled_ || budget_ == 0 || !logged_in_) return;
  if (replay_ ? subscribed_set_.empty() : subscribed_.empty()) return;
  stream_scheduled_ = true;
  pace_start_ = ApiLoop::Clock::now();
  paced_sent_ = 0;
  const uint64_t epoch = epoch_.load();
  loop_.post([this, epoch] { stream(epoch); });
}

// One slice of the stream; re-posts itself so requests and control commands interleave with a burst.
void MdSession::stream(uint64_t epoch) {
  if (!current(epoch) || !stream_scheduled_) return;
  constexpr int64_t slice = 4096;
  int64_t due = slice;
  if (rate_ > 0) {
    const double elapsed = std::chrono::duration<double>(ApiLoop::Clock::now() - pace_start_).count();
    due = std::min<int64_t>(slice, static_cast<int64_t>(elapsed * rate_) + 1 - paced_sent_);
  }
  for (int64_t n = 0; n < due && budget_ != 0; ++n) {
    const Next next = next_tick(tick_);
    if (next == Next::closed) {  // no subscribed market trades now (wall clock): look again in a second
      pace_start_ = ApiLoop::Clock::now();
      paced_sent_ = 0;
      loop_.post_after(std::chrono::seconds(1), [this, epoch] { stream(epoch); });
      return;
    }
    if (next == Next::done) {
      stream_scheduled_ = false;
      return;
    }
    if (budget_ > 0) --budget_;
    ++paced_sent_;
    ++ticks_sent_;
    if (!deliver_tick(tick_)) return;
    if (!current(epoch) || !stream_scheduled_) return;
  }
  if (budget_ == 0) {
    stream_scheduled_ = false;
    return;
  }
  if (rate_ > 0) {
    const auto next_due = std::chrono::duration<double>(static_cast<double>(paced_sent_) / rate_);
    const auto wait =
        pace_start_ + std::chrono::duration_cast<ApiLoop::Clock::duration>(next_due) - ApiLoop::Clock::now();
    loop_.post_after(std::max(wait, ApiLoop::Clock::duration::zero()), [this, epoch] { stream(epoch); });
  } else {
    loop_.post([this, epoch] { stream(epoch); });
  }
}

MdSession::Next MdSession::next_tick(Tick& tick) {
  if (replay_) {  // a replay is sent as recorded, trading hours or not
    while (replay_next_ < replay_->size()) {
      tick = (*replay_)[replay_next_++];
      if (subscribed_set_.count(std::string(field_view(tick.instrument)))) {
        exchange_->apply_replayed_tick(tick);
        return Next::tick;
      }
    }
    return Next::done;  // the file is exhausted
  }
  if (subscribed_.empty()) return Next::done;
  // Round robin over the subscribed instruments whose market is open; when none is, the simulated clock skips
  // to the next session and the wall clock is waited for.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t tried = 0; tried < subscribed_.size(); ++tried) {
      if (next_ >= subscribed_.size()) next_ = 0;
      if (exchange_->next_tick(subscribed_[next_++], tick)) return Next::tick;
    }
    if (!exchange_->skip_closed_hours(subscribed_)) break;
  }
  return Next::closed;
}

}  // namespace vtcore::sim
