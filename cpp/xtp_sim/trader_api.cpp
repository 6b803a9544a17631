// The simulated XTP::API::TraderApi: Login (synchronous, a session id), InsertOrder / CancelOrder (an id at once,
// the answers on the private flow: OnOrderEvent, OnTradeEvent, OnCancelOrderError), the queries vn.py's and vtcore's
// gateways make (asset, positions, orders, trades, unfinished orders, a credit account's debts and fund figures;
// option information as an empty answer), on the core's exchange. Orders and trades since the start of the day are
// replayed after each login per SubscribePublicTopic (XTP_TERT_RESTART; RESUME and QUICK send only new ones; QUICK when
// not called). The factory XTP::API::TraderApi::CreateTraderApi is the library's one export.
#include <atomic>
#include <future>
#include <string>
#include <vector>

#include "td_stubs.hpp"
#include "xtp_api.hpp"

namespace vtcore::sim::xtp {
namespace {

// Order ids are unique in the process (XTP's are unique per account), counting from a day-like base.
std::atomic<std::uint64_t> last_order_id{10'000'000'000'000ULL};

class TraderApi final : public SimulatedApi<TraderApiStubs, XTP::API::TraderSpi, FrontSession> {
 public:
  explicit TraderApi(std::uint8_t client_id) : SimulatedApi(FrontKind::td, client_id) {}

  uint64_t Login(const char* ip, int port, const char* user, const char* password, XTP_PROTOCOL_TYPE,
                 const char*) override {
    if (!connect_front(ip, port)) return 0;
    const int session = exchange_->next_session_id();
    const LoginRequest login{"", user ? user : "", password ? password : ""};
    const LoginResult result = exchange_->login(FrontKind::td, front_id_, session, login, false);
    if (result.error != Error::none) {
      fail(error_info(result.error));
      return 0;
    }
    exchange_->confirm_settlement(result.account);  // XTP has no settlement confirmation
    const std::uint64_t session_id = kSessionBase + static_cast<std::uint64_t>(session);
    put(trading_day_, result.trading_day);
    // The session's state lives on the API thread; Login returns once it is set up there.
    auto start = [this, account = result.account, session, session_id] {
      account_ = account;
      session_ = session;
      session_id_ = session_id;
      credit_ = exchange_->account_credit(account);
      logged_in_ = true;
      subscribe_private_flow(account_, resume_, [this](const FlowEntry& entry) { deliver_flow(entry); });
    };
    if (loop_.in_loop_thread()) {  // Login from inside a callback (a reconnect from OnDisconnected)
      start();
    } else {
      std::promise<void> ready;
      loop_.post([&ready, &start] {
        start();
        ready.set_value();
      });
      ready.get_future().wait();
    }
    return session_id;
  }

  int Logout(uint64_t session_id) override {
    if (!own(session_id)) return -1;
    logged_in_ = false;
    return request([this] { reset_session_state(); });
  }

  void SubscribePublicTopic(XTP_TE_RESUME_TYPE type) override {
    resume_ = type == XTP_TERT_RESTART ? Resume::restart : Resume::quick;  // XTP has not implemented RESUME
  }
  void SetSoftwareVersion(const char*) override {}
  void SetSoftwareKey(const char*) override {}
  uint8_t GetClientIDByXTPID(uint64_t) override { return client_id_; }
  const char* GetAccountByXTPID(uint64_t) override { return ""; }
  bool IsServerRestart(uint64_t) override { return false; }

  uint64_t InsertOrder(XTPOrderInsertInfo* order, uint64_t session_id) override {
    if (order == nullptr || !own(session_id)) {
      fail(error_info(Error::not_logged_in));
      return 0;
    }
    const std::uint64_t xtp_id = ++last_order_id;
    order->order_xtp_id = xtp_id;
    OrderRequest request;
    std::string why;
    if (!order_request(*order, xtp_id, request, why)) {
      fail(error_info(Error::bad_field, why));
      return 0;
    }
    const XTPOrderInsertInfo copy = *order;
    const int posted = this->request([this, copy, xtp_id, request] {
      const Error error =
          logged_in_ ? exchange_->insert_order(account_, front_id_, session_, request, 0) : Error::not_logged_in;
      if (error == Error::none) return;  // accepted: the order's reports follow on the private flow
      XTPOrderInfo refused{};
      fill_refused(refused, copy, xtp_id);
      XTPRI info = error_info(error);
      call([&](XTP::API::TraderSpi* spi) { spi->OnOrderEvent(&refused, &info, session_id_); });
    });
    if (posted != 0) {
      fail(error_info(Error::not_logged_in));
      return 0;
    }
    return xtp_id;
  }

  uint64_t CancelOrder(const uint64_t order_xtp_id, uint64_t session_id) override {
    if (!own(session_id)) {
      fail(error_info(Error::not_logged_in));
      return 0;
    }
    const std::uint64_t cancel_id = ++last_order_id;
    const int posted = request([this, order_xtp_id, cancel_id] {
      CancelRequest cancel;
      cancel.order_ref = std::to_string(order_xtp_id);
      cancel.any_session = true;
      const Error error = logged_in_ ? exchange_->cancel_order(account_, cancel) : Error::not_logged_in;
      if (error == Error::none) return;  // the order's cancelled report follows on the private flow
      XTPOrderCancelInfo info{cancel_id, order_xtp_id};
      XTPRI rsp = error_info(error);
      call([&](XTP::API::TraderSpi* spi) { spi->OnCancelOrderError(&info, &rsp, session_id_); });
    });
    if (posted != 0) {
      fail(error_info(Error::not_logged_in));
      return 0;
    }
    return cancel_id;
  }

  // ---- queries ----
  int QueryAsset(uint64_t session_id, int request_id) override {
    return query(session_id, [this, request_id] {
      XTPQueryAssetRsp field{};
      fill_asset(field, exchange_->trading_account(account_), credit_);
      XTPRI info = error_info(0, "");
      call([&](XTP::API::TraderSpi* spi) { spi->OnQueryAsset(&field, &info, request_id, true, session_id_); });
    });
  }

  int QueryPosition(const char* ticker, uint64_t session_id, int request_id, XTP_MARKET_TYPE) override {
    const std::string filter = ticker ? ticker : "";
    return query(session_id, [this, filter, request_id] {
      auto positions = exchange_->positions(account_, filter);
      // A short sale is a securities debt on XTP (QueryCreditDebtInfo), not a position.
      std::erase_if(positions, [this](const PositionRecord& p) {
        return !is_security(p.instrument) || p.side != PositionSide::long_side;
      });
      respond(
          positions, request_id,
          [this](XTPQueryStkPositionRsp& field, const PositionRecord& p) {
            const auto record = exchange_->instrument(p.instrument);
            fill_position(field, p, record ? std::string_view(record->spec.name) : std::string_view());
          },
          &XTP::API::TraderSpi::OnQueryPosition, true);
    });
  }

  int QueryOrders(const XTPQueryOrderReq* req, uint64_t session_id, int request_id) override {
    const std::string filter = req ? std::string(field_view(req->ticker)) : "";
    return orders(session_id, request_id, filter, false);
  }
  int QueryUnfinishedOrders(uint64_t session_id, int request_id) override {
    return orders(session_id, request_id, "", true);
  }

  int QueryTrades(XTPQueryTraderReq* req, uint64_t session_id, int request_id) override {
    const std::string filter = req ? std::string(field_view(req->ticker)) : "";
    return query(session_id, [this, filter, request_id] {
      const auto trades = exchange_->trades(account_, filter);
      respond(
          trades, request_id, [](XTPQueryTradeRsp& field, const auto& t) { fill_trade(field, *t); },
          &XTP::API::TraderSpi::OnQueryTrade, false);
    });
  }

  // A credit account's debts and figures, from the day's trades (convert.hpp: debts_of); an account without
  // margin trading answers the debt query once, empty, and the fund query with zeros.
  int QueryCreditDebtInfo(uint64_t session_id, int request_id) override {
    return query(session_id, [this, request_id] {
      const auto debts = credit_ ? debts_of(exchange_->trades(account_, "")) : std::vector<Debt>{};
      respond(
          debts, request_id, [](XTPCrdDebtInfo& field, const Debt& debt) { fill_debt(field, debt); },
          &XTP::API::TraderSpi::OnQueryCreditDebtInfo, true);
    });
  }
  int QueryCreditFundInfo(uint64_t session_id, int request_id) override {
    return query(session_id, [this, request_id] {
      XTPCrdFundInfo field{};
      if (credit_) {
        fill_credit_fund(field, exchange_->trading_account(account_), debts_of(exchange_->trades(account_, "")));
      }
      XTPRI info = error_info(0, "");
      call([&](XTP::API::TraderSpi* spi) { spi->OnQueryCreditFundInfo(&field, &info, request_id, session_id_); });
    });
  }

  // Option details: this simulator lists no options, so the query answers once, empty.
  int QueryOptionAuctionInfo(XTPQueryOptionAuctionInfoReq*, uint64_t session_id, int request_id) override {
    return query(session_id, [this, request_id] {
      XTPRI info = error_info(0, "");
      call([&](XTP::API::TraderSpi* spi) {
        spi->OnQueryOptionAuctionInfo(nullptr, &info, request_id, true, session_id_);
      });
    });
  }
  uint64_t not_supported_id(const char* method) override {
    fail(error_info(Error::not_implemented, method));
    return 0;
  }

 protected:
  void deliver_disconnected(int reason) override {
    if (auto* spi = spi_.load()) spi->OnDisconnected(session_id_, reason);
  }

  void reset_session_state() override {
    logged_in_ = false;
    account_ = -1;
    unsubscribe_private_flow();
  }

 private:
  static constexpr std::uint64_t kSessionBase = 0x7000'0000'0000'0000ULL;

  bool own(std::uint64_t session_id) const { return logged_in_.load() && session_id == session_id_.load(); }

  bool is_security(const std::string& instrument) {
    const auto record = exchange_->instrument(instrument);
    return record && record->spec.kind != "futures";
  }

  // A query of this session: OnError-free refusal (-1 and the last error) when the session is not this one.
  template <class Work>
  int query(std::uint64_t session_id, Work work) {
    if (!own(session_id)) {
      fail(error_info(Error::not_logged_in));
      return -1;
    }
    return request([this, work = std::move(work)] {
      if (logged_in_) work();
    });
  }

  int orders(std::uint64_t session_id, int request_id, std::string filter, bool unfinished) {
    return query(session_id, [this, filter, request_id, unfinished] {
      auto records = exchange_->orders(account_, filter);
      if (unfinished) {
        std::erase_if(records, [](const auto& o) {
          return o->status == OrderStatus::all_traded || o->status == OrderStatus::cancelled;
        });
      }
      respond(
          records, request_id,
          [](XTPQueryOrderRsp& field, const auto& o) {
            XTPRI ignored{};
            fill_order(field, ignored, *o);
          },
          &XTP::API::TraderSpi::OnQueryOrder, false);
    });
  }

  // N records -> N callbacks, the last flagged; none -> one callback (with an empty record when `empty_record`,
  // as XTP answers a position query, else with none).
  template <class Field, class Records, class Fill>
  void respond(const Records& records, int request_id, Fill fill,
               void (XTP::API::TraderSpi::*method)(Field*, XTPRI*, int, bool, uint64_t), bool empty_record) {
    XTPRI info = error_info(0, "");
    if (records.empty()) {
      Field none{};
      call([&](XTP::API::TraderSpi* spi) {
        (spi->*method)(empty_record ? &none : nullptr, &info, request_id, true, session_id_);
      });
      return;
    }
    for (size_t n = 0; n < records.size(); ++n) {
      Field field{};
      fill(field, records[n]);
      const bool last = n + 1 == records.size();
      if (!call([&](XTP::API::TraderSpi* spi) { (spi->*method)(&field, &info, request_id, last, session_id_); }))
        return;
    }
  }

  // One private-flow entry as OnOrderEvent / OnTradeEvent (API thread).
  void deliver_flow(const FlowEntry& entry) {
    if (const auto* order = std::get_if<std::shared_ptr<const Order>>(&entry)) {
      XTPOrderInfo field{};
      XTPRI info{};
      fill_order(field, info, **order);
      call([&](XTP::API::TraderSpi* spi) { spi->OnOrderEvent(&field, &info, session_id_); });
    } else {
      XTPTradeReport field{};
      fill_trade(field, *std::get<std::shared_ptr<const Trade>>(entry));
      call([&](XTP::API::TraderSpi* spi) { spi->OnTradeEvent(&field, session_id_); });
    }
  }

  Resume resume_ = Resume::quick;
  std::atomic<std::uint64_t> session_id_{0};
  // API thread only:
  int account_ = -1;
  int session_ = 0;
  bool credit_ = false;
};

}  // namespace
}  // namespace vtcore::sim::xtp

XTP::API::TraderApi* XTP::API::TraderApi::CreateTraderApi(uint8_t client_id, const char*, XTP_LOG_LEVEL) {
  return new vtcore::sim::xtp::TraderApi(client_id);
}
