#include "replay.hpp"

#include <cfloat>
#include <cstddef>
#include <fstream>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "json.hpp"
#include "text.hpp"

namespace ctpsim {
namespace {

enum class Type { text, number, integer };
struct FieldInfo {
  const char* name;
  Type type;
  size_t offset;
  size_t size;
};

#define CTPSIM_TEXT(f) {#f, Type::text, offsetof(CThostFtdcDepthMarketDataField, f), sizeof(CThostFtdcDepthMarketDataField::f)}
#define CTPSIM_NUMBER(f) {#f, Type::number, offsetof(CThostFtdcDepthMarketDataField, f), sizeof(double)}
#define CTPSIM_INTEGER(f) {#f, Type::integer, offsetof(CThostFtdcDepthMarketDataField, f), sizeof(int)}

const FieldInfo fields[] = {
    CTPSIM_TEXT(TradingDay), CTPSIM_TEXT(ExchangeID), CTPSIM_TEXT(UpdateTime), CTPSIM_TEXT(ActionDay),
    CTPSIM_TEXT(InstrumentID), CTPSIM_TEXT(ExchangeInstID),
    CTPSIM_NUMBER(LastPrice), CTPSIM_NUMBER(PreSettlementPrice), CTPSIM_NUMBER(PreClosePrice),
    CTPSIM_NUMBER(PreOpenInterest), CTPSIM_NUMBER(OpenPrice), CTPSIM_NUMBER(HighestPrice), CTPSIM_NUMBER(LowestPrice),
    CTPSIM_NUMBER(Turnover), CTPSIM_NUMBER(OpenInterest), CTPSIM_NUMBER(ClosePrice), CTPSIM_NUMBER(SettlementPrice),
    CTPSIM_NUMBER(UpperLimitPrice), CTPSIM_NUMBER(LowerLimitPrice), CTPSIM_NUMBER(PreDelta), CTPSIM_NUMBER(CurrDelta),
    CTPSIM_NUMBER(BidPrice1), CTPSIM_NUMBER(AskPrice1), CTPSIM_NUMBER(BidPrice2), CTPSIM_NUMBER(AskPrice2),
    CTPSIM_NUMBER(BidPrice3), CTPSIM_NUMBER(AskPrice3), CTPSIM_NUMBER(BidPrice4), CTPSIM_NUMBER(AskPrice4),
    CTPSIM_NUMBER(BidPrice5), CTPSIM_NUMBER(AskPrice5), CTPSIM_NUMBER(AveragePrice), CTPSIM_NUMBER(BandingUpperPrice),
    CTPSIM_NUMBER(BandingLowerPrice),
    CTPSIM_INTEGER(Volume), CTPSIM_INTEGER(UpdateMillisec),
    CTPSIM_INTEGER(BidVolume1), CTPSIM_INTEGER(AskVolume1), CTPSIM_INTEGER(BidVolume2), CTPSIM_INTEGER(AskVolume2),
    CTPSIM_INTEGER(BidVolume3), CTPSIM_INTEGER(AskVolume3), CTPSIM_INTEGER(BidVolume4), CTPSIM_INTEGER(AskVolume4),
    CTPSIM_INTEGER(BidVolume5), CTPSIM_INTEGER(AskVolume5),
};

#undef CTPSIM_TEXT
#undef CTPSIM_NUMBER
#undef CTPSIM_INTEGER

const FieldInfo* find_field(std::string_view name) {
  for (const FieldInfo& f : fields)
    if (name == f.name) return &f;
  return nullptr;
}

CThostFtdcDepthMarketDataField blank_tick() {
  CThostFtdcDepthMarketDataField tick{};
  auto* base = reinterpret_cast<char*>(&tick);
  for (const FieldInfo& f : fields)
    if (f.type == Type::number) *reinterpret_cast<double*>(base + f.offset) = DBL_MAX;
  tick.PreDelta = 0;
  return tick;
}

}  // namespace

std::shared_ptr<const std::vector<CThostFtdcDepthMarketDataField>> load_replay(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("ctpsim: cannot read the replay file " + path);
  auto ticks = std::make_shared<std::vector<CThostFtdcDepthMarketDataField>>();
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + " line " + std::to_string(number);
    try {
      const Json record = Json::parse(line);
      CThostFtdcDepthMarketDataField tick = blank_tick();
      auto* base = reinterpret_cast<char*>(&tick);
      for (const auto& [key, value] : record.as_object("a replay line")) {
        const FieldInfo* f = find_field(key);
        if (!f) throw JsonError("unknown field \"" + key + "\"");
        if (f->type == Type::text) {
          const std::string& text = value.as_string(key);
          if (text.size() >= f->size) throw JsonError(key + " is longer than " + std::to_string(f->size - 1));
          std::memcpy(base + f->offset, text.c_str(), text.size() + 1);
        } else if (f->type == Type::number) {
          *reinterpret_cast<double*>(base + f->offset) = value.as_number(key);
        } else {
          *reinterpret_cast<int*>(base + f->offset) = static_cast<int>(value.as_int(key));
        }
      }
      if (tick.InstrumentID[0] == '\0') throw JsonError("InstrumentID is missing");
      ticks->push_back(tick);
    } catch (const std::exception& e) {
      throw std::runtime_error("ctpsim: bad replay file " + where + ": " + e.what());
    }
  }
  return ticks;
}

}  // namespace ctpsim
