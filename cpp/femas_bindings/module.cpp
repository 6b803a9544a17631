// vtcore._femas: the FEMAS (USTP) market-data and trader APIs on a vendor library loaded by path (see cpp/sdk/):
// the Thost family's classes, with FEMAS's subscription calls and topics.
#include "femas_requests.hpp"
#include "traits.hpp"

PYBIND11_MODULE(_femas, m) {
  using namespace vtcore::sdk;    // NOLINT(google-build-using-namespace): module glue only
  using namespace vtcore::femas;  // NOLINT(google-build-using-namespace)
  m.doc() = "FEMAS market-data and trader APIs on a vendor library loaded by path (see vtcore.gateways.femas).";
  register_version(m, VTCORE_SDK_API_VERSION);
  register_errors(m);
  auto md = thost::register_md_api<MdTraits, MdRequests>(m, "CUstpFtdcMduserApi: ticks go to the producer.");
  bind_femas_md_extras(md);
  auto trader = thost::register_trader_api<TraderTraits, TraderRequests>(m, "CUstpFtdcTraderApi.");
  bind_femas_trader_extras(trader);
  thost::register_tick_conversion<MdTraits>(m);
  register_library_version<MdTraits>(m, "md_library_version");
  register_library_version<TraderTraits>(m, "trader_library_version");
}
