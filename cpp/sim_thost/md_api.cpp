// The simulated CThostFtdcMdApi of the Thost family: login, (un)subscribe, and a stream of OnRtnDepthMarketData
// (random walk or replay, from the core's exchange), paced at a rate or as fast as possible, for a number of ticks.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "ThostFtdcMdApi.h"
#include "md_stubs.hpp"
#include "thost_api.hpp"
#include "vtcore/sim/replay.hpp"

namespace vtcore::sim::thost {
namespace {

class MdApi final : public SimulatedApi<MdApiStubs, CThostFtdcMdSpi> {
 public:
  explicit MdApi(std::string flow_path) : SimulatedApi(FrontKind::md, std::move(flow_path)) {}

  // ---- requests ----
  int ReqUserLogin(CThostFtdcReqUserLoginField* req, int request_id) override {
    if (!req) return -1;
    CThostFtdcReqUserLoginField copy = *req;
    return request([this, copy, request_id] {
      const int session = exchange_->next_session_id();
      const LoginRequest login{std::string(field_view(copy.BrokerID)), std::string(field_view(copy.UserID)),
                               std::string(field_view(copy.Password))};
      const LoginResult result = exchange_->login(FrontKind::md, front_id_, session, login, false);
      CThostFtdcRspUserLoginField field{};
      if (result.error == Error::none) {
        logged_in_ = true;
        put(trading_day_, result.trading_day);
        fill_login(field, result, kSystemName);
      }
      CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(result.error);
      call([&](CThostFtdcMdSpi* spi) { spi->OnRspUserLogin(&field, &info, request_id, true); });
    });
  }

  int ReqUserLogout(CThostFtdcUserLogoutField* req, int request_id) override {
    if (!req) return -1;
    CThostFtdcUserLogoutField copy = *req;
    return request([this, copy, request_id]() mutable {
      logged_in_ = false;
      reset_session_state();
      CThostFtdcRspInfoField info = ok_info<CThostFtdcRspInfoField>();
      call([&](CThostFtdcMdSpi* spi) { spi->OnRspUserLogout(&copy, &info, request_id, true); });
    });
  }

#ifdef VTCORE_SIM_THOST_CTP
  int ReqQryMulticastInstrument(CThostFtdcQryMulticastInstrumentField*, int request_id) override {
    return request([this, request_id] {
      call([&](CThostFtdcMdSpi* spi) { spi->OnRspQryMulticastInstrument(nullptr, nullptr, request_id, true); });
    });
  }
#endif

  int SubscribeMarketData(char* ids[], int count) override { return subscription(ids, count, Topic::market, true); }
  int UnSubscribeMarketData(char* ids[], int count) override {
    return subscription(ids, count, Topic::market, false);
  }
  int SubscribeForQuoteRsp(char* ids[], int count) override { return subscription(ids, count, Topic::quote, true); }
  int UnSubscribeForQuoteRsp(char* ids[], int count) override {
    return subscription(ids, count, Topic::quote, false);
  }

  // ---- control ----
  void control_ticks(int64_t count, double rate) override {
    loop_.post([this, count, rate] {
      budget_ = count;
      if (rate >= 0) rate_ = rate;
      pace_start_ = ApiLoop::Clock::now();
      paced_sent_ = 0;
      kick_stream();
    });
  }

 protected:
  void configure(const Config& config) override {
    budget_ = config.market_data.count;
    rate_ = config.market_data.rate;
    if (!config.market_data.replay.empty()) {
      try {
        replay_ = load_replay(config.market_data.replay);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
      }
    }
  }

  void reset_session_state() override {
    subscribed_.clear();
    subscribed_set_.clear();
    stream_scheduled_ = false;
  }

 private:
  enum class Topic { market, quote };

  int subscription(char* ids[], int count, Topic topic, bool subscribe) {
    if (!ids || count <= 0) return -1;
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) names.emplace_back(ids[i] ? ids[i] : "");
    return request([this, names = std::move(names), topic, subscribe] {
      for (size_t i = 0; i < names.size(); ++i) {
        const std::string& name = names[i];
        CThostFtdcSpecificInstrumentField field{};
        put(field.InstrumentID, name);
        const bool last = i + 1 == names.size();
        CThostFtdcRspInfoField info = error_info<CThostFtdcRspInfoField>(logged_in_ ? Error::none : Error::not_logged_in);
        if (logged_in_ && topic == Topic::market) update_subscription(name, subscribe);
        const bool alive = call([&](CThostFtdcMdSpi* spi) {
          if (topic == Topic::market && subscribe) spi->OnRspSubMarketData(&field, &info, 0, last);
          else if (topic == Topic::market) spi->OnRspUnSubMarketData(&field, &info, 0, last);
          else if (subscribe) spi->OnRspSubForQuoteRsp(&field, &info, 0, last);
          else spi->OnRspUnSubForQuoteRsp(&field, &info, 0, last);
        });
        if (!alive) return;
      }
      kick_stream();
    });
  }

  void update_subscription(const std::string& name, bool subscribe) {
    // Like the real front, an unknown instrument subscribes "successfully" and simply never ticks.
    if (subscribe) {
      if (subscribed_set_.insert(name).second) {
        const int index = exchange_->instrument_index(name);
        if (index >= 0) subscribed_.push_back(index);
      }
    } else if (subscribed_set_.erase(name)) {
      const int index = exchange_->instrument_index(name);
      std::erase(subscribed_, index);
      if (next_ >= subscribed_.size()) next_ = 0;
    }
  }

  void kick_stream() {
    if (stream_scheduled_ || budget_ == 0 || !logged_in_) return;
    if (replay_ ? subscribed_set_.empty() : subscribed_.empty()) return;
    stream_scheduled_ = true;
    pace_start_ = ApiLoop::Clock::now();
    paced_sent_ = 0;
    const uint64_t epoch = epoch_.load();
    loop_.post([this, epoch] { stream(epoch); });
  }

  // One slice of the stream; re-posts itself so requests and control commands interleave with a burst.
  void stream(uint64_t epoch) {
    if (!current(epoch) || !stream_scheduled_) return;
    constexpr int64_t slice = 4096;
    int64_t due = slice;
    if (rate_ > 0) {
      const double elapsed = std::chrono::duration<double>(ApiLoop::Clock::now() - pace_start_).count();
      due = std::min<int64_t>(slice, static_cast<int64_t>(elapsed * rate_) + 1 - paced_sent_);
    }
    for (int64_t n = 0; n < due && budget_ != 0; ++n) {
      const Next next = next_tick(tick_);
      if (next == Next::closed) {  // no subscribed exchange trades now (wall clock): look again in a second
        pace_start_ = ApiLoop::Clock::now();
        paced_sent_ = 0;
        loop_.post_after(std::chrono::seconds(1), [this, epoch] { stream(epoch); });
        return;
      }
      if (next == Next::done) {
        stream_scheduled_ = false;
        return;
      }
      CThostFtdcDepthMarketDataField field{};
      fill_tick(field, tick_);
      if (budget_ > 0) --budget_;
      ++paced_sent_;
      ++ticks_sent_;
      if (!call([&field](CThostFtdcMdSpi* spi) { spi->OnRtnDepthMarketData(&field); })) return;
      if (!current(epoch) || !stream_scheduled_) return;
    }
    if (budget_ == 0) {
      stream_scheduled_ = false;
      return;
    }
    if (rate_ > 0) {
      const auto next_due = std::chrono::duration<double>(static_cast<double>(paced_sent_) / rate_);
      const auto wait = pace_start_ + std::chrono::duration_cast<ApiLoop::Clock::duration>(next_due) -
                        ApiLoop::Clock::now();
      loop_.post_after(std::max(wait, ApiLoop::Clock::duration::zero()), [this, epoch] { stream(epoch); });
    } else {
      loop_.post([this, epoch] { stream(epoch); });
    }
  }

  enum class Next { tick, closed, done };

  Next next_tick(Tick& tick) {
    if (replay_) {  // a replay is sent as recorded, trading hours or not
      while (replay_next_ < replay_->size()) {
        tick = (*replay_)[replay_next_++];
        if (subscribed_set_.count(std::string(field_view(tick.instrument)))) {
          exchange_->apply_replayed_tick(tick);
          return Next::tick;
        }
      }
      return Next::done;  // the file is exhausted
    }
    if (subscribed_.empty()) return Next::done;
    // Round robin over the subscribed instruments whose exchange trades now; when none does, the simulated
    // clock skips to the next session and the wall clock is waited for.
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t tried = 0; tried < subscribed_.size(); ++tried) {
        if (next_ >= subscribed_.size()) next_ = 0;
        if (exchange_->next_tick(subscribed_[next_++], tick)) return Next::tick;
      }
      if (!exchange_->skip_closed_hours(subscribed_)) break;
    }
    return Next::closed;
  }

  // API thread only:
  std::vector<int> subscribed_;  // round-robin order of instruments that tick
  std::set<std::string> subscribed_set_;
  size_t next_ = 0;
  bool stream_scheduled_ = false;
  int64_t budget_ = -1;
  double rate_ = 0;
  ApiLoop::Clock::time_point pace_start_{};
  int64_t paced_sent_ = 0;
  std::shared_ptr<const std::vector<Tick>> replay_;
  size_t replay_next_ = 0;
  Tick tick_{};
};

}  // namespace

CThostFtdcMdApi* create_md_api(const char* flow_path, const char* version) {
  Simulator::instance().register_front_end(version);
  const char* prefix = flow_path ? flow_path : "";
  create_flow_files(prefix, {"DialogRsp.con", "QueryRsp.con", "TradingDay.con"});
  return new MdApi(prefix);
}

}  // namespace vtcore::sim::thost
