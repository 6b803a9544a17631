// The OES front-end's conversions (see convert.hpp).
#include "convert.hpp"

#include <cmath>
#include <cstring>
#include <deque>
#include <mutex>

#include "vtcore/sim/text.hpp"

namespace vtcore::sim::oes {

namespace {

// kNoPrice (no value) and anything beyond int32's range in 1/10000 yuan become 0, as OES sends no price.
std::int32_t units(double value) noexcept {
  return std::fabs(value) < 2e5 ? static_cast<std::int32_t>(std::llround(value * kUnit)) : 0;
}
std::int64_t amount(double value) noexcept { return std::fabs(value) < 9e14 ? std::llround(value * kUnit) : 0; }

const abi::OesOrdReqT& request_of(const Order& order) {
  static const abi::OesOrdReqT none{};
  if (order.echo.size() != sizeof(abi::OesOrdReqT)) return none;
  return *reinterpret_cast<const abi::OesOrdReqT*>(order.echo.data());
}

std::uint8_t status_of(const Order& order) noexcept {
  switch (order.status) {
    case OrderStatus::unknown:
      return abi::OES_ORD_STATUS_NEW;
    case OrderStatus::queued:
      return abi::OES_ORD_STATUS_DECLARED;
    case OrderStatus::part_traded:
      return abi::OES_ORD_STATUS_PARTIALLY_FILLED;
    case OrderStatus::all_traded:
      return abi::OES_ORD_STATUS_FILLED;
    case OrderStatus::cancelled:
      if (order.submit_status == SubmitStatus::insert_rejected) return abi::OES_ORD_STATUS_INVALID_EXCHANGE;
      return order.volume_traded > 0 ? abi::OES_ORD_STATUS_PARTIALLY_CANCELED : abi::OES_ORD_STATUS_CANCELED;
  }
  return abi::OES_ORD_STATUS_NEW;
}

std::mutex texts_mutex;
std::deque<std::string> texts;  // code 1300 + index; a deque keeps each text's address

constexpr std::int32_t kFirstText = 1300;

}  // namespace

std::uint8_t market_id(std::string_view exchange) noexcept {
  if (exchange == "SSE") return abi::OES_MKT_SH_ASHARE;
  if (exchange == "SZSE") return abi::OES_MKT_SZ_ASHARE;
  return 0;
}

std::string_view exchange_of_market(int market) noexcept {
  if (market == abi::OES_MKT_SH_ASHARE) return "SSE";
  if (market == abi::OES_MKT_SZ_ASHARE) return "SZSE";
  return {};
}

std::int32_t error_code(Error error) noexcept {
  switch (error) {
    case Error::none:
      return 0;
    case Error::instrument_not_found:
      return 1201;
    case Error::duplicate_order_ref:
      return 1202;
    case Error::order_not_found:
      return 1203;
    case Error::unsuitable_order_status:
      return 1204;
    case Error::over_close_position:
    case Error::over_close_today_position:
    case Error::over_close_yesterday_position:
      return 1205;
    case Error::insufficient_money:
      return 1206;
    case Error::not_logged_in:
      return 1207;
    case Error::not_credit_account:
      return 1208;
    default:
      return 1209;
  }
}

std::int32_t error_code(std::string_view text) {
  std::lock_guard guard(texts_mutex);
  for (std::size_t i = 0; i < texts.size(); ++i)
    if (texts[i] == text) return kFirstText + static_cast<std::int32_t>(i);
  texts.emplace_back(text);
  return kFirstText + static_cast<std::int32_t>(texts.size() - 1);
}

const char* error_message(std::int32_t code) noexcept {
  switch (code) {
    case 1201:
      return "证券代码不存在 (no such security)";
    case 1202:
      return "客户委托流水号重复 (clSeqNo already used)";
    case 1203:
      return "原始委托不存在 (no such order to cancel)";
    case 1204:
      return "委托已终结, 不可撤单 (the order is final)";
    case 1205:
      return "可卖持仓不足 (not enough sellable holding)";
    case 1206:
      return "可用资金不足 (not enough available cash)";
    case 1207:
      return "未登录 (not logged on)";
    case 1208:
      return "非信用账户 (not a margin account)";
    case 1209:
      return "委托参数错误 (invalid order field)";
    case 1210:
      return "不支持的订单类型 (order type not supported by this market)";
    case 1211:
      return "不支持的买卖类型 (buy/sell type not supported)";
    case 1212:
      return "不支持的市场 (unknown market)";
    default:
      break;
  }
  std::lock_guard guard(texts_mutex);
  if (code >= kFirstText && code - kFirstText < static_cast<std::int32_t>(texts.size()))
    return texts[static_cast<std::size_t>(code - kFirstText)].c_str();
  return nullptr;
}

std::int32_t order_request(const abi::OesOrdReqT& in, OrderRequest& out) {
  const std::string_view exchange = exchange_of_market(in.mktId);
  if (exchange.empty()) return 1212;
  if (in.bsType != abi::OES_BS_TYPE_BUY && in.bsType != abi::OES_BS_TYPE_SELL) return 1211;
  if (std::memchr(in.securityId, '\0', sizeof(in.securityId)) == nullptr ||
      std::memchr(in.invAcctId, '\0', sizeof(in.invAcctId)) == nullptr || in.ordQty <= 0 || in.ordPrice < 0)
    return 1209;
  const bool sse = exchange == "SSE";
  switch (in.ordType) {
    case abi::OES_ORD_TYPE_SH_LMT:
      out.price_type = PriceType::limit;
      break;  // SZ_LMT is 0 too
    case abi::OES_ORD_TYPE_SZ_LMT_FOK:
      if (sse) return 1210;
      out.volume_condition = VolumeCondition::all;
      out.time_condition = TimeCondition::ioc;
      break;
    case abi::OES_ORD_TYPE_SH_MTL_BEST_5:
      if (!sse) return 1210;
      out.price_type = PriceType::best5_or_limit;
      break;
    case abi::OES_ORD_TYPE_SH_MTL_BEST:
      out.price_type = PriceType::reverse_best;
      break;  // SZ_MTL_BEST is 11
    case abi::OES_ORD_TYPE_SH_MTL_SAMEPARTY_BEST:
      out.price_type = PriceType::forward_best;
      break;
    case abi::OES_ORD_TYPE_SH_FAK_BEST_5:
      out.price_type = PriceType::market;
      break;
    case abi::OES_ORD_TYPE_SZ_FAK:
      if (sse) return 1210;
      out.price_type = PriceType::best_or_cancel;
      break;
    case abi::OES_ORD_TYPE_SZ_FOK:
      if (sse) return 1210;
      out.price_type = PriceType::market;
      out.volume_condition = VolumeCondition::all;
      out.time_condition = TimeCondition::ioc;
      break;
    default:
      return 1210;
  }
  out.instrument = std::string(field_view(in.securityId));
  out.exchange = std::string(exchange);
  out.order_ref = std::to_string(in.clSeqNo);
  out.side = in.bsType == abi::OES_BS_TYPE_BUY ? Side::buy : Side::sell;
  out.offset = in.bsType == abi::OES_BS_TYPE_BUY ? Offset::open : Offset::close;
  out.volume = in.ordQty;
  out.price = in.ordPrice / kUnit;
  out.echo.assign(reinterpret_cast<const char*>(&in), sizeof(in));
  return 0;
}

namespace {

/// A business reject's head and the body's common fields; the caller copies in what it refuses.
abi::OesOrdRejectT& reject_body(abi::OesRptMsgT& out, std::int32_t code, std::int32_t date, std::int32_t time) {
  out = abi::OesRptMsgT{};
  out.rptHead.rptMsgType = abi::OESMSG_RPT_BUSINESS_REJECT;
  out.rptHead.execType = abi::OES_EXECTYPE_REJECT;
  out.rptHead.bodyLength = sizeof(abi::OesOrdRejectT);
  out.rptHead.ordRejReason = code;
  abi::OesOrdRejectT& body = out.rptBody.ordRejectRsp;
  body.ordDate = date;
  body.ordTime = time;
  body.ordRejReason = code;
  return body;
}

}  // namespace

void fill_reject(abi::OesRptMsgT& out, const abi::OesOrdReqT& in, std::int32_t code, std::int32_t date,
                 std::int32_t time) {
  abi::OesOrdRejectT& body = reject_body(out, code, date, time);
  std::memcpy(&body, &in, sizeof(in));  // OesOrdRejectT starts with the request's fields
}

void fill_cancel_reject(abi::OesRptMsgT& out, const abi::OesOrdCancelReqT& in, std::int32_t code, std::int32_t date,
                        std::int32_t time) {
  abi::OesOrdRejectT& body = reject_body(out, code, date, time);
  body.clSeqNo = in.clSeqNo;
  body.mktId = in.mktId;
  std::memcpy(body.invAcctId, in.invAcctId, sizeof(body.invAcctId));
  std::memcpy(body.securityId, in.securityId, sizeof(body.securityId));
  body.origClSeqNo = in.origClSeqNo;
  body.origClEnvId = in.origClEnvId;
  body.userInfo = in.userInfo;
}

std::uint8_t fill_order(abi::OesOrdCnfmT& out, const Order& order) {
  out = abi::OesOrdCnfmT{};
  std::memcpy(&out, &request_of(order), sizeof(abi::OesOrdReqT));  // the base fields are the request's
  out.clOrdId = std::atoll(order.local_id.c_str());
  out.ordDate = date_number(order.insert_date);
  out.ordTime = time_number(order.insert_time);
  out.ordCnfmTime = time_number(order.update_time);
  out.ordStatus = status_of(order);
  out.securityType = abi::OES_SECURITY_TYPE_STOCK;
  out.productType = abi::OES_PRODUCT_TYPE_EQUITY;
  put(out.exchOrdId, order.order_sys_id);
  out.cumQty = order.volume_traded;
  if (order.status == OrderStatus::cancelled) out.canceledQty = order.volume_original - order.volume_traded;
  if (order.submit_status == SubmitStatus::insert_rejected) {
    out.ordRejReason = error_code(order.status_message);
    out.exchErrCode = out.ordRejReason;
  }
  return order.status == OrderStatus::unknown ? abi::OESMSG_RPT_ORDER_INSERT : abi::OESMSG_RPT_ORDER_REPORT;
}

void fill_trade(abi::OesTrdCnfmT& out, const Trade& trade, const Order* order) {
  out = abi::OesTrdCnfmT{};
  out.exchTrdNum = std::atoll(trade.trade_id.c_str());
  out.mktId = market_id(trade.exchange);
  out.trdSide = trade.side == Side::buy ? abi::OES_BS_TYPE_BUY : abi::OES_BS_TYPE_SELL;
  put(out.securityId, trade.instrument);
  out.trdDate = date_number(trade.trade_date);
  out.trdTime = time_number(trade.trade_time);
  out.trdQty = trade.volume;
  out.trdPrice = units(trade.price);
  out.trdAmt = amount(trade.price * trade.volume);
  out.clSeqNo = static_cast<std::int32_t>(std::atoll(trade.order_ref.c_str()));
  out.ordBuySellType = out.trdSide;
  out.securityType = abi::OES_SECURITY_TYPE_STOCK;
  out.productType = abi::OES_PRODUCT_TYPE_EQUITY;
  if (order != nullptr) {
    const abi::OesOrdReqT& request = request_of(*order);
    std::memcpy(out.invAcctId, request.invAcctId, sizeof(out.invAcctId));
    out.clEnvId = 0;
    out.ordType = request.ordType;
    out.origOrdQty = order->volume_original;
    out.origOrdPrice = request.ordPrice;
    out.cumQty = order->volume_traded;
    out.ordStatus = status_of(*order);
    out.clOrdId = std::atoll(order->local_id.c_str());
    out.userInfo = request.userInfo;
  }
}

void fill_cash(abi::OesCashAssetItemT& out, const AccountRecord& account) {
  out = abi::OesCashAssetItemT{};
  put(out.cashAcctId, account.account_id);
  put(out.custId, account.account_id);
  out.beginningBal = amount(account.pre_balance);
  out.beginningAvailableBal = amount(account.pre_balance);
  out.beginningDrawableBal = amount(account.pre_balance);
  out.totalFeeAmt = amount(account.commission);
  out.buyFrzAmt = amount(account.frozen_margin);
  out.feeFrzAmt = amount(account.frozen_commission);
  out.currentTotalBal = amount(account.balance);
  out.currentAvailableBal = amount(account.available);
  out.currentDrawableBal = amount(account.withdraw_quota);
}

void fill_holding(abi::OesStkHoldingItemT& out, const PositionRecord& position) {
  out = abi::OesStkHoldingItemT{};
  put(out.securityId, position.instrument);
  out.mktId = market_id(position.exchange);
  out.securityType = abi::OES_SECURITY_TYPE_STOCK;
  out.productType = abi::OES_PRODUCT_TYPE_EQUITY;
  out.originalHld = position.yd_position;
  out.originalAvlHld = position.yd_position;
  out.totalBuyHld = position.today_position;
  out.sumHld = position.position;
  // T+1: yesterday's shares not frozen by pending sells
  out.sellFrzHld = position.short_frozen;
  out.sellAvlHld = std::max(0, position.yd_position - position.short_frozen);
  out.costPrice = position.position > 0 ? amount(position.open_cost / position.position) : 0;
}

void fill_stock(abi::OesStockItemT& out, const InstrumentRecord& record) {
  out = abi::OesStockItemT{};
  const InstrumentConfig& spec = record.spec;
  put(out.securityId, spec.id);
  out.mktId = market_id(spec.exchange);
  out.productType = abi::OES_PRODUCT_TYPE_EQUITY;
  out.securityType = spec.kind == "fund"   ? abi::OES_SECURITY_TYPE_FUND
                     : spec.kind == "bond" ? abi::OES_SECURITY_TYPE_BOND
                                           : abi::OES_SECURITY_TYPE_STOCK;
  out.priceTick = units(spec.price_tick);
  out.prevClose = units(record.pre_settlement);
  for (abi::OesPriceLimitT& limit : out.priceLimit) {  // the same limits in every trading session
    limit.upperLimitPrice = units(record.upper);
    limit.lowerLimitPrice = units(record.lower);
  }
  const int lot = spec.lot > 0 ? spec.lot : 100;
  out.lmtBuyMinQty = lot;
  out.lmtBuyQtyUnit = lot;
  out.lmtBuyMaxQty = spec.max_limit_volume;
  out.mktBuyMinQty = lot;
  out.mktBuyQtyUnit = lot;
  out.mktBuyMaxQty = spec.max_market_volume;
  out.lmtSellMinQty = 1;
  out.lmtSellQtyUnit = 1;
  out.lmtSellMaxQty = spec.max_limit_volume;
  out.mktSellMinQty = 1;
  out.mktSellQtyUnit = 1;
  out.mktSellMaxQty = spec.max_market_volume;
  put(out.securityName, spec.name);
}

namespace {

/// The head of a stock snapshot and the fields L1 and L2 bodies share; the book is the caller's.
template <typename Body>
Body& snapshot_body(abi::MdsMktDataSnapshotT& out, const Tick& tick, std::uint8_t stream_type, Body& body) {
  out = abi::MdsMktDataSnapshotT{};
  abi::MdsMktDataSnapshotHeadT& head = out.head;
  const std::string_view exchange = field_view(tick.exchange);
  head.exchId = exchange == "SSE" ? abi::MDS_EXCH_SSE : exchange == "SZSE" ? abi::MDS_EXCH_SZSE : 0;
  head.mdProductType = abi::MDS_MD_PRODUCT_TYPE_STOCK;
  head.tradeDate = date_number(std::string(field_view(tick.action_day)));
  head.updateTime = time_number(std::string(field_view(tick.update_time)), tick.update_millisec);
  head.instrId = static_cast<std::int32_t>(std::atol(tick.instrument));
  head.bodyLength = sizeof(Body);
  head.mdStreamType = stream_type;
  put(body.SecurityID, field_view(tick.instrument));
  put(body.TradingPhaseCode, "T0");
  body.TotalVolumeTraded = static_cast<std::uint64_t>(tick.volume);
  body.TotalValueTraded = amount(tick.turnover);
  body.PrevClosePx = units(tick.pre_close);
  body.OpenPx = units(tick.open);
  body.HighPx = units(tick.high);
  body.LowPx = units(tick.low);
  body.TradePx = units(tick.last);
  return body;
}

bool has_level(double price, int volume) noexcept { return price != kNoPrice && price > 0 && volume > 0; }

/// The core's five levels a side into `levels` (an L2 body has ten: the rest stay empty, as MDS sends a book
/// shallower than ten); the number of levels with a price.
template <std::size_t N>
std::int32_t copy_levels(abi::MdsPriceLevelEntryT (&levels)[N], const double (&prices)[5], const int (&volumes)[5]) {
  std::int32_t count = 0;
  for (std::size_t level = 0; level < 5 && level < N; ++level) {
    if (!has_level(prices[level], volumes[level])) continue;
    levels[count].Price = units(prices[level]);
    levels[count].OrderQty = volumes[level];
    ++count;
  }
  return count;
}

/// Total quantity and volume-weighted price (1/10000 yuan) of one side of an L2 book.
void side_totals(const abi::MdsPriceLevelEntryT (&levels)[10], std::int64_t& total, std::int32_t& average) {
  total = 0;
  double value = 0;
  for (const abi::MdsPriceLevelEntryT& level : levels) {
    total += level.OrderQty;
    value += static_cast<double>(level.Price) * static_cast<double>(level.OrderQty);
  }
  average = total > 0 ? static_cast<std::int32_t>(std::llround(value / static_cast<double>(total))) : 0;
}

}  // namespace

void fill_snapshot(abi::MdsMktDataSnapshotT& out, const Tick& tick) {
  abi::MdsStockSnapshotBodyT& body = snapshot_body(out, tick, abi::MDS_MD_STREAM_TYPE_L1_SNAPSHOT, out.stock);
  copy_levels(body.BidLevels, tick.bid, tick.bid_volume);
  copy_levels(body.OfferLevels, tick.ask, tick.ask_volume);
}

void fill_l2_snapshot(abi::MdsMktDataSnapshotT& out, const Tick& tick) {
  abi::MdsL2StockSnapshotBodyT& body = snapshot_body(out, tick, abi::MDS_MD_STREAM_TYPE_L2_SNAPSHOT, out.l2Stock);
  body.BidPriceLevel = copy_levels(body.BidLevels, tick.bid, tick.bid_volume);
  body.OfferPriceLevel = copy_levels(body.OfferLevels, tick.ask, tick.ask_volume);
  side_totals(body.BidLevels, body.TotalBidQty, body.WeightedAvgBidPx);
  side_totals(body.OfferLevels, body.TotalOfferQty, body.WeightedAvgOfferPx);
}

}  // namespace vtcore::sim::oes
