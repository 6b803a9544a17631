// The OES trading session (see trading.hpp).
#include "trading.hpp"

#include <cerrno>
#include <chrono>
#include <utility>

#include "vtcore/sdk/spi_base.hpp"

namespace vtcore::oes {

namespace {

constexpr int kWaitMs = 100;        // one WaitReportMsg; queries and stop() are looked at in between
constexpr int kFirstRetryMs = 500;  // after a failed connect, doubling up to kLastRetryMs
constexpr int kLastRetryMs = 30'000;

/// The errno a failed init left (the library sets errno and its own last error).
int last_error(const abi::Functions& fn) noexcept {
  const int error = fn.OesApi_GetLastError();
  return error != 0 ? error : (errno != 0 ? errno : EIO);
}

/// Errors of a channel that are the connection's, not the request's: the channel is gone and must reconnect.
bool connection_lost(int error) noexcept {
  return error != EINVAL && error != EAGAIN && error != ETIMEDOUT && error != ENOENT;
}

/// The struct a report of `msg_id` carries (null for reports the gateway does not read), and its size.
template <typename Push>
void push_report(abi::uint8 msg_id, const abi::OesRptMsgT& message, Push&& push) {
  const abi::OesRptMsgHeadT& head = message.rptHead;
  const abi::OesRptMsgBodyT& body = message.rptBody;
  switch (msg_id) {
    case abi::OESMSG_RPT_ORDER_INSERT:
      push(head, body.ordInsertRsp);
      break;
    case abi::OESMSG_RPT_ORDER_REPORT:
      push(head, body.ordCnfm);
      break;
    case abi::OESMSG_RPT_BUSINESS_REJECT:
      push(head, body.ordRejectRsp);
      break;
    case abi::OESMSG_RPT_TRADE_REPORT:
      push(head, body.trdCnfm);
      break;
    case abi::OESMSG_RPT_CASH_ASSET_VARIATION:
      push(head, body.cashAssetRpt);
      break;
    case abi::OESMSG_RPT_STOCK_HOLDING_VARIATION:
      push(head, body.stkHoldingRpt);
      break;
    default:  // heartbeats, report synchronisation, market state, fund transfers, options, credit: not read
      break;
  }
}

struct QueryContext {
  Producer* producer;
  std::int32_t id;
  std::int32_t kind;
};

}  // namespace

TradingSession::TradingSession(std::shared_ptr<const OesLibrary> library, std::shared_ptr<Producer> producer,
                               TradingConfig config)
    : library_(std::move(library)), fn_(library_->fn), producer_(std::move(producer)), config_(std::move(config)) {
  // Every value is checked (and refused naming its field) before the thread starts, not when it connects.
  remote_config(config_.order, "order channel");
  remote_config(config_.report, "report channel");
  remote_config(config_.query, "query channel");
  last_report_ = config_.last_report;
  reset_session(order_);
  reset_session(report_);
  reset_session(query_channel_);
}

TradingSession::~TradingSession() { stop(0); }

void TradingSession::start() {
  thread_.start([self = shared_from_this()] { self->run(); });
}

void TradingSession::stop(int timeout_ms) { thread_.stop(timeout_ms); }

void TradingSession::reconnect() {
  {
    std::lock_guard guard(thread_.mutex);
    rejected_ = false;
    retry_now_ = true;
  }
  thread_.wake.notify_all();
}

void TradingSession::query(std::int32_t query_id, std::int32_t kind, const std::string& filter) {
  {
    std::lock_guard guard(thread_.mutex);
    queries_.push_back({query_id, kind, filter});
  }
  thread_.wake.notify_all();
}

int TradingSession::send_order(const abi::OesOrdReqT& request) { return send(false, &request); }

int TradingSession::send_cancel(const abi::OesOrdCancelReqT& request) { return send(true, &request); }

int TradingSession::send(bool cancel, const void* request) {
  std::lock_guard guard(order_lock_);
  if (!order_open_ || order_broken_) return -ENOTCONN;
  producer_->expect_answer();  // the report comes through the producer (WaitProfile::answer_spin)
  const int result = cancel ? fn_.OesApi_SendOrderCancelReq(&order_, static_cast<const abi::OesOrdCancelReqT*>(request))
                            : fn_.OesApi_SendOrderReq(&order_, static_cast<const abi::OesOrdReqT*>(request));
  if (result < 0 && connection_lost(-result)) {
    order_broken_ = true;  // the thread reconnects every channel
    thread_.wake.notify_all();
  }
  return result;
}

void TradingSession::fail(std::int32_t channel, std::int32_t state, int error) {
  const char* text = fn_.OesApi_GetErrorMsg(error);
  push_state(*producer_, channel, state, error, 0, text);
}

bool TradingSession::init_failed(std::int32_t channel) {
  const int error = last_error(fn_);
  if (error == EACCES) {  // the login was refused: never retried by itself (a lockout would follow)
    std::lock_guard guard(thread_.mutex);
    rejected_ = true;
  }
  fail(channel, error == EACCES ? kRejected : kFailed, error);
  return false;
}

bool TradingSession::connect_all() {
  if (!config_.customize_ip.empty() || !config_.customize_mac.empty()) {
    fn_.OesApi_SetCustomizedIpAndMac(config_.customize_ip.c_str(), config_.customize_mac.c_str());
  }
  if (!config_.driver_id.empty()) fn_.OesApi_SetCustomizedDriverId(config_.driver_id.c_str());
  // The thread's login, as the API also takes it (vn.py's gateway set both); the remote configs carry it too.
  fn_.OesApi_SetThreadUsername(config_.order.username.c_str());
  fn_.OesApi_SetThreadPassword(config_.order.password.c_str());

  const abi::OesApiRemoteCfgT order_config = remote_config(config_.order, "order channel");
  push_state(*producer_, kOrderChannel, kConnecting, 0, 0, config_.order.uri.c_str());
  abi::int32 last_sequence = 0;
  {
    std::lock_guard guard(order_lock_);
    reset_session(order_);
    order_broken_ = false;
    if (!fn_.OesApi_InitOrdChannel2(&order_, &order_config, &last_sequence)) return init_failed(kOrderChannel);
    order_open_ = true;
  }
  const std::int64_t last_out = static_cast<std::int64_t>(order_.lastOutMsgSeq);
  push_state(*producer_, kOrderChannel, kConnected, 0, last_sequence > last_out ? last_sequence : last_out, "");

  const abi::OesApiRemoteCfgT query_config = remote_config(config_.query, "query channel");
  push_state(*producer_, kQueryChannel, kConnecting, 0, 0, config_.query.uri.c_str());
  reset_session(query_channel_);
  if (!fn_.OesApi_InitQryChannel2(&query_channel_, &query_config)) return init_failed(kQueryChannel);
  query_open_ = true;
  push_state(*producer_, kQueryChannel, kConnected, 0, fn_.OesApi_GetTradingDay(&query_channel_), "");

  const abi::OesApiRemoteCfgT report_config = remote_config(config_.report, "report channel");
  abi::OesApiSubscribeInfoT subscription{};
  subscription.clEnvId = 0;
  subscription.rptTypes = config_.report_types;
  push_state(*producer_, kReportChannel, kConnecting, 0, last_report_, config_.report.uri.c_str());
  reset_session(report_);
  if (!fn_.OesApi_InitRptChannel2(&report_, &report_config, &subscription, last_report_)) {
    return init_failed(kReportChannel);
  }
  report_open_ = true;
  push_state(*producer_, kReportChannel, kConnected, 0, last_report_, "");
  connected_ = true;
  return true;
}

void TradingSession::close_all() {
  connected_ = false;
  {
    std::lock_guard guard(order_lock_);
    if (order_open_) fn_.OesApi_Logout(&order_, 1);
    order_open_ = false;
  }
  if (query_open_) fn_.OesApi_Logout(&query_channel_, 1);
  if (report_open_) fn_.OesApi_Logout(&report_, 1);
  query_open_ = report_open_ = false;
}

void TradingSession::wait_for_retry(int milliseconds) {
  std::unique_lock lock(thread_.mutex);
  thread_.wake.wait_for(lock, std::chrono::milliseconds(milliseconds),
                        [this] { return thread_.stopping || retry_now_ || rejected_; });
  retry_now_ = false;
}

abi::int32 TradingSession::on_report(abi::OesApiSessionInfoT*, abi::SMsgHeadT* head, void* item, void* self) {
  auto& session = *static_cast<TradingSession*>(self);
  const abi::OesRptMsgT& message = static_cast<const abi::OesRspMsgBodyT*>(item)->rptMsg;
  push_report(head->msgId, message, [&](const auto& rpt_head, const auto& body) {
    sdk::push_structs(*session.producer_, kReport + head->msgId, 0, true, &rpt_head, &body);
    if (rpt_head.rptSeqNum > session.last_report_) session.last_report_ = rpt_head.rptSeqNum;
  });
  return 0;
}

abi::int32 TradingSession::on_query_item(abi::OesApiSessionInfoT*, abi::SMsgHeadT*, void* item, abi::OesQryCursorT*,
                                         void* context) {
  const auto& query = *static_cast<QueryContext*>(context);
  auto push = [&](const auto* record) {
    sdk::push_structs(*query.producer, kQueryItem + static_cast<std::uint32_t>(query.kind), query.id, false, record);
  };
  switch (query.kind) {
    case kQueryCash:
      push(static_cast<const abi::OesCashAssetItemT*>(item));
      break;
    case kQueryHolding:
      push(static_cast<const abi::OesStkHoldingItemT*>(item));
      break;
    case kQueryOrder:
      push(static_cast<const abi::OesOrdItemT*>(item));
      break;
    case kQueryTrade:
      push(static_cast<const abi::OesTrdItemT*>(item));
      break;
    case kQueryStock:
      push(static_cast<const abi::OesStockItemT*>(item));
      break;
    default:
      break;
  }
  return 0;
}

void TradingSession::run_queries() {
  for (;;) {
    PendingQuery pending;
    {
      std::lock_guard guard(thread_.mutex);
      if (queries_.empty() || thread_.stopping) return;
      pending = std::move(queries_.front());
      queries_.pop_front();
    }
    QueryContext context{producer_.get(), pending.id, pending.kind};
    const void* filter = pending.filter.empty() ? nullptr : pending.filter.data();
    abi::int32 result = -EINVAL;
    switch (pending.kind) {
      case kQueryCash:
        result = fn_.OesApi_QueryCashAsset(&query_channel_, static_cast<const abi::OesQryCashAssetFilterT*>(filter),
                                           &on_query_item, &context);
        break;
      case kQueryHolding:
        result = fn_.OesApi_QueryStkHolding(&query_channel_, static_cast<const abi::OesQryStkHoldingFilterT*>(filter),
                                            &on_query_item, &context);
        break;
      case kQueryOrder:
        result = fn_.OesApi_QueryOrder(&query_channel_, static_cast<const abi::OesQryOrdFilterT*>(filter),
                                       &on_query_item, &context);
        break;
      case kQueryTrade:
        result = fn_.OesApi_QueryTrade(&query_channel_, static_cast<const abi::OesQryTrdFilterT*>(filter),
                                       &on_query_item, &context);
        break;
      case kQueryStock:
        result = fn_.OesApi_QueryStock(&query_channel_, static_cast<const abi::OesQryStockFilterT*>(filter),
                                       &on_query_item, &context);
        break;
      default:
        break;
    }
    sdk::push_structs(*producer_, kQueryEnd, pending.id, true, &result);
    if (result < 0 && connection_lost(-result)) {
      fail(kQueryChannel, kDisconnected, -result);
      close_all();  // reconnect everything on the next turn
      return;
    }
  }
}

void TradingSession::run() {
  int retry_ms = kFirstRetryMs;
  for (;;) {
    {
      std::unique_lock lock(thread_.mutex);
      if (thread_.stopping) break;
      if (rejected_) {  // a refused login waits for reconnect() (or stop)
        thread_.wake.wait(lock, [this] { return thread_.stopping || !rejected_; });
        continue;
      }
    }
    if (!connected_) {
      if (connect_all()) {
        retry_ms = kFirstRetryMs;
        // The reports the channel resumed with go first: a query the gateway asks on "connected" then answers
        // after them, so a replayed cash or holding variation never overwrites the answer with older values.
        while (fn_.OesApi_WaitReportMsg(&report_, 0, &on_report, this) > 0) {
        }
      } else {
        close_all();
        wait_for_retry(retry_ms);  // returns at once after a refusal: the loop then waits for reconnect()
        retry_ms = retry_ms * 2 > kLastRetryMs ? kLastRetryMs : retry_ms * 2;
        continue;
      }
    }
    run_queries();
    if (!connected_) continue;  // a query found the connection gone
    if (order_broken_) {
      fail(kOrderChannel, kDisconnected, ECONNRESET);
      close_all();
      continue;
    }
    const int result = fn_.OesApi_WaitReportMsg(&report_, kWaitMs, &on_report, this);
    if (result < 0 && -result != ETIMEDOUT && connection_lost(-result)) {
      fail(kReportChannel, kDisconnected, -result);
      close_all();
    }
  }
  close_all();
  push_state(*producer_, kReportChannel, kClosed, 0, last_report_, "");
}

}  // namespace vtcore::oes
