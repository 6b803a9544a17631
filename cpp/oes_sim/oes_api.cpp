// The simulated OesApi_* functions (OES 0.17.5.8's synchronous C API) on the core's exchange: the order channel
// (orders and cancels; a refusal comes back as a business-reject report, as on the real counter), the report
// channel (the account's report log, reports.hpp: ORDER_INSERT / ORDER_REPORT / TRADE_REPORT, BUSINESS_REJECT,
// CASH_ASSET_VARIATION / STOCK_HOLDING_VARIATION, numbered by rptSeqNum and resumed after lastRptSeqNum), the
// query channel (cash, holdings, orders, trades, stock information), and the version functions the binding
// checks first.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "channel.hpp"
#include "convert.hpp"
#include "reports.hpp"
#include "vtcore/sim/text.hpp"

#define OES_EXPORT extern "C" __attribute__((visibility("default")))

namespace abi = vtcore::oes::abi;
namespace sim = vtcore::sim;
using sim::oes::Channel;
using sim::oes::ChannelKind;

namespace {

/// HHMMSSsss now, China time.
std::int32_t now_time(const sim::Exchange& exchange) {
  const std::int64_t ms = exchange.now() / 1'000'000 % 86'400'000;
  return static_cast<std::int32_t>((ms / 3'600'000 * 10'000 + ms / 60'000 % 60 * 100 + ms / 1000 % 60) * 1000 +
                                   ms % 1000);
}

std::int32_t today(const sim::Exchange& exchange) { return sim::oes::date_number(exchange.trading_day()); }

/// The session ids the core keys order references by: one per client environment (clSeqNo is unique per env).
int env_session(int env) { return 1000 + env; }

void register_front_end() {
  static const bool once = [] {
    sim::Simulator::instance().register_front_end(sim::oes::kApiVersion);
    return true;
  }();
  (void)once;
}

/// Calls a query callback per record; the count, or the callback's negative answer.
template <typename Item, typename Records, typename Fill>
abi::int32 answer(abi::OesApiSessionInfoT* session, const Records& records, Fill fill,
                  abi::F_OESAPI_ON_QRY_MSG_T callback, void* params) {
  abi::int32 count = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    Item item{};
    fill(item, records[i]);
    abi::SMsgHeadT head{};
    head.msgFlag = 0x50;
    head.msgSize = sizeof(Item);
    abi::OesQryCursorT cursor{};
    cursor.seqNo = static_cast<abi::int32>(i + 1);
    cursor.isEnd = i + 1 == records.size();
    if (callback != nullptr) {
      const abi::int32 result = callback(session, &head, &item, &cursor, params);
      if (result < 0) return result;
    }
    ++count;
  }
  return count;
}

Channel* query_channel(abi::OesApiSessionInfoT* session) {
  Channel* channel = sim::oes::channel_of(session, ChannelKind::query);
  if (channel == nullptr) sim::oes::set_error(EINVAL);
  return channel != nullptr && sim::oes::broken(*channel) ? nullptr : channel;
}

bool is_security(const sim::InstrumentRecord& record) { return record.spec.kind != "futures"; }

}  // namespace

// ---- version (asked before anything else) ----

OES_EXPORT const char* OesApi_GetApiVersion() { return sim::oes::kApiVersion; }
OES_EXPORT abi::BOOL __OesApi_IsApiVersionMatched__1001705081() { return 1; }
OES_EXPORT abi::int32 OesApi_GetLastError() { return sim::oes::last_error(); }
OES_EXPORT const char* OesApi_GetErrorMsg(abi::int32 code) {
  const char* text = sim::oes::error_message(code);
  return text != nullptr ? text : sim::oes::error_text(code);
}

// ---- logon settings ----

OES_EXPORT void OesApi_SetThreadUsername(const char* username) { sim::oes::set_thread_login(username, nullptr); }
OES_EXPORT void OesApi_SetThreadPassword(const char* password) { sim::oes::set_thread_login(nullptr, password); }
OES_EXPORT abi::BOOL OesApi_SetCustomizedIpAndMac(const char*, const char*) { return 1; }
OES_EXPORT abi::BOOL OesApi_SetCustomizedDriverId(const char*) { return 1; }

// ---- channels ----

OES_EXPORT abi::BOOL OesApi_InitOrdChannel2(abi::OesApiSessionInfoT* session, const abi::OesApiRemoteCfgT* config,
                                            abi::int32* last_cl_seq_no) {
  register_front_end();
  Channel* channel = sim::oes::open_channel(session, config, ChannelKind::order);
  if (channel == nullptr) return 0;
  channel->log = sim::oes::ReportLog::of(channel->exchange, channel->account);
  abi::int32 last = 0;  // the highest clSeqNo this environment used today
  for (const auto& order : channel->exchange->orders(channel->account, "")) {
    if (order->session_id == env_session(channel->env))
      last = std::max(last, static_cast<abi::int32>(std::atol(order->order_ref.c_str())));
  }
  last = std::max(last, channel->log->last_request(channel->env));
  session->lastOutMsgSeq = static_cast<abi::uint64>(last);
  if (last_cl_seq_no != nullptr) *last_cl_seq_no = last;
  return 1;
}

OES_EXPORT abi::BOOL OesApi_InitRptChannel2(abi::OesApiSessionInfoT* session, const abi::OesApiRemoteCfgT* config,
                                            const abi::OesApiSubscribeInfoT* subscription, abi::int64 last_seq) {
  register_front_end();
  Channel* channel = sim::oes::open_channel(session, config, ChannelKind::report);
  if (channel == nullptr) return 0;
  channel->report_types = subscription != nullptr ? subscription->rptTypes : 0;
  channel->log = sim::oes::ReportLog::of(channel->exchange, channel->account);
  channel->log->settle();  // what changed while no channel read the log is reported before the replay
  // lastRptSeqNum: 0 replays the day, n resumes after the n-th report, < 0 sends only new ones
  channel->log->attach(*channel, last_seq);
  session->lastInMsgSeq = static_cast<abi::uint64>(std::max<abi::int64>(last_seq, 0));
  return 1;
}

OES_EXPORT abi::BOOL OesApi_InitQryChannel2(abi::OesApiSessionInfoT* session, const abi::OesApiRemoteCfgT* config) {
  register_front_end();
  return sim::oes::open_channel(session, config, ChannelKind::query) != nullptr ? 1 : 0;
}

OES_EXPORT abi::BOOL OesApi_Logout(abi::OesApiSessionInfoT* session, abi::BOOL) {
  sim::oes::close_channel(session);
  return 1;
}

// ---- orders ----

OES_EXPORT abi::int32 OesApi_SendOrderReq(abi::OesApiSessionInfoT* session, const abi::OesOrdReqT* request) {
  Channel* channel = sim::oes::channel_of(session, ChannelKind::order);
  if (channel == nullptr || request == nullptr) return -EINVAL;
  if (sim::oes::broken(*channel)) return -ECONNRESET;
  sim::Exchange& exchange = *channel->exchange;
  ++session->lastOutMsgSeq;
  channel->log->saw_request(channel->env, request->clSeqNo);
  sim::OrderRequest order;
  abi::int32 code = sim::oes::order_request(*request, order);
  if (code == 0) {
    code = sim::oes::error_code(exchange.insert_order(channel->account, 1, env_session(channel->env), order, 0));
  }
  if (code != 0) {  // refused before the exchange: a business reject on the report channel
    abi::OesRptMsgT reject;
    sim::oes::fill_reject(reject, *request, code, today(exchange), now_time(exchange));
    reject.rptBody.ordRejectRsp.clEnvId = static_cast<abi::int8>(channel->env);
    channel->log->append(reject);  // numbered on the account's report flow: a resumed channel sees it
  }
  channel->log->settle();  // the order's freeze
  return 0;
}

OES_EXPORT abi::int32 OesApi_SendOrderCancelReq(abi::OesApiSessionInfoT* session,
                                                const abi::OesOrdCancelReqT* request) {
  Channel* channel = sim::oes::channel_of(session, ChannelKind::order);
  if (channel == nullptr || request == nullptr) return -EINVAL;
  if (sim::oes::broken(*channel)) return -ECONNRESET;
  sim::Exchange& exchange = *channel->exchange;
  ++session->lastOutMsgSeq;
  channel->log->saw_request(channel->env, request->clSeqNo);
  sim::CancelRequest cancel;
  cancel.order_ref = std::to_string(request->origClSeqNo);
  cancel.exchange = std::string(sim::oes::exchange_of_market(request->mktId));
  cancel.front_id = 1;
  cancel.session_id = env_session(request->origClEnvId);
  const abi::int32 code = sim::oes::error_code(exchange.cancel_order(channel->account, cancel));
  if (code != 0) {
    abi::OesRptMsgT reject;
    sim::oes::fill_cancel_reject(reject, *request, code, today(exchange), now_time(exchange));
    reject.rptBody.ordRejectRsp.clEnvId = static_cast<abi::int8>(channel->env);
    channel->log->append(reject);
  }
  channel->log->settle();  // the release of what the order froze
  return 0;
}

// ---- reports ----

OES_EXPORT abi::int32 OesApi_WaitReportMsg(abi::OesApiSessionInfoT* session, abi::int32 timeout_ms,
                                           abi::F_OESAPI_ON_RPT_MSG_T callback, void* params) {
  Channel* channel = sim::oes::channel_of(session, ChannelKind::report);
  if (channel == nullptr) return -EINVAL;
  channel->log->settle();  // variations of what the flow moved since (fills made by ticks or the control socket)
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  std::deque<sim::oes::QueuedReport> ready;
  {
    std::unique_lock lock(channel->mutex);
    auto due = [channel] { return channel->reports.front().queued + sim::oes::report_delay(); };
    for (;;) {
      if (channel->broken) return -ECONNRESET;
      const auto now = Clock::now();
      if (!channel->reports.empty() && due() <= now) break;
      if (now >= deadline) return -ETIMEDOUT;
      channel->wake.wait_until(lock, channel->reports.empty() ? deadline : std::min(deadline, due()));
    }
    const auto now = Clock::now();
    while (!channel->reports.empty() && due() <= now) {
      ready.push_back(channel->reports.front());
      channel->reports.pop_front();
    }
  }
  abi::int32 count = 0;
  while (!ready.empty()) {
    abi::OesRspMsgBodyT body{};
    body.rptMsg = ready.front().message;
    ready.pop_front();
    abi::SMsgHeadT head{};
    head.msgFlag = 0x50;  // a response, binary protocol
    head.msgId = body.rptMsg.rptHead.rptMsgType;
    head.msgSize = static_cast<abi::int32>(sizeof(abi::OesRptMsgHeadT)) + body.rptMsg.rptHead.bodyLength;
    session->lastInMsgSeq = static_cast<abi::uint64>(
        std::max<abi::int64>(static_cast<abi::int64>(session->lastInMsgSeq), body.rptMsg.rptHead.rptSeqNum));
    const abi::int32 result = callback != nullptr ? callback(session, &head, &body, params) : 0;
    if (result < 0) {  // the caller stopped: what is left stays queued
      std::lock_guard guard(channel->mutex);
      channel->reports.insert(channel->reports.begin(), ready.begin(), ready.end());
      return result;
    }
    ++count;
  }
  return count;
}

// ---- queries ----

OES_EXPORT abi::int32 OesApi_GetTradingDay(abi::OesApiSessionInfoT* session) {
  Channel* channel = query_channel(session);
  return channel != nullptr ? today(*channel->exchange) : 0;
}

OES_EXPORT abi::int32 OesApi_QueryCashAsset(abi::OesApiSessionInfoT* session, const abi::OesQryCashAssetFilterT*,
                                            abi::F_OESAPI_ON_QRY_MSG_T callback, void* params) {
  Channel* channel = query_channel(session);
  if (channel == nullptr) return -sim::oes::last_error();
  const std::vector<sim::AccountRecord> records{channel->exchange->trading_account(channel->account)};
  return answer<abi::OesCashAssetItemT>(session, records, sim::oes::fill_cash, callback, params);
}

OES_EXPORT abi::int32 OesApi_QueryStkHolding(abi::OesApiSessionInfoT* session,
                                             const abi::OesQryStkHoldingFilterT* filter,
                                             abi::F_OESAPI_ON_QRY_MSG_T callback, void* params) {
  Channel* channel = query_channel(session);
  if (channel == nullptr) return -sim::oes::last_error();
  const std::string security = filter != nullptr ? std::string(sim::field_view(filter->securityId)) : "";
  auto records = channel->exchange->positions(channel->account, security);
  std::erase_if(records, [&](const sim::PositionRecord& p) {
    const auto instrument = channel->exchange->instrument(p.instrument);
    return p.side != sim::PositionSide::long_side || !instrument || !is_security(*instrument) ||
           (filter != nullptr && filter->mktId != 0 && filter->mktId != sim::oes::market_id(p.exchange));
  });
  return answer<abi::OesStkHoldingItemT>(session, records, sim::oes::fill_holding, callback, params);
}

OES_EXPORT abi::int32 OesApi_QueryOrder(abi::OesApiSessionInfoT* session, const abi::OesQryOrdFilterT* filter,
                                        abi::F_OESAPI_ON_QRY_MSG_T callback, void* params) {
  Channel* channel = query_channel(session);
  if (channel == nullptr) return -sim::oes::last_error();
  auto records = channel->exchange->orders(channel->account, "");
  std::erase_if(records, [&](const auto& o) {
    if (filter == nullptr) return false;
    const bool closed = o->status == sim::OrderStatus::all_traded || o->status == sim::OrderStatus::cancelled;
    return (filter->isUnclosedOnly && closed) ||
           (filter->clSeqNo != 0 && std::to_string(filter->clSeqNo) != o->order_ref) ||
           (filter->mktId != 0 && filter->mktId != sim::oes::market_id(o->exchange));
  });
  return answer<abi::OesOrdItemT>(
      session, records, [](abi::OesOrdItemT& item, const auto& o) { sim::oes::fill_order(item, *o); }, callback,
      params);
}

OES_EXPORT abi::int32 OesApi_QueryTrade(abi::OesApiSessionInfoT* session, const abi::OesQryTrdFilterT* filter,
                                        abi::F_OESAPI_ON_QRY_MSG_T callback, void* params) {
  Channel* channel = query_channel(session);
  if (channel == nullptr) return -sim::oes::last_error();
  std::map<std::string, std::shared_ptr<const sim::Order>> orders;
  for (const auto& order : channel->exchange->orders(channel->account, "")) orders[order->order_ref] = order;
  auto records = channel->exchange->trades(channel->account, "");
  std::erase_if(records, [&](const auto& t) {
    return filter != nullptr && filter->mktId != 0 && filter->mktId != sim::oes::market_id(t->exchange);
  });
  return answer<abi::OesTrdItemT>(
      session, records,
      [&orders](abi::OesTrdItemT& item, const auto& t) {
        const auto found = orders.find(t->order_ref);
        sim::oes::fill_trade(item, *t, found == orders.end() ? nullptr : found->second.get());
      },
      callback, params);
}

OES_EXPORT abi::int32 OesApi_QueryStock(abi::OesApiSessionInfoT* session, const abi::OesQryStockFilterT* filter,
                                        abi::F_OESAPI_ON_QRY_MSG_T callback, void* params) {
  Channel* channel = query_channel(session);
  if (channel == nullptr) return -sim::oes::last_error();
  const std::string security = filter != nullptr ? std::string(sim::field_view(filter->securityId)) : "";
  auto records = channel->exchange->instruments(security, "", "");
  std::erase_if(records, [&](const sim::InstrumentRecord& r) {
    return !is_security(r) || sim::oes::market_id(r.spec.exchange) == 0 ||
           (filter != nullptr && filter->mktId != 0 && filter->mktId != sim::oes::market_id(r.spec.exchange));
  });
  return answer<abi::OesStockItemT>(session, records, sim::oes::fill_stock, callback, params);
}
