#include "vtcore/sim/simulator.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "vtcore/sim/control.hpp"

#ifndef VTCORE_SIM_VERSION
#define VTCORE_SIM_VERSION "0"
#endif

namespace vtcore::sim {

const char* core_version() { return "vtcore-sim " VTCORE_SIM_VERSION; }

Simulator& Simulator::instance() {
  static Simulator* simulator = new Simulator();
  return *simulator;
}

std::string resolve_config_path(const std::vector<std::string>& fronts) {
  for (const std::string& front : fronts) {
    const size_t query = front.find('?');
    if (query == std::string::npos) continue;
    const size_t key = front.find("config=", query);
    if (key == std::string::npos) continue;
    std::string path = front.substr(key + 7);
    const size_t end = path.find('&');
    return end == std::string::npos ? path : path.substr(0, end);
  }
  for (const char* name : {"VTCORE_SIM_CONFIG", "VTCORE_CTPSIM_CONFIG"})
    if (const char* env = std::getenv(name)) return env;
  return {};
}

std::shared_ptr<Exchange> Simulator::acquire(const std::string& config_path) {
  // Two API threads (OES's order and market channels) may acquire the same new configuration at once; while
  // the first let go of mutex_ to stop the old control server, the second made a second exchange, and orders
  // went to one while the control socket moved prices on the other. handle() never takes acquire_mutex_.
  std::lock_guard serial(acquire_mutex_);
  std::unique_lock lock(mutex_);
  if (have_exchange_ && config_path == config_path_) return exchange_;
  if (have_exchange_ && !apis_.empty()) {
    std::fprintf(stderr,
                 "vtcore-sim: configuration \"%s\" requested while \"%s\" is in use by live API objects; keeping it\n",
                 config_path.c_str(), config_path_.c_str());
    return exchange_;
  }
  Config config = config_path.empty() ? default_config() : load_config(config_path);
  auto exchange = std::make_shared<Exchange>(config);
  for (const FaultConfig& fault : config.faults)
    if (fault.action == "reject_login") exchange->add_login_rejects(fault.front, fault.count);
  // The old control server's thread may be waiting for this lock in handle(): stop it outside the lock.
  std::unique_ptr<ControlServer> retired = std::move(control_);
  lock.unlock();
  retired.reset();
  lock.lock();
  if (config.control.enabled)
    control_ = std::make_unique<ControlServer>(config.control.port, config.control.port_file,
                                               [this](const Json& command) { return handle(command); });
  exchange_ = std::move(exchange);
  config_path_ = config_path;
  have_exchange_ = true;
  return exchange_;
}

void Simulator::register_api(ControlTarget* api) {
  std::lock_guard lock(mutex_);
  apis_.push_back(api);
}

void Simulator::unregister_api(ControlTarget* api) {
  std::lock_guard lock(mutex_);
  std::erase(apis_, api);
}

void Simulator::register_front_end(const std::string& version) {
  std::lock_guard lock(mutex_);
  if (std::find(front_ends_.begin(), front_ends_.end(), version) == front_ends_.end()) front_ends_.push_back(version);
}

namespace {

FrontKind front_of(const Json& command) {
  const Json* front = command.find("front");
  if (!front) return FrontKind::any;
  const std::string& text = front->as_string("front");
  if (text == "md") return FrontKind::md;
  if (text == "td") return FrontKind::td;
  if (text == "any") return FrontKind::any;
  throw JsonError("front must be \"md\", \"td\" or \"any\"");
}

bool matches(FrontKind wanted, FrontKind actual) { return wanted == FrontKind::any || wanted == actual; }

Json ok(Json::Object fields = {}) {
  fields["ok"] = Json(true);
  return Json(std::move(fields));
}

}  // namespace

Json Simulator::handle(const Json& command) {
  const std::string& cmd = command.find("cmd") ? command.find("cmd")->as_string("cmd") : "";
  std::lock_guard lock(mutex_);
  const FrontKind front = front_of(command);
  if (cmd == "ping") {
    std::string version = core_version();
    for (const std::string& front_end : front_ends_) version += "; " + front_end;
    return ok({{"version", Json(version)}});
  }
  if (cmd == "status") {
    Json::Array apis;
    for (const ControlTarget* api : apis_) apis.push_back(api->control_status());
    Json::Object answer{{"apis", Json(std::move(apis))}};
    if (exchange_) {
      answer["ticks"] = Json(exchange_->ticks_generated());
      answer["orders"] = Json(static_cast<uint64_t>(exchange_->order_count()));
      answer["trading_day"] = Json(exchange_->trading_day());
    }
    return ok(std::move(answer));
  }
  if (cmd == "disconnect") {
    int reconnect_ms = -1;
    if (const Json* v = command.find("reconnect_ms")) reconnect_ms = static_cast<int>(v->as_int("reconnect_ms"));
    int count = 0;
    for (ControlTarget* api : apis_)
      if (matches(front, api->front_kind())) {
        api->control_disconnect(reconnect_ms);
        ++count;
      }
    return ok({{"count", Json(count)}});
  }
  if (cmd == "ticks") {
    const Json* count_value = command.find("count");
    if (!count_value) throw JsonError("ticks needs \"count\"");
    const int64_t count = count_value->as_int("count");
    double rate = -1;  // keep the configured rate
    if (const Json* v = command.find("rate")) rate = v->as_number("rate");
    int apis = 0;
    for (ControlTarget* api : apis_)
      if (api->front_kind() == FrontKind::md) {
        api->control_ticks(count, rate);
        ++apis;
      }
    return ok({{"count", Json(apis)}});
  }
  if (cmd == "delay") {
    const int ms = static_cast<int>(command.find("ms") ? command.find("ms")->as_int("ms") : 0);
    for (ControlTarget* api : apis_)
      if (matches(front, api->front_kind())) api->control_response_delay(ms);
    return ok();
  }
  if (!exchange_) throw JsonError("no exchange yet: call Init() on an API object first");
  if (cmd == "reject_login") {
    const int count = static_cast<int>(command.find("count") ? command.find("count")->as_int("count") : 1);
    exchange_->add_login_rejects(front, count);
    return ok();
  }
  if (cmd == "set_price") {
    const Json* instrument = command.find("instrument");
    const Json* price = command.find("price");
    if (!instrument || !price) throw JsonError("set_price needs \"instrument\" and \"price\"");
    if (!exchange_->set_price(instrument->as_string("instrument"), price->as_number("price")))
      throw JsonError("unknown instrument " + instrument->as_string("instrument"));
    return ok();
  }
  throw JsonError("unknown command \"" + cmd + "\"");
}

}  // namespace vtcore::sim
