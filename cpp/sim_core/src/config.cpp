#include "vtcore/sim/config.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "vtcore/sim/ashare.hpp"
#include "vtcore/sim/json.hpp"

namespace vtcore::sim {
namespace {

std::vector<InstrumentConfig> default_instruments() {
  auto make = [](const char* id, const char* exchange, const char* name, const char* product, int multiplier,
                 double tick, double price, double margin) {
    InstrumentConfig i;
    i.id = id;
    i.exchange = exchange;
    i.name = name;
    i.product_id = product;
    i.multiplier = multiplier;
    i.price_tick = tick;
    i.price = price;
    i.long_margin_ratio = margin;
    i.short_margin_ratio = margin;
    return i;
  };
  return {
      make("rb2601", "SHFE", "螺纹钢2601", "rb", 10, 1.0, 3100.0, 0.10),
      make("au2602", "SHFE", "黄金2602", "au", 1000, 0.02, 620.0, 0.12),
      make("sc2601", "INE", "原油2601", "sc", 1000, 0.1, 480.0, 0.10),
      make("m2601", "DCE", "豆粕2601", "m", 10, 1.0, 2900.0, 0.08),
      make("i2601", "DCE", "铁矿石2601", "i", 100, 0.5, 780.0, 0.11),
      make("SR601", "CZCE", "白糖601", "SR", 10, 1.0, 5600.0, 0.08),
      make("MA601", "CZCE", "甲醇601", "MA", 10, 1.0, 2400.0, 0.08),
      make("IF2512", "CFFEX", "沪深300股指2512", "IF", 300, 0.2, 4500.0, 0.12),
      make("si2601", "GFEX", "工业硅2601", "si", 5, 5.0, 9000.0, 0.09),
  };
}

// A-share securities (A-share front-ends list only these; futures front-ends only the futures above).
std::vector<InstrumentConfig> default_securities() {
  auto make = [](const char* id, const char* exchange, const char* name, const char* kind, double price) {
    InstrumentConfig i;
    i.id = id;
    i.exchange = exchange;
    i.name = name;
    i.kind = kind;
    i.price = price;
    return i;
  };
  return {
      make("600000", "SSE", "浦发银行", "stock", 10.50),  make("600519", "SSE", "贵州茅台", "stock", 1500.00),
      make("688981", "SSE", "中芯国际", "stock", 85.00),  make("510300", "SSE", "沪深300ETF", "fund", 3.900),
      make("000001", "SZSE", "平安银行", "stock", 11.00), make("300750", "SZSE", "宁德时代", "stock", 220.00),
      make("159915", "SZSE", "创业板ETF", "fund", 2.100), make("830799", "BSE", "艾融软件", "stock", 20.00),
  };
}

bool is_security(const InstrumentConfig& i) { return i.kind != "futures" && !is_option(i); }

// Options: SSE/SZSE ETF options' contract unit, tick and premium paid in full unless configured.
void settle_option(InstrumentConfig& i, bool tick_given, bool multiplier_given) {
  if (!tick_given) i.price_tick = 0.0001;
  if (!multiplier_given) i.multiplier = 10'000;
  i.long_margin_ratio = 1.0;
  if (i.pre_settlement <= 0) i.pre_settlement = i.price;
  i.product_class = '2';  // the Thost family's options class
  if (i.product_id.empty()) i.product_id = i.underlying;
}

// Securities: the board's units and limits unless configured, cash (margin ratio 1), multiplier 1.
void settle_security(InstrumentConfig& i, bool tick_given, bool ratio_given) {
  const ashare::Units units = ashare::units(ashare::board_of(i.id, i.exchange, i.kind));
  if (i.lot <= 0) i.lot = units.lot;
  if (!tick_given) i.price_tick = units.price_tick;
  if (!ratio_given) i.limit_ratio = units.limit_ratio;
  if (i.pre_settlement <= 0) i.pre_settlement = i.price;
  if (i.upper_limit <= 0 || i.lower_limit <= 0) {
    const auto [upper, lower] = ashare::limits(i.pre_settlement, i.limit_ratio, i.price_tick);
    if (i.upper_limit <= 0) i.upper_limit = upper;
    if (i.lower_limit <= 0) i.lower_limit = lower;
  }
  i.multiplier = 1;
  i.long_margin_ratio = i.short_margin_ratio = 1.0;
  i.commission_per_lot = 0.0;
  if (i.commission_rate <= 0) i.commission_rate = 0.00025;
  i.product_class = '1';
  i.min_limit_volume = 1;
  i.max_limit_volume = 1'000'000;
  i.max_market_volume = 1'000'000;
  if (i.level_volume == InstrumentConfig{}.level_volume) i.level_volume = 50 * i.lot;
  i.product_id = i.kind;
  i.pre_open_interest = 0;
}

// A JSON object whose keys are checked: reading marks a key used; finish() rejects the rest (typos).
class Section {
 public:
  Section(const Json& value, std::string path) : path_(std::move(path)) {
    object_ = &value.as_object(path_.empty() ? "the configuration" : path_);
  }
  ~Section() = default;
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;

  const Json* get(const char* key) {
    used_.insert(key);
    auto it = object_->find(key);
    return it == object_->end() || it->second.is_null() ? nullptr : &it->second;
  }
  std::string name(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  void read(const char* key, std::string& out) {
    if (const Json* v = get(key)) out = v->as_string(name(key));
  }
  void read(const char* key, double& out) {
    if (const Json* v = get(key)) out = v->as_number(name(key));
  }
  void read(const char* key, int& out) {
    if (const Json* v = get(key)) {
      int64_t n = v->as_int(name(key));
      if (n < INT32_MIN || n > INT32_MAX) throw JsonError(name(key) + " is out of range");
      out = static_cast<int>(n);
    }
  }
  void read(const char* key, int64_t& out) {
    if (const Json* v = get(key)) out = v->as_int(name(key));
  }
  void read(const char* key, uint64_t& out) {
    if (const Json* v = get(key)) {
      int64_t n = v->as_int(name(key));
      if (n < 0) throw JsonError(name(key) + " must not be negative");
      out = static_cast<uint64_t>(n);
    }
  }
  void read(const char* key, bool& out) {
    if (const Json* v = get(key)) out = v->as_bool(name(key));
  }
  void read_char(const char* key, char& out) {
    if (const Json* v = get(key)) {
      const std::string& s = v->as_string(name(key));
      if (s.size() != 1) throw JsonError(name(key) + " must be a one-character CTP code");
      out = s[0];
    }
  }

  void finish() const {
    for (const auto& [key, value] : *object_)
      if (!used_.count(key)) throw JsonError("unknown key " + name(key.c_str()));
  }

 private:
  const Json::Object* object_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

void require(bool ok, const std::string& why) {
  if (!ok) throw JsonError(why);
}

// China's futures exchanges, and the foreign ones TAP's front-end lists (Esunny's ExchangeNo spellings)
const std::set<std::string, std::less<>> known_exchanges = {"SHFE", "INE",   "DCE",   "CZCE", "CFFEX", "GFEX",  // China
                                                            "CME",  "NYMEX", "COMEX", "CBOT", "LME",   "SGX",  "HKEX",
                                                            "ICUS", "ICEU",  "EUREX", "TOCOM"};  // foreign (TAP)
const std::set<std::string, std::less<>> security_kinds = {"stock", "fund", "bond"};

InstrumentConfig read_instrument(const Json& value, const std::string& path) {
  Section s(value, path);
  InstrumentConfig i;
  s.read("id", i.id);
  s.read("exchange", i.exchange);
  s.read("kind", i.kind);
  s.read("lot", i.lot);
  s.read("commission_rate", i.commission_rate);
  const bool tick_given = s.get("price_tick") != nullptr;
  const bool ratio_given = s.get("limit_ratio") != nullptr;
  s.read("pre_close", i.pre_settlement);
  s.read("name", i.name);
  s.read("product_id", i.product_id);
  s.read_char("product_class", i.product_class);
  s.read("multiplier", i.multiplier);
  s.read("price_tick", i.price_tick);
  s.read("price", i.price);
  s.read("pre_settlement", i.pre_settlement);
  s.read("limit_ratio", i.limit_ratio);
  s.read("upper_limit", i.upper_limit);
  s.read("lower_limit", i.lower_limit);
  s.read("long_margin_ratio", i.long_margin_ratio);
  s.read("short_margin_ratio", i.short_margin_ratio);
  s.read("commission_per_lot", i.commission_per_lot);
  s.read("max_limit_volume", i.max_limit_volume);
  s.read("min_limit_volume", i.min_limit_volume);
  s.read("max_market_volume", i.max_market_volume);
  s.read("level_volume", i.level_volume);
  s.read("pre_open_interest", i.pre_open_interest);
  s.read("open_date", i.open_date);
  s.read("expire_date", i.expire_date);
  const bool multiplier_given = s.get("multiplier") != nullptr;
  s.read("underlying", i.underlying);
  s.read("strike", i.strike);
  s.read_char("option_type", i.option_type);
  s.finish();
  require(!i.id.empty() && i.id.size() < 81, path + ".id must be 1-80 characters");
  require(i.kind == "futures" || is_option(i) || security_kinds.count(i.kind) == 1,
          path + ".kind must be futures, stock, fund, bond or option (got \"" + i.kind + "\")");
  if (is_option(i)) {
    require(i.exchange == "SSE" || i.exchange == "SZSE",
            path + ".exchange of an option must be SSE or SZSE (got \"" + i.exchange + "\")");
    require(!i.underlying.empty(), path + ".underlying (the option's underlying security) is required");
    require(i.strike > 0, path + ".strike must be positive");
    require(i.option_type == 'C' || i.option_type == 'P', path + ".option_type must be \"C\" or \"P\"");
    settle_option(i, tick_given, multiplier_given);
  }
  if (is_security(i)) {
    require(ashare::is_exchange(i.exchange),
            path + ".exchange of a security must be one of SSE, SZSE, BSE (got \"" + i.exchange + "\")");
    require(i.price > 0, path + ".price must be positive");
    require(i.lot >= 0 && i.commission_rate >= 0, path + ": lot and commission_rate must not be negative");
    settle_security(i, tick_given, ratio_given);
  }
  require(is_security(i) || is_option(i) || known_exchanges.count(i.exchange) == 1,
          path + ".exchange must be a China futures exchange (SHFE, INE, DCE, CZCE, CFFEX, GFEX) or one of TAP's " +
              "(CME, NYMEX, COMEX, CBOT, LME, SGX, HKEX, ICUS, ICEU, EUREX, TOCOM) (got \"" + i.exchange + "\")");
  require(i.price_tick > 0, path + ".price_tick must be positive");
  require(i.price > 0, path + ".price must be positive");
  require(i.multiplier > 0, path + ".multiplier must be positive");
  require(i.level_volume > 0, path + ".level_volume must be positive");
  require(i.min_limit_volume > 0 && i.max_limit_volume >= i.min_limit_volume,
          path + ": need 0 < min_limit_volume <= max_limit_volume");
  parse_yyyymmdd(i.open_date);
  parse_yyyymmdd(i.expire_date);
  if (i.product_id.empty()) {
    for (char c : i.id)
      if (c < '0' || c > '9')
        i.product_id += c;
      else
        break;
  }
  if (i.name.empty()) i.name = i.id;
  return i;
}

AccountConfig read_account(const Json& value, const std::string& path) {
  Section s(value, path);
  AccountConfig a;
  s.read("broker_id", a.broker_id);
  s.read("user_id", a.user_id);
  s.read("password", a.password);
  s.read("app_id", a.app_id);
  s.read("auth_code", a.auth_code);
  s.read("balance", a.balance);
  s.read("reject_login", a.reject_login);
  s.read("credit", a.credit);
  if (const Json* positions = s.get("positions")) {
    const auto& items = positions->as_array(path + ".positions");
    for (size_t n = 0; n < items.size(); ++n) {
      const std::string ppath = path + ".positions[" + std::to_string(n) + "]";
      Section p(items[n], ppath);
      PositionConfig pos;
      std::string direction = "long";
      p.read("instrument", pos.instrument);
      p.read("direction", direction);
      p.read("yesterday", pos.yesterday);
      p.read("price", pos.price);
      p.finish();
      require(direction == "long" || direction == "short", ppath + ".direction must be \"long\" or \"short\"");
      pos.side = direction == "long" ? PositionSide::long_side : PositionSide::short_side;
      require(pos.yesterday >= 0, ppath + ".yesterday must not be negative");
      a.positions.push_back(pos);
    }
  }
  s.finish();
  require(!a.user_id.empty() && a.user_id.size() < 16, path + ".user_id must be 1-15 characters");
  require(a.broker_id.size() < 11, path + ".broker_id must be at most 10 characters");
  require(a.balance >= 0, path + ".balance must not be negative");
  return a;
}

void read_front(const Json* value, const std::string& path, FrontConfig& front) {
  if (!value) return;
  Section s(*value, path);
  s.read("front_id", front.front_id);
  s.read("connect_delay_ms", front.connect_delay_ms);
  s.read("reconnect_delay_ms", front.reconnect_delay_ms);
  s.read("response_delay_ms", front.response_delay_ms);
  s.read("query_interval_ms", front.query_interval_ms);
  s.finish();
  require(front.connect_delay_ms >= 0 && front.reconnect_delay_ms >= 0 && front.response_delay_ms >= 0 &&
              front.query_interval_ms >= 0,
          path + ": delays must not be negative");
}

FrontKind read_front_kind(const std::string& text, const std::string& path) {
  if (text == "md") return FrontKind::md;
  if (text == "td") return FrontKind::td;
  if (text == "any") return FrontKind::any;
  throw JsonError(path + " must be \"md\", \"td\" or \"any\"");
}

}  // namespace

Config default_config() {
  Config config;
  config.instruments = default_instruments();
  for (InstrumentConfig& security : default_securities()) {
    settle_security(security, false, false);
    config.instruments.push_back(std::move(security));
  }
  for (const char* name : {"VTCORE_SIM_ALWAYS_OPEN", "VTCORE_CTPSIM_ALWAYS_OPEN"}) {
    const char* value = std::getenv(name);
    if (value != nullptr) {
      config.market_data.always_open = std::string_view(value) == "1";
      break;
    }
  }
  return config;
}

Config config_from_json_text(const std::string& text, const std::string& source) {
  Config config = default_config();
  config.source = source;
  const Json root = Json::parse(text);
  Section s(root, "");
  s.read("seed", config.seed);
  s.read("default_balance", config.default_balance);
  s.read("require_authenticate", config.require_authenticate);
  s.read("require_settlement_confirm", config.require_settlement_confirm);
  if (const Json* accounts = s.get("accounts")) {
    const auto& items = accounts->as_array("accounts");
    for (size_t n = 0; n < items.size(); ++n)
      config.accounts.push_back(read_account(items[n], "accounts[" + std::to_string(n) + "]"));
  }
  if (const Json* instruments = s.get("instruments")) {
    config.instruments.clear();
    const auto& items = instruments->as_array("instruments");
    std::set<std::string> seen;
    for (size_t n = 0; n < items.size(); ++n) {
      InstrumentConfig i = read_instrument(items[n], "instruments[" + std::to_string(n) + "]");
      require(seen.insert(i.id).second, "instruments: \"" + i.id + "\" appears twice");
      config.instruments.push_back(std::move(i));
    }
    for (const InstrumentConfig& i : config.instruments) {
      require(!is_option(i) || seen.count(i.underlying) == 1,
              "instruments: the underlying \"" + i.underlying + "\" of option \"" + i.id + "\" is not configured");
    }
  }
  if (const Json* md = s.get("market_data")) {
    Section m(*md, "market_data");
    m.read("rate", config.market_data.rate);
    m.read("count", config.market_data.count);
    m.read("replay", config.market_data.replay);
    m.read("walk", config.market_data.walk);
    m.read("always_open", config.market_data.always_open);
    m.finish();
    require(config.market_data.rate >= 0, "market_data.rate must not be negative");
  }
  if (const Json* clock = s.get("clock")) {
    Section c(*clock, "clock");
    std::string start;
    double step_ms = 500.0;
    c.read("start", start);
    c.read("step_ms", step_ms);
    c.read("trading_day", config.clock.trading_day);
    c.finish();
    if (!start.empty()) {
      config.clock.simulated = true;
      try {
        config.clock.start = parse_local_time(start);
      } catch (const std::invalid_argument& e) {
        throw JsonError(std::string("clock.start: ") + e.what());
      }
    }
    require(step_ms >= 0, "clock.step_ms must not be negative");
    config.clock.step_ns = static_cast<int64_t>(std::llround(step_ms * ns_per_ms));
    if (!config.clock.trading_day.empty()) {
      try {
        parse_yyyymmdd(config.clock.trading_day);
      } catch (const std::invalid_argument&) {
        throw JsonError("clock.trading_day must be YYYYMMDD");
      }
    }
  }
  read_front(s.get("md_front"), "md_front", config.md_front);
  read_front(s.get("td_front"), "td_front", config.td_front);
  if (const Json* faults = s.get("faults")) {
    const auto& items = faults->as_array("faults");
    for (size_t n = 0; n < items.size(); ++n) {
      const std::string path = "faults[" + std::to_string(n) + "]";
      Section f(items[n], path);
      FaultConfig fault;
      std::string front = "any";
      f.read("front", front);
      f.read("action", fault.action);
      f.read("after_events", fault.after_events);
      f.read("at_ms", fault.at_ms);
      f.read("count", fault.count);
      f.read("reconnect_delay_ms", fault.reconnect_delay_ms);
      f.finish();
      fault.front = read_front_kind(front, path + ".front");
      require(fault.action == "disconnect" || fault.action == "reject_login",
              path + ".action must be \"disconnect\" or \"reject_login\"");
      require(fault.action != "disconnect" || fault.after_events >= 0 || fault.at_ms >= 0,
              path + ": a disconnect needs after_events or at_ms");
      config.faults.push_back(fault);
    }
  }
  if (const Json* control = s.get("control")) {
    Section c(*control, "control");
    config.control.enabled = true;
    c.read("enabled", config.control.enabled);
    c.read("port", config.control.port);
    c.read("port_file", config.control.port_file);
    c.finish();
    require(config.control.port >= 0 && config.control.port < 65536, "control.port must be 0-65535");
  }
  s.finish();
  // Positions must name configured instruments.
  for (const auto& account : config.accounts)
    for (const auto& pos : account.positions) {
      bool found = false;
      for (const auto& i : config.instruments) found = found || i.id == pos.instrument;
      require(found, "accounts: position instrument \"" + pos.instrument + "\" is not in instruments");
    }
  return config;
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("vtcore-sim: cannot read the configuration file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return config_from_json_text(text.str(), path);
  } catch (const std::exception& e) {
    throw std::runtime_error("vtcore-sim: bad configuration file " + path + ": " + e.what());
  }
}

}  // namespace vtcore::sim
