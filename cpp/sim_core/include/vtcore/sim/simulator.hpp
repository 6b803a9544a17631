// The process-wide part of the simulator: which exchange (configuration) is in use, the live API objects of every
// front-end, and the loopback control socket that lets a test trigger faults at a chosen moment.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vtcore/sim/config.hpp"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/json.hpp"

namespace vtcore::sim {

// What the control socket can do to a live API object. Methods only post work to the object's own thread (or
// read atomics), so they are safe from the control thread.
class ControlTarget {
 public:
  virtual FrontKind front_kind() const = 0;
  virtual void control_disconnect(int reconnect_ms) = 0;
  virtual void control_ticks(int64_t count, double rate) = 0;  // market data only
  virtual void control_response_delay(int ms) = 0;
  virtual Json control_status() const = 0;

 protected:
  ~ControlTarget() = default;
};

class ControlServer;

class Simulator {
 public:
  static Simulator& instance();  // never destroyed: API threads may outlive static destruction

  // The exchange for a configuration file ("" = built-in defaults). The same file keeps its state across API
  // objects; another file replaces the exchange only when no API object is alive. Throws on a bad file.
  std::shared_ptr<Exchange> acquire(const std::string& config_path);
  void register_api(ControlTarget* api);
  void unregister_api(ControlTarget* api);
  // A front-end library says which SDK ABI it serves (its GetApiVersion() text); `ping` lists them.
  void register_front_end(const std::string& version);

  Json handle(const Json& command);  // one control command -> its answer

 private:
  Simulator() = default;
  std::mutex acquire_mutex_;  // one acquire() at a time: it lets go of mutex_ while the old control server stops
  std::mutex mutex_;
  std::shared_ptr<Exchange> exchange_;
  std::string config_path_;
  bool have_exchange_ = false;
  std::vector<ControlTarget*> apis_;
  std::vector<std::string> front_ends_;
  std::unique_ptr<ControlServer> control_;
};

// Which configuration file an API object asks for: `config=<path>` in a front address
// ("tcp://127.0.0.1:0?config=/x/sim.json"), else $VTCORE_SIM_CONFIG, else $VTCORE_CTPSIM_CONFIG (its older
// name), else "" (defaults).
std::string resolve_config_path(const std::vector<std::string>& fronts);

const char* core_version();  // "vtcore-sim <version>"

}  // namespace vtcore::sim
