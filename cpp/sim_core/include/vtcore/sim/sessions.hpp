// Trading hours of China's futures exchanges (China time), so that the simulator's market data ticks only while
// an instrument's exchange trades: the day session on weekdays, the night session on weekday evenings (its small
// hours fall on Tuesday to Saturday), none at night on CFFEX or GFEX. Holidays are not modelled. The night ends
// at the latest close of the exchange's products (SHFE and INE trade gold and crude until 02:30).
#pragma once

#include <string_view>

#include "vtcore/sim/clock.hpp"

namespace vtcore::sim {

// Whether `exchange` trades at local time `t`; an exchange this table does not know always trades.
bool session_open(std::string_view exchange, LocalNs t);

// The first moment at or after `t` when `exchange` trades (`t` itself while it trades).
LocalNs next_session_open(std::string_view exchange, LocalNs t);

}  // namespace vtcore::sim
