#include "vtcore/sim/replay.hpp"

#include <cstddef>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "vtcore/sim/json.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim {
namespace {

enum class Type { text, number, integer, integer64, ignored };
struct FieldInfo {
  const char* name;
  Type type;
  size_t offset;
  size_t size;
};

#define SIM_TEXT(key, f) \
  { key, Type::text, offsetof(Tick, f), sizeof(Tick::f) }
#define SIM_NUMBER(key, f) \
  { key, Type::number, offsetof(Tick, f), sizeof(double) }
#define SIM_INTEGER(key, f) \
  { key, Type::integer, offsetof(Tick, f), sizeof(int) }
#define SIM_IGNORED(key) \
  { key, Type::ignored, 0, 0 }
#define SIM_INTEGER64(key, f) \
  { key, Type::integer64, offsetof(Tick, f), sizeof(long long) }

const FieldInfo fields[] = {
    SIM_TEXT("TradingDay", trading_day),
    SIM_TEXT("ExchangeID", exchange),
    SIM_TEXT("UpdateTime", update_time),
    SIM_TEXT("ActionDay", action_day),
    SIM_TEXT("InstrumentID", instrument),
    SIM_IGNORED("ExchangeInstID"),
    SIM_NUMBER("LastPrice", last),
    SIM_NUMBER("PreSettlementPrice", pre_settlement),
    SIM_NUMBER("PreClosePrice", pre_close),
    SIM_NUMBER("PreOpenInterest", pre_open_interest),
    SIM_NUMBER("OpenPrice", open),
    SIM_NUMBER("HighestPrice", high),
    SIM_NUMBER("LowestPrice", low),
    SIM_NUMBER("Turnover", turnover),
    SIM_NUMBER("OpenInterest", open_interest),
    SIM_NUMBER("ClosePrice", close),
    SIM_NUMBER("SettlementPrice", settlement),
    SIM_NUMBER("UpperLimitPrice", upper_limit),
    SIM_NUMBER("LowerLimitPrice", lower_limit),
    SIM_IGNORED("PreDelta"),
    SIM_IGNORED("CurrDelta"),
    SIM_NUMBER("BidPrice1", bid[0]),
    SIM_NUMBER("AskPrice1", ask[0]),
    SIM_NUMBER("BidPrice2", bid[1]),
    SIM_NUMBER("AskPrice2", ask[1]),
    SIM_NUMBER("BidPrice3", bid[2]),
    SIM_NUMBER("AskPrice3", ask[2]),
    SIM_NUMBER("BidPrice4", bid[3]),
    SIM_NUMBER("AskPrice4", ask[3]),
    SIM_NUMBER("BidPrice5", bid[4]),
    SIM_NUMBER("AskPrice5", ask[4]),
    SIM_NUMBER("AveragePrice", average),
    SIM_IGNORED("BandingUpperPrice"),
    SIM_IGNORED("BandingLowerPrice"),
    SIM_INTEGER("UpdateMillisec", update_millisec),
    SIM_INTEGER64("Volume", volume),
    SIM_INTEGER("BidVolume1", bid_volume[0]),
    SIM_INTEGER("AskVolume1", ask_volume[0]),
    SIM_INTEGER("BidVolume2", bid_volume[1]),
    SIM_INTEGER("AskVolume2", ask_volume[1]),
    SIM_INTEGER("BidVolume3", bid_volume[2]),
    SIM_INTEGER("AskVolume3", ask_volume[2]),
    SIM_INTEGER("BidVolume4", bid_volume[3]),
    SIM_INTEGER("AskVolume4", ask_volume[3]),
    SIM_INTEGER("BidVolume5", bid_volume[4]),
    SIM_INTEGER("AskVolume5", ask_volume[4]),
};

#undef SIM_TEXT
#undef SIM_NUMBER
#undef SIM_INTEGER
#undef SIM_IGNORED
#undef SIM_INTEGER64

const FieldInfo* find_field(std::string_view name) {
  for (const FieldInfo& f : fields)
    if (name == f.name) return &f;
  return nullptr;
}

Tick blank_tick() {
  Tick tick{};
  auto* base = reinterpret_cast<char*>(&tick);
  for (const FieldInfo& f : fields)
    if (f.type == Type::number) *reinterpret_cast<double*>(base + f.offset) = kNoPrice;
  return tick;
}

}  // namespace

std::shared_ptr<const std::vector<Tick>> load_replay(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("vtcore-sim: cannot read the replay file " + path);
  auto ticks = std::make_shared<std::vector<Tick>>();
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + " line " + std::to_string(number);
    try {
      const Json record = Json::parse(line);
      Tick tick = blank_tick();
      auto* base = reinterpret_cast<char*>(&tick);
      for (const auto& [key, value] : record.as_object("a replay line")) {
        const FieldInfo* f = find_field(key);
        if (!f) throw JsonError("unknown field \"" + key + "\"");
        if (f->type == Type::ignored) {
          continue;
        } else if (f->type == Type::text) {
          const std::string& text = value.as_string(key);
          if (text.size() >= f->size) throw JsonError(key + " is longer than " + std::to_string(f->size - 1));
          std::memcpy(base + f->offset, text.c_str(), text.size() + 1);
        } else if (f->type == Type::number) {
          *reinterpret_cast<double*>(base + f->offset) = value.as_number(key);
        } else if (f->type == Type::integer64) {
          *reinterpret_cast<long long*>(base + f->offset) = value.as_int(key);
        } else {
          *reinterpret_cast<int*>(base + f->offset) = static_cast<int>(value.as_int(key));
        }
      }
      if (tick.instrument[0] == '\0') throw JsonError("InstrumentID is missing");
      ticks->push_back(tick);
    } catch (const std::exception& e) {
      throw std::runtime_error("vtcore-sim: bad replay file " + where + ": " + e.what());
    }
  }
  return ticks;
}

}  // namespace vtcore::sim
