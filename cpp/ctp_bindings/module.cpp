// vtcore._ctp: the CTP market-data and trader APIs on a vendor library loaded by path (see cpp/sdk/).
#include "ctp_requests.hpp"
#include "traits.hpp"

PYBIND11_MODULE(_ctp, m) {
  using namespace vtcore::sdk;  // NOLINT(google-build-using-namespace): module glue only
  m.doc() = "CTP market-data and trader APIs on a vendor library loaded by path (see vtcore.gateways.ctp).";
  register_version(m, VTCORE_SDK_API_VERSION);
  register_errors(m);
  thost::register_md_api<vtcore::ctp::MdTraits, vtcore::ctp::MdRequests>(m,
                                                                         "CThostFtdcMdApi: ticks go to the producer.");
  thost::register_trader_api<vtcore::ctp::TraderTraits, vtcore::ctp::TraderRequests>(m, "CThostFtdcTraderApi.");
  thost::register_tick_conversion<vtcore::ctp::MdTraits>(m);
}
