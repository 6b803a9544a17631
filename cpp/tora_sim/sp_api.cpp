// The simulated TORASPAPI::CTORATstpSPTraderApi (TORA's stock-option trader): login, the queries vn.py's and
// vtcore's option gateways make, ReqOrderInsert with open/close offsets, ReqOrderAction and the private flow, on the
// core's exchange; all of it as the stock trader does (trader_session.hpp) but for what is the option trader's own
// below: the configured ETF options on SSE and SZSE only, long and short positions, an account with margin.
// Requests not written here come from the generated SPTraderApiStubs and answer OnRspError ("not implemented"). The
// library's exports are in sp_factory.cpp.
#include <string>

#include "sp_convert.hpp"
#include "td_stubs.hpp"
#include "trader_session.hpp"

namespace vtcore::sim::tora {
namespace {

class SPTraderApi final
    : public TraderSession<SPTraderApiStubs, sp::CTORATstpSPTraderSpi, sp::CTORATstpSPRspInfoField> {
 public:
  SPTraderApi()
      : TraderSession({kSPTraderVersion,
                       sp::TORA_TSTP_SP_UTYPE_Investor,
                       sp::TORA_TSTP_SP_CT_Person,
                       '1' /* normal */,
                       {"SSE", "SZSE"},
                       &sp_market_id}) {}

 protected:
  bool lists(const InstrumentRecord& record) const override { return is_option(record.spec); }
  void describe_security(SecurityField& out, const InstrumentRecord& record, std::string_view day) override {
    const auto underlying = exchange_->instrument(record.spec.underlying);
    fill_sp_security(out, record, underlying ? underlying->pre_settlement : 0, day);
  }
  void describe_account(TradingAccountField& out, const AccountRecord& account) override {
    double short_margin = 0;  // the core's margin also holds the premium of long positions (ratio 1)
    for (const PositionRecord& p : exchange_->positions(account_, "")) {
      if (p.side == PositionSide::short_side) short_margin += p.margin;
    }
    fill_sp_account(out, account, short_margin);
  }
  void describe_position(PositionField& out, const PositionRecord& position, const InstrumentRecord& record) override {
    fill_sp_position(out, position, position.settlement, record.spec.multiplier);
  }
  Error check_order(const InputOrderField& in, OrderRequest& out, std::string& why) override {
    const auto record = exchange_->instrument(field_view(in.SecurityID));
    if (!record || !lists(*record)) return Error::instrument_not_found;  // the option trader trades options only
    return TraderSession::check_order(in, out, why);
  }
  bool is_delete(const InputOrderActionField& in) const override {
    return in.OrderActionFlag == sp::TORA_TSTP_SP_OAF_Delete;
  }
};

}  // namespace

sp::CTORATstpSPTraderApi* create_sp_trader_api(const char* flow_path) {
  (void)flow_path;  // the simulator replays the private flow from the core
  return new SPTraderApi();
}

}  // namespace vtcore::sim::tora
