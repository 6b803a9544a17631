// The simulated TORASTOCKAPI::CTORATstpTraderApi: login (by user id or fund account), the queries vn.py's and
// vtcore's gateways make (securities, investor, shareholder accounts, trading account, positions, orders, trades),
// ReqOrderInsert / ReqOrderAction and the private flow (OnRtnOrder, OnRtnTrade), on the core's exchange; all of it
// as the stock-option trader does (trader_session.hpp) but for what is the stock trader's own below: stocks, funds
// and bonds on SSE, SZSE and BSE, long positions only, a cash or credit account. Requests not written here come
// from the generated TraderApiStubs and answer OnRspError ("not implemented"). The library's exports are in
// td_factory.cpp.
#include <string>

#include "td_stubs.hpp"
#include "trader_session.hpp"

namespace vtcore::sim::tora {
namespace {

class TraderApi final : public TraderSession<TraderApiStubs, td::CTORATstpTraderSpi, td::CTORATstpRspInfoField> {
 public:
  TraderApi()
      : TraderSession({kTraderVersion,
                       td::TORA_TSTP_UTYPE_Investor,
                       td::TORA_TSTP_CT_Person,
                       td::TORA_TSTP_SIDT_Normal,
                       {"SSE", "SZSE", "BSE"},
                       &market_id}) {}

  void RegisterFensUserInfo(td::CTORATstpFensUserInfoField*) override {}

 protected:
  void on_login(const LoginResult& result) override {
    credit_ = exchange_->account_credit(account_);
    put(trading_day_, result.trading_day);
  }
  bool lists(const InstrumentRecord& record) const override {
    return record.spec.kind != "futures" && !is_option(record.spec);
  }
  bool lists_position(const InstrumentRecord& record, const PositionRecord& position) const override {
    return lists(record) && position.side == PositionSide::long_side;
  }
  void describe_security(SecurityField& out, const InstrumentRecord& record, std::string_view day) override {
    fill_security(out, record, day);
  }
  void describe_account(TradingAccountField& out, const AccountRecord& account) override {
    fill_account(out, account, credit_);
  }
  void describe_position(PositionField& out, const PositionRecord& position, const InstrumentRecord& record) override {
    fill_position(out, position, record.spec.name);
  }
  bool is_delete(const InputOrderActionField& in) const override { return in.ActionFlag == td::TORA_TSTP_AF_Delete; }

 private:
  bool credit_ = false;  // API thread only
};

}  // namespace

td::CTORATstpTraderApi* create_trader_api(const char* flow_path) {
  (void)flow_path;  // TORA keeps its flow files in the folder; the simulator replays from the core instead
  return new TraderApi();
}

}  // namespace vtcore::sim::tora
