// The OES front-end's conversions between the simulator core's records and the 0.17.5.8 structs, and its error
// codes.
//
// OES sends integers: prices in 1/10000 yuan, amounts in 1/10000 yuan, dates YYYYMMDD, times HHMMSSsss (China
// time); markets OES_MKT_SH_ASHARE / OES_MKT_SZ_ASHARE. An order's request struct travels with the core order
// as its `echo`, so every report repeats the fields the client sent. Error codes: Quant360 does not publish its
// table, so the simulator numbers its own refusals (1200s for the front's, 1300+ for the exchange's texts, each
// registered once) and OesApi_GetErrorMsg answers their texts, as the real library does for its codes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "channel.hpp"
#include "vtcore/sim/records.hpp"

namespace vtcore::sim::oes {

inline constexpr double kUnit = 10000.0;

std::uint8_t market_id(std::string_view exchange) noexcept;   // "SSE" -> OES_MKT_SH_ASHARE, else 0
std::string_view exchange_of_market(int market_id) noexcept;  // OES_MKT_SH_ASHARE -> "SSE", else ""

/// The code for a core refusal, and the text of any code the simulator gave out (nullptr for none).
std::int32_t error_code(Error error) noexcept;
std::int32_t error_code(std::string_view text);  // an exchange's refusal, registered once
const char* error_message(std::int32_t code) noexcept;

/// The core's order for an OesOrdReqT; 0, or the code of what is wrong with it.
std::int32_t order_request(const abi::OesOrdReqT& in, OrderRequest& out);

void fill_reject(abi::OesRptMsgT& out, const abi::OesOrdReqT& in, std::int32_t code, std::int32_t date,
                 std::int32_t time);
void fill_cancel_reject(abi::OesRptMsgT& out, const abi::OesOrdCancelReqT& in, std::int32_t code, std::int32_t date,
                        std::int32_t time);
/// An order report (19 ORDER_INSERT for the first state, 20 ORDER_REPORT after) and its message id.
std::uint8_t fill_order(abi::OesOrdCnfmT& out, const Order& order);
void fill_trade(abi::OesTrdCnfmT& out, const Trade& trade, const Order* order);
void fill_cash(abi::OesCashAssetItemT& out, const AccountRecord& account);
void fill_holding(abi::OesStkHoldingItemT& out, const PositionRecord& position);
void fill_stock(abi::OesStockItemT& out, const InstrumentRecord& record);
/// An L1 stock snapshot (MDS msgId 10, five levels) and an L2 one (msgId 20, ten levels, the core's five
/// filled) of a tick. Empty levels are left out (a book shallower than five has zeros at the end).
void fill_snapshot(abi::MdsMktDataSnapshotT& out, const Tick& tick);
void fill_l2_snapshot(abi::MdsMktDataSnapshotT& out, const Tick& tick);

}  // namespace vtcore::sim::oes
