// The simulated XTP::API::QuoteApi: Login (synchronous), market-data subscriptions per exchange and a stream of
// OnDepthMarketData (the core's MdSession), static information of every ticker (QueryAllTickers,
// QueryAllTickersFullInfo). The factory XTP::API::QuoteApi::CreateQuoteApi is the library's one export.
#include <string>
#include <vector>

#include "md_stubs.hpp"
#include "xtp_api.hpp"

namespace vtcore::sim::xtp {
namespace {

class QuoteApi final : public SimulatedApi<QuoteApiStubs, XTP::API::QuoteSpi, MdSession> {
 public:
  explicit QuoteApi(std::uint8_t client_id) : SimulatedApi(FrontKind::md, client_id) {}

  int Login(const char* ip, int port, const char* user, const char* password, XTP_PROTOCOL_TYPE, const char*) override {
    if (!connect_front(ip, port)) return -1;
    const LoginRequest login{"", user ? user : "", password ? password : ""};
    const LoginResult result = exchange_->login(FrontKind::md, front_id_, exchange_->next_session_id(), login, false);
    if (result.error != Error::none) {
      fail(error_info(result.error));
      return -1;
    }
    put(trading_day_, result.trading_day);
    logged_in_ = true;
    return 0;
  }

  int Logout() override {
    logged_in_ = false;
    return request([this] { reset_session_state(); });
  }

  int SubscribeMarketData(char* ticker[], int count, XTP_EXCHANGE_TYPE exchange_id) override {
    return subscription(ticker, count, exchange_id, true);
  }
  int UnSubscribeMarketData(char* ticker[], int count, XTP_EXCHANGE_TYPE exchange_id) override {
    return subscription(ticker, count, exchange_id, false);
  }

  int QueryAllTickers(XTP_EXCHANGE_TYPE exchange_id) override {
    return listing(exchange_id, [this](const InstrumentRecord* record, const XTPRI& info, bool last) {
      XTPQSI field{};
      if (record) fill_static_info(field, *record);
      return call([&](XTP::API::QuoteSpi* spi) {
        spi->OnQueryAllTickers(record ? &field : nullptr, const_cast<XTPRI*>(&info), last);
      });
    });
  }

  int QueryAllTickersFullInfo(XTP_EXCHANGE_TYPE exchange_id) override {
    return listing(exchange_id, [this](const InstrumentRecord* record, const XTPRI& info, bool last) {
      XTPQFI field{};
      if (record) fill_full_info(field, *record);
      return call([&](XTP::API::QuoteSpi* spi) {
        spi->OnQueryAllTickersFullInfo(record ? &field : nullptr, const_cast<XTPRI*>(&info), last);
      });
    });
  }

  // UDP tuning has nothing to tune here.
  void SetUDPBufferSize(uint32_t) override {}
  void SetUDPRecvThreadAffinity(int32_t) override {}
  void SetUDPRecvThreadAffinityArray(int32_t[], int32_t) override {}
  void SetUDPParseThreadAffinity(int32_t) override {}
  void SetUDPParseThreadAffinityArray(int32_t[], int32_t) override {}
  void SetUDPSeqLogOutPutFlag(bool) override {}

 protected:
  void deliver_disconnected(int reason) override {
    if (auto* spi = spi_.load()) spi->OnDisconnected(reason);
  }

  bool deliver_tick(const Tick& tick) override {
    XTPMD field{};
    fill_market_data(field, tick);
    int64_t empty[1] = {0};
    return call([&](XTP::API::QuoteSpi* spi) { spi->OnDepthMarketData(&field, empty, 0, 0, empty, 0, 0); });
  }

 private:
  int subscription(char* ticker[], int count, XTP_EXCHANGE_TYPE exchange_id, bool subscribe) {
    const std::string_view exchange = exchange_name(exchange_id);
    if (ticker == nullptr || count <= 0 || exchange.empty() || !logged_in_.load()) {
      fail(error_info(10200300, "Subscribe market data failed: invalid parameters."));
      return -1;
    }
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) names.emplace_back(ticker[i] ? ticker[i] : "");
    return request([this, names = std::move(names), exchange_id, exchange, subscribe] {
      for (size_t i = 0; i < names.size(); ++i) {
        XTPST field{};
        field.exchange_id = exchange_id;
        put(field.ticker, names[i]);
        const auto record = exchange_->instrument(names[i]);
        const bool known = record && record->spec.exchange == exchange;
        XTPRI info = known ? error_info(0, "") : error_info(11200003, "Ticker not found on that exchange.");
        if (known) update_subscription(names[i], subscribe);
        const bool last = i + 1 == names.size();
        const bool alive = call([&](XTP::API::QuoteSpi* spi) {
          if (subscribe)
            spi->OnSubMarketData(&field, &info, last);
          else
            spi->OnUnSubMarketData(&field, &info, last);
        });
        if (!alive) return;
      }
      kick_stream();
    });
  }

  // Every security of an exchange, one callback each (the last flagged); none: one callback without a record.
  template <class Answer>
  int listing(XTP_EXCHANGE_TYPE exchange_id, Answer answer) {
    const std::string_view exchange = exchange_name(exchange_id);
    if (exchange.empty() || !logged_in_.load()) {
      fail(error_info(exchange.empty() ? Error::bad_field : Error::not_logged_in));
      return -1;
    }
    return request([this, exchange = std::string(exchange), answer] {
      auto records = exchange_->instruments("", exchange, "");
      std::erase_if(records, [](const InstrumentRecord& r) { return r.spec.kind == "futures"; });
      const XTPRI ok = error_info(0, "");
      if (records.empty()) {
        answer(nullptr, ok, true);
        return;
      }
      for (size_t n = 0; n < records.size(); ++n)
        if (!answer(&records[n], ok, n + 1 == records.size())) return;
    });
  }
};

}  // namespace
}  // namespace vtcore::sim::xtp

XTP::API::QuoteApi* XTP::API::QuoteApi::CreateQuoteApi(uint8_t client_id, const char*, XTP_LOG_LEVEL) {
  return new vtcore::sim::xtp::QuoteApi(client_id);
}
