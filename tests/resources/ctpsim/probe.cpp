// A command-driven CTP client for the simulator tests. It links to nothing vendor: it dlopen()s the market-data
// and trader libraries by path (RTLD_NOW | RTLD_LOCAL), resolves the factories by their mangled names, and
// subclasses the SPIs from the fetched headers. Commands arrive on stdin, one per line; every callback and
// every return value is printed to stdout as one JSON object per line (non-ASCII bytes as \u00XX, so the
// reader can re-encode them as latin-1 and decode GB18030).
//
//   probe <libthostmduserapi_se.so> <libthosttraderapi_se.so>
#include <dirent.h>
#include <dlfcn.h>
#include <signal.h>

#include <atomic>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ThostFtdcMdApi.h"
#include "ThostFtdcTraderApi.h"

namespace {

std::mutex out_mutex;

class Line {
 public:
  explicit Line(const char* event) { text_ = "{\"ev\":\"" + std::string(event) + "\""; }
  Line& str(const char* key, const char* value, size_t max = 4096) {
    text_ += ",\"" + std::string(key) + "\":\"";
    for (size_t i = 0; i < max && value[i]; ++i) {
      const auto c = static_cast<unsigned char>(value[i]);
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        text_ += buf;
      } else {
        text_ += static_cast<char>(c);
      }
    }
    text_ += '"';
    return *this;
  }
  template <size_t N>
  Line& field(const char* key, const char (&value)[N]) {
    return str(key, value, N);
  }
  Line& chr(const char* key, char value) {
    const char s[2] = {value, 0};
    return str(key, s);
  }
  Line& num(const char* key, double value) {
    char buf[64];
    if (value == DBL_MAX)
      std::snprintf(buf, sizeof buf, "null");
    else
      std::snprintf(buf, sizeof buf, "%.10g", value);
    text_ += ",\"" + std::string(key) + "\":" + buf;
    return *this;
  }
  Line& integer(const char* key, long long value) {
    text_ += ",\"" + std::string(key) + "\":" + std::to_string(value);
    return *this;
  }
  Line& boolean(const char* key, bool value) {
    text_ += ",\"" + std::string(key) + "\":" + (value ? "true" : "false");
    return *this;
  }
  Line& rsp(CThostFtdcRspInfoField* info, int request_id, bool last) {
    if (info)
      integer("ErrorID", info->ErrorID).field("ErrorMsg", info->ErrorMsg);
    else
      boolean("no_rsp_info", true);
    return integer("request_id", request_id).boolean("last", last);
  }
  ~Line() {
    // Seconds on the steady clock when the event was printed, for lower-bound timing checks.
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    char buf[48];
    std::snprintf(buf, sizeof buf, ",\"t\":%.6f", t);
    text_ += buf;
    std::lock_guard lock(out_mutex);
    std::fputs((text_ + "}\n").c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  std::string text_;
};

// Which threads deliver callbacks for one API object (the contract: exactly one, never the caller's).
struct ThreadCheck {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<bool> on_main{false};
  std::thread::id main_id = std::this_thread::get_id();
  std::atomic<int> in_callback{0};
  std::atomic<bool> overlapped{false};
  void enter() {
    if (in_callback.fetch_add(1) != 0) overlapped = true;
    if (std::this_thread::get_id() == main_id) on_main = true;
    std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
  }
  void leave() { in_callback.fetch_sub(1); }
  size_t count() {
    std::lock_guard lock(mutex);
    return threads.size();
  }
};

struct Guard {
  explicit Guard(ThreadCheck& c) : check(c) { check.enter(); }
  ~Guard() { check.leave(); }
  ThreadCheck& check;
};

void print_tick(const CThostFtdcDepthMarketDataField& t) {
  Line("OnRtnDepthMarketData")
      .field("InstrumentID", t.InstrumentID)
      .field("ExchangeID", t.ExchangeID)
      .field("TradingDay", t.TradingDay)
      .field("ActionDay", t.ActionDay)
      .field("UpdateTime", t.UpdateTime)
      .integer("UpdateMillisec", t.UpdateMillisec)
      .num("LastPrice", t.LastPrice)
      .integer("Volume", t.Volume)
      .num("Turnover", t.Turnover)
      .num("UpperLimitPrice", t.UpperLimitPrice)
      .num("LowerLimitPrice", t.LowerLimitPrice)
      .num("BidPrice1", t.BidPrice1)
      .integer("BidVolume1", t.BidVolume1)
      .num("AskPrice1", t.AskPrice1)
      .integer("AskVolume1", t.AskVolume1)
      .num("BidPrice5", t.BidPrice5)
      .integer("BidVolume5", t.BidVolume5)
      .num("AskPrice5", t.AskPrice5)
      .integer("AskVolume5", t.AskVolume5)
      .num("ClosePrice", t.ClosePrice);
}

class MdSpi final : public CThostFtdcMdSpi {
 public:
  ThreadCheck check;
  std::atomic<long long> ticks{0};
  std::atomic<long long> printed_limit{-1};                // -1: print every tick
  std::atomic<CThostFtdcMdApi*> release_on_tick{nullptr};  // Release() from inside the next tick callback

  void OnFrontConnected() override {
    Guard g(check);
    Line("md.OnFrontConnected");
  }
  void OnFrontDisconnected(int reason) override {
    Guard g(check);
    Line("md.OnFrontDisconnected").integer("reason", reason);
  }
  void OnRspUserLogin(CThostFtdcRspUserLoginField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("md.OnRspUserLogin");
    l.rsp(info, id, last);
    if (f) l.field("TradingDay", f->TradingDay).integer("FrontID", f->FrontID).integer("SessionID", f->SessionID);
  }
  void OnRspUserLogout(CThostFtdcUserLogoutField*, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line("md.OnRspUserLogout").rsp(info, id, last);
  }
  void OnRspError(CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line("md.OnRspError").rsp(info, id, last);
  }
  void OnRspSubMarketData(CThostFtdcSpecificInstrumentField* f, CThostFtdcRspInfoField* info, int id,
                          bool last) override {
    Guard g(check);
    Line l("md.OnRspSubMarketData");
    l.rsp(info, id, last);
    if (f) l.field("InstrumentID", f->InstrumentID);
  }
  void OnRspUnSubMarketData(CThostFtdcSpecificInstrumentField* f, CThostFtdcRspInfoField* info, int id,
                            bool last) override {
    Guard g(check);
    Line l("md.OnRspUnSubMarketData");
    l.rsp(info, id, last);
    if (f) l.field("InstrumentID", f->InstrumentID);
  }
  void OnRtnDepthMarketData(CThostFtdcDepthMarketDataField* t) override {
    Guard g(check);
    const long long n = ++ticks;
    const long long limit = printed_limit.load();
    if (limit < 0 || n <= limit) print_tick(*t);
    if (CThostFtdcMdApi* api = release_on_tick.exchange(nullptr)) {
      api->Release();
      Line("md_released_in_callback").str("after_release", t->InstrumentID);  // *t is still readable
    }
  }
};

class TdSpi final : public CThostFtdcTraderSpi {
 public:
  ThreadCheck check;
  std::atomic<long long> orders{0}, trades{0};

  void OnFrontConnected() override {
    Guard g(check);
    Line("td.OnFrontConnected");
  }
  void OnFrontDisconnected(int reason) override {
    Guard g(check);
    Line("td.OnFrontDisconnected").integer("reason", reason);
  }
  void OnRspAuthenticate(CThostFtdcRspAuthenticateField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspAuthenticate");
    l.rsp(info, id, last);
    if (f) l.field("AppID", f->AppID);
  }
  void OnRspUserLogin(CThostFtdcRspUserLoginField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspUserLogin");
    l.rsp(info, id, last);
    if (f)
      l.field("TradingDay", f->TradingDay)
          .integer("FrontID", f->FrontID)
          .integer("SessionID", f->SessionID)
          .field("MaxOrderRef", f->MaxOrderRef)
          .field("UserID", f->UserID);
  }
  void OnRspUserLogout(CThostFtdcUserLogoutField*, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line("td.OnRspUserLogout").rsp(info, id, last);
  }
  void OnRspError(CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line("td.OnRspError").rsp(info, id, last);
  }
  void OnRspQrySettlementInfo(CThostFtdcSettlementInfoField* f, CThostFtdcRspInfoField* info, int id,
                              bool last) override {
    Guard g(check);
    Line l("td.OnRspQrySettlementInfo");
    l.rsp(info, id, last);
    if (f) l.field("Content", f->Content);
  }
  void OnRspSettlementInfoConfirm(CThostFtdcSettlementInfoConfirmField* f, CThostFtdcRspInfoField* info, int id,
                                  bool last) override {
    Guard g(check);
    Line l("td.OnRspSettlementInfoConfirm");
    l.rsp(info, id, last);
    if (f) l.field("ConfirmDate", f->ConfirmDate);
  }
  void OnRspQryInstrument(CThostFtdcInstrumentField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspQryInstrument");
    l.rsp(info, id, last);
    if (f)
      l.field("InstrumentID", f->InstrumentID)
          .field("ExchangeID", f->ExchangeID)
          .field("InstrumentName", f->InstrumentName)
          .chr("ProductClass", f->ProductClass)
          .integer("VolumeMultiple", f->VolumeMultiple)
          .num("PriceTick", f->PriceTick)
          .num("LongMarginRatio", f->LongMarginRatio)
          .field("ProductID", f->ProductID);
  }
  void OnRspQryTradingAccount(CThostFtdcTradingAccountField* f, CThostFtdcRspInfoField* info, int id,
                              bool last) override {
    Guard g(check);
    Line l("td.OnRspQryTradingAccount");
    l.rsp(info, id, last);
    if (f)
      l.field("AccountID", f->AccountID)
          .num("PreBalance", f->PreBalance)
          .num("Balance", f->Balance)
          .num("Available", f->Available)
          .num("CurrMargin", f->CurrMargin)
          .num("FrozenMargin", f->FrozenMargin)
          .num("Commission", f->Commission)
          .num("CloseProfit", f->CloseProfit);
  }
  void OnRspQryInvestorPosition(CThostFtdcInvestorPositionField* f, CThostFtdcRspInfoField* info, int id,
                                bool last) override {
    Guard g(check);
    Line l("td.OnRspQryInvestorPosition");
    l.rsp(info, id, last);
    if (f)
      l.field("InstrumentID", f->InstrumentID)
          .field("ExchangeID", f->ExchangeID)
          .chr("PosiDirection", f->PosiDirection)
          .chr("PositionDate", f->PositionDate)
          .integer("YdPosition", f->YdPosition)
          .integer("Position", f->Position)
          .integer("TodayPosition", f->TodayPosition)
          .integer("LongFrozen", f->LongFrozen)
          .integer("ShortFrozen", f->ShortFrozen)
          .num("UseMargin", f->UseMargin)
          .num("PositionCost", f->PositionCost);
  }
  void OnRspQryOrder(CThostFtdcOrderField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspQryOrder");
    l.rsp(info, id, last);
    if (f) l.field("OrderRef", f->OrderRef).chr("OrderStatus", f->OrderStatus);
  }
  void OnRspQryTrade(CThostFtdcTradeField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspQryTrade");
    l.rsp(info, id, last);
    if (f) l.field("TradeID", f->TradeID).integer("Volume", f->Volume);
  }
  void OnRspOrderInsert(CThostFtdcInputOrderField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspOrderInsert");
    l.rsp(info, id, last);
    if (f) l.field("OrderRef", f->OrderRef).field("InstrumentID", f->InstrumentID);
  }
  void OnErrRtnOrderInsert(CThostFtdcInputOrderField* f, CThostFtdcRspInfoField* info) override {
    Guard g(check);
    Line l("td.OnErrRtnOrderInsert");
    l.rsp(info, 0, true);
    if (f) l.field("OrderRef", f->OrderRef);
  }
  void OnRspOrderAction(CThostFtdcInputOrderActionField* f, CThostFtdcRspInfoField* info, int id, bool last) override {
    Guard g(check);
    Line l("td.OnRspOrderAction");
    l.rsp(info, id, last);
    if (f) l.field("OrderRef", f->OrderRef);
  }
  void OnErrRtnOrderAction(CThostFtdcOrderActionField* f, CThostFtdcRspInfoField* info) override {
    Guard g(check);
    Line l("td.OnErrRtnOrderAction");
    l.rsp(info, 0, true);
    if (f) l.field("OrderRef", f->OrderRef);
  }
  void OnRtnOrder(CThostFtdcOrderField* f) override {
    Guard g(check);
    ++orders;
    Line("td.OnRtnOrder")
        .field("OrderRef", f->OrderRef)
        .integer("FrontID", f->FrontID)
        .integer("SessionID", f->SessionID)
        .field("OrderSysID", f->OrderSysID)
        .field("InstrumentID", f->InstrumentID)
        .field("ExchangeID", f->ExchangeID)
        .chr("OrderStatus", f->OrderStatus)
        .chr("OrderSubmitStatus", f->OrderSubmitStatus)
        .chr("Direction", f->Direction)
        .field("CombOffsetFlag", f->CombOffsetFlag)
        .chr("OrderPriceType", f->OrderPriceType)
        .chr("TimeCondition", f->TimeCondition)
        .chr("VolumeCondition", f->VolumeCondition)
        .num("LimitPrice", f->LimitPrice)
        .integer("VolumeTotalOriginal", f->VolumeTotalOriginal)
        .integer("VolumeTraded", f->VolumeTraded)
        .integer("VolumeTotal", f->VolumeTotal)
        .field("InsertDate", f->InsertDate)
        .field("InsertTime", f->InsertTime)
        .field("TradingDay", f->TradingDay)
        .field("StatusMsg", f->StatusMsg)
        .integer("RequestID", f->RequestID);
  }
  void OnRtnTrade(CThostFtdcTradeField* f) override {
    Guard g(check);
    ++trades;
    Line("td.OnRtnTrade")
        .field("OrderRef", f->OrderRef)
        .field("OrderSysID", f->OrderSysID)
        .field("TradeID", f->TradeID)
        .field("InstrumentID", f->InstrumentID)
        .chr("Direction", f->Direction)
        .chr("OffsetFlag", f->OffsetFlag)
        .num("Price", f->Price)
        .integer("Volume", f->Volume)
        .field("TradeDate", f->TradeDate)
        .field("TradeTime", f->TradeTime)
        .field("TradingDay", f->TradingDay);
  }
};

std::string token_or_empty(const std::string& token) { return token == "-" ? "" : token; }

template <size_t N>
void set(char (&field)[N], const std::string& value) {
  std::snprintf(field, N, "%s", value.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc < 3) {
    std::fprintf(stderr, "usage: probe <md library> <trader library>\n");
    return 2;
  }
  void* md_lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  void* td_lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
  if (!md_lib || !td_lib) {
    std::fprintf(stderr, "dlopen failed: %s\n", dlerror());
    return 3;
  }
  using CreateMd = CThostFtdcMdApi* (*)(const char*, bool, bool, bool);
  using CreateTd = CThostFtdcTraderApi* (*)(const char*, bool);
  using Version = const char* (*)();
  auto create_md = reinterpret_cast<CreateMd>(dlsym(md_lib, "_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbbb"));
  auto create_td = reinterpret_cast<CreateTd>(dlsym(td_lib, "_ZN19CThostFtdcTraderApi19CreateFtdcTraderApiEPKcb"));
  auto md_version = reinterpret_cast<Version>(dlsym(md_lib, "_ZN15CThostFtdcMdApi13GetApiVersionEv"));
  auto td_version = reinterpret_cast<Version>(dlsym(td_lib, "_ZN19CThostFtdcTraderApi13GetApiVersionEv"));
  if (!create_md || !create_td || !md_version || !td_version) {
    std::fprintf(stderr, "dlsym failed\n");
    return 4;
  }

  CThostFtdcMdApi* md = nullptr;
  CThostFtdcTraderApi* td = nullptr;
  // Never destroyed: an API released from inside its own callback ends on a thread nobody can join, so the
  // SPIs must outlive main().
  MdSpi& md_spi = *new MdSpi;
  TdSpi& td_spi = *new TdSpi;
  std::string broker, user;
  int request_id = 0;
  auto ret = [](const std::string& cmd, int value) { Line("ret").str("cmd", cmd.c_str()).integer("value", value); };

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::vector<std::string> a;
    for (std::string t; in >> t;) a.push_back(token_or_empty(t));
    if (cmd.empty()) continue;
    // Printed (and time-stamped) before the command runs: a lower bound for timing checks.
    Line("cmd").str("cmd", cmd.c_str());
    if (cmd == "quit") break;
    if (cmd == "echo") {
      Line("echo").str("text", a.empty() ? "" : a[0].c_str());
    } else if (cmd == "threads") {  // how many threads this process has now
      long long count = 0;
      if (DIR* dir = opendir("/proc/self/task")) {
        while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
        closedir(dir);
      }
      Line("threads").integer("count", count).str("label", a.empty() ? "" : a[0].c_str());
    } else if (cmd == "trading_day") {
      Line("trading_day").str("md", md ? md->GetTradingDay() : "").str("td", td ? td->GetTradingDay() : "");
    } else if (cmd == "version") {
      Line("version").str("md", md_version()).str("td", td_version());
    } else if (cmd == "md_create") {
      md = create_md(a.at(0).c_str(), false, false, true);
      md->RegisterSpi(&md_spi);
      Line("md_created").str("trading_day", md->GetTradingDay());
    } else if (cmd == "md_front") {
      md->RegisterFront(const_cast<char*>(a.at(0).c_str()));
    } else if (cmd == "md_init") {
      md->Init();
    } else if (cmd == "md_login") {
      CThostFtdcReqUserLoginField req{};
      set(req.BrokerID, a.at(0));
      set(req.UserID, a.at(1));
      set(req.Password, a.at(2));
      ret(cmd, md->ReqUserLogin(&req, ++request_id));
    } else if (cmd == "md_logout") {
      CThostFtdcUserLogoutField req{};
      ret(cmd, md->ReqUserLogout(&req, ++request_id));
    } else if (cmd == "md_sub" || cmd == "md_unsub") {
      std::vector<char*> ids;
      for (auto& s : a) ids.push_back(s.data());
      ret(cmd, cmd == "md_sub" ? md->SubscribeMarketData(ids.data(), static_cast<int>(ids.size()))
                               : md->UnSubscribeMarketData(ids.data(), static_cast<int>(ids.size())));
    } else if (cmd == "md_print") {
      md_spi.printed_limit = std::stoll(a.at(0));
    } else if (cmd == "md_stats" || cmd == "td_stats") {
      ThreadCheck& c = cmd == "md_stats" ? md_spi.check : td_spi.check;
      Line(cmd.c_str())
          .integer("ticks", md_spi.ticks.load())
          .integer("threads", static_cast<long long>(c.count()))
          .boolean("on_main", c.on_main.load())
          .boolean("overlapped", c.overlapped.load())
          .integer("orders", td_spi.orders.load())
          .integer("trades", td_spi.trades.load());
    } else if (cmd == "md_wait_ticks") {  // waits (bounded) until the tick count reaches N; prints timing
      const long long target = std::stoll(a.at(0));
      const double timeout = std::stod(a.at(1));
      const auto start = std::chrono::steady_clock::now();
      while (md_spi.ticks.load() < target &&
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < timeout)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      Line("md_waited")
          .integer("ticks", md_spi.ticks.load())
          .num("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    } else if (cmd == "md_release_in_callback") {
      md_spi.release_on_tick = md;
      md = nullptr;
    } else if (cmd == "md_release" || cmd == "md_release_unregistered") {
      if (cmd == "md_release_unregistered") md->RegisterSpi(nullptr);
      const auto start = std::chrono::steady_clock::now();
      md->Release();
      md = nullptr;
      Line("md_released")
          .num("ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    } else if (cmd == "td_create") {
      td = create_td(a.at(0).c_str(), true);
      td->RegisterSpi(&td_spi);
      Line("td_created").str("trading_day", td->GetTradingDay());
    } else if (cmd == "td_front") {
      td->RegisterFront(const_cast<char*>(a.at(0).c_str()));
    } else if (cmd == "td_resume") {
      td->SubscribePrivateTopic(static_cast<THOST_TE_RESUME_TYPE>(std::stoi(a.at(0))));
      td->SubscribePublicTopic(THOST_TERT_QUICK);
    } else if (cmd == "td_init") {
      td->Init();
    } else if (cmd == "td_auth") {
      CThostFtdcReqAuthenticateField req{};
      set(req.BrokerID, a.at(0));
      set(req.UserID, a.at(1));
      set(req.AppID, a.at(2));
      set(req.AuthCode, a.at(3));
      ret(cmd, td->ReqAuthenticate(&req, ++request_id));
    } else if (cmd == "td_login") {
      CThostFtdcReqUserLoginField req{};
      broker = a.at(0);
      user = a.at(1);
      set(req.BrokerID, broker);
      set(req.UserID, user);
      set(req.Password, a.at(2));
      ret(cmd, td->ReqUserLogin(&req, ++request_id));
    } else if (cmd == "td_confirm") {
      CThostFtdcSettlementInfoConfirmField req{};
      set(req.BrokerID, broker);
      set(req.InvestorID, user);
      ret(cmd, td->ReqSettlementInfoConfirm(&req, ++request_id));
    } else if (cmd == "td_qry") {
      const std::string what = a.at(0);
      const std::string instrument = a.size() > 1 ? a[1] : "";
      int r = -99;
      if (what == "instrument") {
        CThostFtdcQryInstrumentField q{};
        set(q.InstrumentID, instrument);
        r = td->ReqQryInstrument(&q, ++request_id);
      } else if (what == "account") {
        CThostFtdcQryTradingAccountField q{};
        r = td->ReqQryTradingAccount(&q, ++request_id);
      } else if (what == "position") {
        CThostFtdcQryInvestorPositionField q{};
        set(q.InstrumentID, instrument);
        r = td->ReqQryInvestorPosition(&q, ++request_id);
      } else if (what == "order") {
        CThostFtdcQryOrderField q{};
        r = td->ReqQryOrder(&q, ++request_id);
      } else if (what == "trade") {
        CThostFtdcQryTradeField q{};
        r = td->ReqQryTrade(&q, ++request_id);
      } else if (what == "settlement") {
        CThostFtdcQrySettlementInfoField q{};
        r = td->ReqQrySettlementInfo(&q, ++request_id);
      } else if (what == "unimplemented") {
        CThostFtdcQryExchangeField q{};
        r = td->ReqQryExchange(&q, ++request_id);
      }
      ret(cmd + "_" + what, r);
    } else if (cmd == "td_order") {
      // td_order <ref> <instrument> <exchange> <direction 0|1> <offset 0|1|3|4> <price> <volume> <limit|market|fak|fok>
      CThostFtdcInputOrderField req{};
      set(req.BrokerID, broker);
      set(req.InvestorID, user);
      set(req.UserID, user);
      set(req.OrderRef, a.at(0));
      set(req.InstrumentID, a.at(1));
      set(req.ExchangeID, a.at(2));
      req.Direction = a.at(3)[0];
      req.CombOffsetFlag[0] = a.at(4)[0];
      req.CombHedgeFlag[0] = THOST_FTDC_HF_Speculation;
      req.LimitPrice = std::stod(a.at(5));
      req.VolumeTotalOriginal = std::stoi(a.at(6));
      const std::string& kind = a.at(7);
      req.OrderPriceType = kind == "market" ? THOST_FTDC_OPT_AnyPrice : THOST_FTDC_OPT_LimitPrice;
      req.TimeCondition = kind == "limit" || kind == "market" ? THOST_FTDC_TC_GFD : THOST_FTDC_TC_IOC;
      if (kind == "market") req.TimeCondition = THOST_FTDC_TC_IOC;
      req.VolumeCondition = kind == "fok" ? THOST_FTDC_VC_CV : THOST_FTDC_VC_AV;
      req.MinVolume = 1;
      req.ContingentCondition = THOST_FTDC_CC_Immediately;
      req.ForceCloseReason = THOST_FTDC_FCC_NotForceClose;
      ret(cmd, td->ReqOrderInsert(&req, ++request_id));
    } else if (cmd == "td_cancel") {
      // td_cancel <front> <session> <ref> <instrument> <exchange>   or   td_cancel sys <exchange> <OrderSysID>
      CThostFtdcInputOrderActionField req{};
      set(req.BrokerID, broker);
      set(req.InvestorID, user);
      set(req.UserID, user);
      req.ActionFlag = THOST_FTDC_AF_Delete;
      if (a.at(0) == "sys") {
        set(req.ExchangeID, a.at(1));
        std::string sys_id = a.at(2);
        for (char& c : sys_id)
          if (c == '_') c = ' ';
        set(req.OrderSysID, sys_id);
      } else {
        req.FrontID = std::stoi(a.at(0));
        req.SessionID = std::stoi(a.at(1));
        set(req.OrderRef, a.at(2));
        set(req.InstrumentID, a.at(3));
        set(req.ExchangeID, a.at(4));
      }
      ret(cmd, td->ReqOrderAction(&req, ++request_id));
    } else if (cmd == "td_release" || cmd == "td_release_unregistered") {
      if (cmd == "td_release_unregistered") td->RegisterSpi(nullptr);
      const auto start = std::chrono::steady_clock::now();
      td->Release();
      td = nullptr;
      Line("td_released")
          .num("ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    } else {
      Line("unknown_command").str("cmd", cmd.c_str());
    }
  }
  if (md) md->Release();
  if (td) td->Release();
  Line("bye");
  return 0;
}
