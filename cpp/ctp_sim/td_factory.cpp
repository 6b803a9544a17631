// libthosttraderapi_se.so (CTP): only CThostFtdcTraderApi::CreateFtdcTraderApi and ::GetApiVersion are exported;
// the API class is the Thost front-end's (cpp/sim_thost) on the simulator core.
#pragma GCC visibility push(default)
#include "ThostFtdcTraderApi.h"
#pragma GCC visibility pop

#include "thost_api.hpp"

namespace {
constexpr const char* kVersion = "v" VTCORE_SDK_API_VERSION "_vtcore-ctpsim " VTCORE_SIM_VERSION;
}

CThostFtdcTraderApi* CThostFtdcTraderApi::CreateFtdcTraderApi(const char* flow_path, bool) {
  return vtcore::sim::thost::create_trader_api(flow_path, kVersion);
}

const char* CThostFtdcTraderApi::GetApiVersion() { return kVersion; }
