// The simulated ITapQuoteAPI (libTapQuoteAPI.so): Login (OnRspLogin, OnAPIReady), QryCommodity, QryContract,
// SubscribeQuote (OnRspSubscribeQuote with the quote as it is, then OnRtnQuote from the core's MdSession) and
// UnSubscribeQuote, on the core's exchange. The quote front does not check the password (like the market-data
// fronts of the other front-ends); an unknown contract answers TAPIERROR_SUBSCRIBEQUOTE_NO_RIGHT (72101).
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "TapQuoteAPI.h"
#include "md_stubs.hpp"
#include "tap_session.hpp"
#include "tap_text.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::tap {

ITapQuoteAPI* create_quote_api(const char* version);

namespace {

constexpr int kNoQuoteRight = 72101;  // TAPIERROR_SUBSCRIBEQUOTE_NO_RIGHT
constexpr int kLoginFailed = 10008;   // TAPIERROR_LOGIN_PASS

void fill_commodity(TapAPICommodity& c, const InstrumentConfig& spec) {
  put(c.ExchangeNo, spec.exchange);
  c.CommodityType = TAPI_COMMODITY_TYPE_FUTURES;
  put(c.CommodityNo, spec.product_id);
}

void fill_contract(TapAPIContract& c, const InstrumentConfig& spec) {
  fill_commodity(c.Commodity, spec);
  put(c.ContractNo1, contract_no(spec));
  c.CallOrPutFlag1 = TAPI_CALLPUT_FLAG_NONE;
  c.CallOrPutFlag2 = TAPI_CALLPUT_FLAG_NONE;
}

void fill_whole(TapAPIQuoteWhole& q, const InstrumentConfig& spec, const Tick& t) {
  fill_contract(q.Contract, spec);
  put(q.CurrencyNo, currency_of(spec.exchange));
  q.TradingState = '3';  // continuous trading
  put(q.DateTimeStamp, tap_stamp(t));
  q.QPreClosingPrice = tap_price(t.pre_close);
  q.QPreSettlePrice = tap_price(t.pre_settlement);
  q.QPrePositionQty = static_cast<TAPIQVOLUME>(t.pre_open_interest);
  q.QOpeningPrice = tap_price(t.open);
  q.QLastPrice = tap_price(t.last);
  q.QHighPrice = tap_price(t.high);
  q.QLowPrice = tap_price(t.low);
  q.QLimitUpPrice = tap_price(t.upper_limit);
  q.QLimitDownPrice = tap_price(t.lower_limit);
  q.QTotalQty = static_cast<TAPIQVOLUME>(t.volume);
  q.QTotalTurnover = t.turnover;
  q.QPositionQty = static_cast<TAPIQVOLUME>(t.open_interest);
  q.QAveragePrice = tap_price(t.average);
  q.QClosingPrice = tap_price(t.close);
  q.QSettlePrice = tap_price(t.settlement);
  q.QLastQty = 1;
  for (int level = 0; level < 5; ++level) {
    q.QBidPrice[level] = tap_price(t.bid[level]);
    q.QAskPrice[level] = tap_price(t.ask[level]);
    q.QBidQty[level] = static_cast<TAPIQVOLUME>(t.bid_volume[level]);
    q.QAskQty[level] = static_cast<TAPIQVOLUME>(t.ask_volume[level]);
  }
}

class QuoteApi final : public TapSession<QuoteApiStubs, ITapQuoteAPINotify, TapAPIQuoteLoginAuth, MdSession> {
 public:
  QuoteApi() : TapSession(FrontKind::md) {}

  TAPIINT32 SetAPINotify(ITapQuoteAPINotify* notify) override { return set_notify(notify); }
  TAPIINT32 SetHostAddress(const TAPICHAR* host, TAPIUINT16 port) override { return set_host(host, port); }
  TAPIINT32 Login(const TapAPIQuoteLoginAuth* auth) override { return begin_login(auth); }
  TAPIINT32 Disconnect() override {
    loop_.post([this] {
      logged_in_ = false;
      reset_session_state();
    });
    return 0;
  }

  TAPIINT32 QryCommodity(TAPIUINT32* session) override {
    return session_request(session, [this](unsigned id) {
      std::map<std::string, InstrumentConfig> commodities;  // one per exchange and product
      for (const InstrumentRecord& r : exchange_->instruments("", "", ""))
        commodities.emplace(r.spec.exchange + "|" + r.spec.product_id, r.spec);
      size_t n = 0;
      for (const auto& [key, spec] : commodities) {
        TapAPIQuoteCommodityInfo info{};
        fill_commodity(info.Commodity, spec);
        put(info.CommodityName, gb18030_cached(spec.product_id));
        put(info.CommodityEngName, spec.product_id);
        info.ContractSize = spec.multiplier;
        info.CommodityTickSize = spec.price_tick;
        info.CommodityDenominator = 1;
        info.CommodityContractLen = static_cast<TAPIINT32>(contract_no(spec).size());
        info.IsDST = APIYNFLAG_NO;
        const TAPIYNFLAG last = ++n == commodities.size() ? APIYNFLAG_YES : APIYNFLAG_NO;
        if (!call([&](ITapQuoteAPINotify* notify) { notify->OnRspQryCommodity(id, 0, last, &info); })) return;
      }
      if (commodities.empty())
        call([&](ITapQuoteAPINotify* notify) { notify->OnRspQryCommodity(id, 0, APIYNFLAG_YES, nullptr); });
    });
  }

  TAPIINT32 QryContract(TAPIUINT32* session, const TapAPICommodity* filter) override {
    const TapAPICommodity copy = filter ? *filter : TapAPICommodity{};
    return session_request(session, [this, copy](unsigned id) {
      std::vector<InstrumentConfig> found;
      for (const InstrumentRecord& r :
           exchange_->instruments("", field_view(copy.ExchangeNo), field_view(copy.CommodityNo)))
        found.push_back(r.spec);
      for (size_t n = 0; n < found.size(); ++n) {
        TapAPIQuoteContractInfo info{};
        fill_contract(info.Contract, found[n]);
        info.ContractType = '1';  // trade and quote
        put(info.ContractName, gb18030_cached(found[n].name));
        put(info.ContractExpDate, tap_date(found[n].expire_date));
        put(info.LastTradeDate, tap_date(found[n].expire_date));
        put(info.FirstNoticeDate, tap_date(found[n].expire_date));
        const TAPIYNFLAG last = n + 1 == found.size() ? APIYNFLAG_YES : APIYNFLAG_NO;
        if (!call([&](ITapQuoteAPINotify* notify) { notify->OnRspQryContract(id, 0, last, &info); })) return;
      }
      if (found.empty())
        call([&](ITapQuoteAPINotify* notify) { notify->OnRspQryContract(id, 0, APIYNFLAG_YES, nullptr); });
    });
  }

  TAPIINT32 SubscribeQuote(TAPIUINT32* session, const TapAPIContract* contract) override {
    if (contract == nullptr) return kInputValueError;
    const TapAPIContract copy = *contract;
    return session_request(session, [this, copy](unsigned id) {
      const auto spec = find(copy);
      if (!spec) {
        call([&](ITapQuoteAPINotify* notify) {
          notify->OnRspSubscribeQuote(id, kNoQuoteRight, APIYNFLAG_YES, nullptr);
        });
        return;
      }
      TapAPIQuoteWhole whole{};
      const auto snapshots = exchange_->depth_snapshots(spec->id);
      fill_whole(whole, *spec, snapshots.empty() ? Tick{} : snapshots.front());
      update_subscription(spec->id, true);
      specs_[spec->id] = *spec;
      if (!call([&](ITapQuoteAPINotify* notify) { notify->OnRspSubscribeQuote(id, 0, APIYNFLAG_YES, &whole); })) return;
      kick_stream();
    });
  }

  TAPIINT32 UnSubscribeQuote(TAPIUINT32* session, const TapAPIContract* contract) override {
    if (contract == nullptr) return kInputValueError;
    const TapAPIContract copy = *contract;
    return session_request(session, [this, copy](unsigned id) {
      if (const auto spec = find(copy)) update_subscription(spec->id, false);
      TapAPIContract answer = copy;
      call([&](ITapQuoteAPINotify* notify) { notify->OnRspUnSubscribeQuote(id, 0, APIYNFLAG_YES, &answer); });
    });
  }

 protected:
  int not_implemented(const char*, int) override { return kNotSupported; }
  int not_supported(const char* method) override { return TapSession::not_supported(method); }
  bool deliver_tick(const Tick& tick) override {
    const auto spec = specs_.find(std::string(field_view(tick.instrument)));
    if (spec == specs_.end()) return true;
    fill_whole(whole_, spec->second, tick);
    return call([this](ITapQuoteAPINotify* notify) { notify->OnRtnQuote(&whole_); });
  }

  void run_login() override {
    const TapAPIQuoteLoginAuth auth = login_auth();
    const LoginRequest request{"", std::string(field_view(auth.UserNo)), std::string(field_view(auth.Password))};
    const LoginResult result = exchange_->login(FrontKind::md, front_id_, exchange_->next_session_id(), request, false);
    TapAPIQuotLoginRspInfo info{};
    if (result.error == Error::none) {
      put(info.UserNo, result.user_id);
      put(info.UserName, result.user_id);
      put(info.TradeDate, tap_date(result.trading_day));
      put(info.StartTime, tap_datetime(result.trading_day, result.login_time));
      put(info.InitTime, tap_datetime(result.trading_day, result.login_time));
      put(trading_day_, result.trading_day);
    }
    const int code = result.error == Error::none ? 0 : kLoginFailed;
    if (!call([&](ITapQuoteAPINotify* notify) { notify->OnRspLogin(code, code == 0 ? &info : nullptr); })) return;
    if (code != 0) return;
    logged_in_ = true;
    call([](ITapQuoteAPINotify* notify) { notify->OnAPIReady(); });
  }

 private:
  std::optional<InstrumentConfig> find(const TapAPIContract& c) {
    for (const InstrumentRecord& r :
         exchange_->instruments("", field_view(c.Commodity.ExchangeNo), field_view(c.Commodity.CommodityNo)))
      if (contract_no(r.spec) == field_view(c.ContractNo1)) return r.spec;
    return std::nullopt;
  }

  std::map<std::string, InstrumentConfig> specs_;
  TapAPIQuoteWhole whole_{};
};

}  // namespace

ITapQuoteAPI* create_quote_api(const char* version) {
  Simulator::instance().register_front_end(version);
  return new QuoteApi();
}

void free_quote_api(ITapQuoteAPI* api) {
  if (api != nullptr) static_cast<QuoteApi*>(api)->free_api();
}

}  // namespace vtcore::sim::tap
