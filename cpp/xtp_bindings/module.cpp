// vtcore._xtp: XTP's quote and trader APIs on vendor libraries loaded by path (see cpp/sdk/).
#include "bind.hpp"

PYBIND11_MODULE(_xtp, m) {
  using namespace vtcore::sdk;  // NOLINT(google-build-using-namespace): module glue only
  m.doc() = "XTP quote and trader APIs on vendor libraries loaded by path (see vtcore.gateways.xtp).";
  register_version(m, VTCORE_SDK_API_VERSION);
  register_errors(m);
  vtcore::xtp::register_quote_api(m);
  vtcore::xtp::register_trader_api(m);
  vtcore::xtp::register_tick_conversion(m);
}
