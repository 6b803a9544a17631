// vtcore._mini: the CTP-Mini market-data and trader APIs on a vendor library loaded by path (see cpp/sdk/).
#include "mini_requests.hpp"
#include "traits.hpp"

PYBIND11_MODULE(_mini, m) {
  using namespace vtcore::sdk;  // NOLINT(google-build-using-namespace): module glue only
  m.doc() = "CTP-Mini market-data and trader APIs on a vendor library loaded by path (see vtcore.gateways.mini).";
  register_version(m, VTCORE_SDK_API_VERSION);
  register_errors(m);
  thost::register_md_api<vtcore::mini::MdTraits, vtcore::mini::MdRequests>(m, "CThostFtdcMdApi (CTP-Mini).");
  thost::register_trader_api<vtcore::mini::TraderTraits, vtcore::mini::TraderRequests>(
      m, "CThostFtdcTraderApi (CTP-Mini).");
  thost::register_tick_conversion<vtcore::mini::MdTraits>(m);
}
