// vtcore._tora: TORA's XMd market-data, stock trader and stock-option trader APIs on vendor libraries loaded by path
// (see cpp/sdk/).
#include "bind.hpp"
#include "sp_trader.hpp"

PYBIND11_MODULE(_tora, m) {
  using namespace vtcore::sdk;  // NOLINT(google-build-using-namespace): module glue only
  m.doc() =
      "TORA XMd market-data, stock trader and stock-option trader APIs on vendor libraries loaded by path "
      "(vtcore.gateways.tora).";
  register_version(m, VTCORE_SDK_API_VERSION);
  register_errors(m);
  vtcore::tora::register_md_api(m);
  vtcore::tora::register_trader_api(m);
  vtcore::tora::register_sp_trader_api(m);
  vtcore::tora::register_tick_conversion(m);
}
