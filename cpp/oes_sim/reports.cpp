// An account's report flow (see reports.hpp).
#include "reports.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "convert.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::oes {

namespace {

std::mutex registry_mutex;
std::map<std::pair<const Exchange*, int>, std::shared_ptr<ReportLog>> registry;

/// The subscription bit of a report type (OES_SUB_RPT_TYPE_*).
std::int32_t subscription_bit(std::uint8_t msg_type) noexcept {
  switch (msg_type) {
    case abi::OESMSG_RPT_BUSINESS_REJECT:
      return abi::OES_SUB_RPT_TYPE_BUSINESS_REJECT;
    case abi::OESMSG_RPT_ORDER_INSERT:
      return abi::OES_SUB_RPT_TYPE_ORDER_INSERT;
    case abi::OESMSG_RPT_ORDER_REPORT:
      return abi::OES_SUB_RPT_TYPE_ORDER_REPORT;
    case abi::OESMSG_RPT_TRADE_REPORT:
      return abi::OES_SUB_RPT_TYPE_TRADE_REPORT;
    case abi::OESMSG_RPT_CASH_ASSET_VARIATION:
      return abi::OES_SUB_RPT_TYPE_CASH_ASSET_VARIATION;
    case abi::OESMSG_RPT_STOCK_HOLDING_VARIATION:
      return abi::OES_SUB_RPT_TYPE_HOLDING_VARIATION;
    default:
      return 0;
  }
}

/// Hands one report to a channel subscribed to its type (0: the default set, everything).
void offer(Channel& channel, const abi::OesRptMsgT& message) {
  const std::int32_t bit = subscription_bit(message.rptHead.rptMsgType);
  if (channel.report_types != 0 && (channel.report_types & bit) == 0) return;  // numbered, not subscribed
  std::lock_guard guard(channel.mutex);
  channel.reports.push_back({std::chrono::steady_clock::now(), message});
  channel.wake.notify_all();
}

template <typename Item>
bool same(const Item& a, const Item& b) noexcept {
  return std::memcmp(&a, &b, sizeof(Item)) == 0;
}

}  // namespace

std::shared_ptr<ReportLog> ReportLog::of(const std::shared_ptr<Exchange>& exchange, int account) {
  std::lock_guard guard(registry_mutex);
  std::shared_ptr<ReportLog>& log = registry[{exchange.get(), account}];
  if (log && log->exchange_.lock() == exchange) return log;
  // New (or an exchange that used the same address before): what the account holds now is the baseline, and
  // the day's flow so far is numbered first.
  log = std::make_shared<ReportLog>(exchange, account);
  log->baseline(*exchange);
  FlowSubscriber subscriber;
  subscriber.id = exchange->new_subscriber_id();
  subscriber.account = account;
  subscriber.deliver = [log](const FlowEntry& entry) { log->on_flow(entry); };
  exchange->subscribe_flow(std::move(subscriber), Resume::restart, 0);
  return log;
}

void ReportLog::baseline(Exchange& exchange) {
  fill_cash(last_cash_, exchange.trading_account(account_));
  for (const PositionRecord& position : exchange.positions(account_, "")) {
    if (position.side != PositionSide::long_side) continue;
    fill_holding(last_holdings_[position.instrument], position);
  }
}

void ReportLog::on_flow(const FlowEntry& entry) {
  abi::OesRptMsgT message{};
  std::string instrument;
  std::lock_guard guard(mutex_);
  if (const auto* order = std::get_if<std::shared_ptr<const Order>>(&entry)) {
    orders_[(*order)->order_ref] = *order;
    instrument = (*order)->instrument;
    message.rptHead.rptMsgType = fill_order(message.rptBody.ordCnfm, **order);
    message.rptHead.bodyLength = sizeof(abi::OesOrdCnfmT);
    message.rptHead.ordRejReason = message.rptBody.ordCnfm.ordRejReason;
    const auto status = message.rptBody.ordCnfm.ordStatus;
    message.rptHead.execType =
        status == abi::OES_ORD_STATUS_NEW                ? abi::OES_EXECTYPE_INSERT
        : status == abi::OES_ORD_STATUS_DECLARED         ? abi::OES_EXECTYPE_CONFIRMED
        : status == abi::OES_ORD_STATUS_INVALID_EXCHANGE ? abi::OES_EXECTYPE_REJECT
        : status == abi::OES_ORD_STATUS_CANCELED || status == abi::OES_ORD_STATUS_PARTIALLY_CANCELED
            ? abi::OES_EXECTYPE_CANCELLED
            : abi::OES_EXECTYPE_TRADE;
  } else {
    const Trade& trade = *std::get<std::shared_ptr<const Trade>>(entry);
    instrument = trade.instrument;
    const auto found = orders_.find(trade.order_ref);
    fill_trade(message.rptBody.trdCnfm, trade, found == orders_.end() ? nullptr : found->second.get());
    message.rptHead.rptMsgType = abi::OESMSG_RPT_TRADE_REPORT;
    message.rptHead.execType = abi::OES_EXECTYPE_TRADE;
    message.rptHead.bodyLength = sizeof(abi::OesTrdCnfmT);
  }
  // A new order freezes cash (a buy) or shares (a sell), an end releases what is left, a fill moves both:
  // settle() compares and reports what actually changed.
  cash_due_ = true;
  holdings_due_.insert(instrument);
  append_locked(message);
}

void ReportLog::append(abi::OesRptMsgT message) {
  std::lock_guard guard(mutex_);
  append_locked(message);
}

void ReportLog::append_locked(abi::OesRptMsgT& message) {
  message.rptHead.rptSeqNum = static_cast<abi::int64>(reports_.size()) + 1;
  reports_.push_back(message);
  for (Channel* channel : channels_) offer(*channel, message);
}

void ReportLog::attach(Channel& channel, std::int64_t after) {
  std::lock_guard guard(mutex_);
  const auto size = static_cast<std::int64_t>(reports_.size());
  for (std::int64_t i = after < 0 ? size : std::min(after, size); i < size; ++i)
    offer(channel, reports_[static_cast<std::size_t>(i)]);
  channels_.insert(&channel);
}

void ReportLog::detach(Channel& channel) {
  std::lock_guard guard(mutex_);
  channels_.erase(&channel);
}

void ReportLog::saw_request(int env, std::int32_t cl_seq_no) {
  std::lock_guard guard(mutex_);
  std::int32_t& last = last_requests_[env];
  last = std::max(last, cl_seq_no);
}

std::int32_t ReportLog::last_request(int env) {
  std::lock_guard guard(mutex_);
  const auto found = last_requests_.find(env);
  return found == last_requests_.end() ? 0 : found->second;
}

void ReportLog::settle() {
  const std::shared_ptr<Exchange> exchange = exchange_.lock();
  if (!exchange) return;
  std::lock_guard settling(settling_);
  bool cash = false;
  std::set<std::string> holdings;
  {
    std::lock_guard guard(mutex_);
    std::swap(cash, cash_due_);
    holdings.swap(holdings_due_);
  }
  if (!cash && holdings.empty()) return;
  std::vector<abi::OesRptMsgT> variations;
  auto variation = [&variations](std::uint8_t type, std::int16_t length) -> abi::OesRptMsgBodyT& {
    abi::OesRptMsgT& message = variations.emplace_back();
    message = abi::OesRptMsgT{};
    message.rptHead.rptMsgType = type;
    message.rptHead.bodyLength = length;
    return message.rptBody;
  };
  // read under the exchange's lock (its own calls), compared and appended under ours
  abi::OesCashAssetItemT now_cash{};
  if (cash) fill_cash(now_cash, exchange->trading_account(account_));
  std::map<std::string, abi::OesStkHoldingItemT> now_holdings;
  for (const std::string& instrument : holdings) {
    abi::OesStkHoldingItemT& item = now_holdings[instrument];
    item = abi::OesStkHoldingItemT{};
    for (const PositionRecord& position : exchange->positions(account_, instrument)) {
      if (position.side == PositionSide::long_side && position.instrument == instrument) fill_holding(item, position);
    }
    if (item.mktId == 0) {  // nothing held (any more): the holding as a zero one of its market
      put(item.securityId, instrument);
      if (const auto record = exchange->instrument(instrument)) item.mktId = market_id(record->spec.exchange);
      item.securityType = abi::OES_SECURITY_TYPE_STOCK;
      item.productType = abi::OES_PRODUCT_TYPE_EQUITY;
    }
  }
  std::lock_guard guard(mutex_);
  if (cash && !same(now_cash, last_cash_)) {
    last_cash_ = now_cash;
    variation(abi::OESMSG_RPT_CASH_ASSET_VARIATION, sizeof(abi::OesCashAssetReportT)).cashAssetRpt = now_cash;
  }
  for (const auto& [instrument, item] : now_holdings) {
    const auto last = last_holdings_.find(instrument);
    if (last != last_holdings_.end() ? same(item, last->second) : item.sumHld == 0) continue;
    last_holdings_[instrument] = item;
    variation(abi::OESMSG_RPT_STOCK_HOLDING_VARIATION, sizeof(abi::OesStkHoldingReportT)).stkHoldingRpt = item;
  }
  for (abi::OesRptMsgT& message : variations) append_locked(message);
}

}  // namespace vtcore::sim::oes
