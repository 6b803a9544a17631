// The two halves of vtcore._tap, each in its own translation unit (quote.cpp, trade.cpp): TAP's quote and trade
// headers declare the same names (TapAPICommodity, TAPISTR_10, ...), the trade ones in namespace ITapTrade, so one
// unit cannot see both.
#pragma once

#include <pybind11/pybind11.h>

namespace vtcore::tap {

void register_quote(pybind11::module_& m);
void register_trade(pybind11::module_& m);

}  // namespace vtcore::tap
