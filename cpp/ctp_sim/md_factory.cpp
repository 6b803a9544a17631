// libthostmduserapi_se.so (CTP): only CThostFtdcMdApi::CreateFtdcMdApi and ::GetApiVersion are exported; the API
// class is the Thost front-end's (cpp/sim_thost) on the simulator core.
#pragma GCC visibility push(default)
#include "ThostFtdcMdApi.h"
#pragma GCC visibility pop

#include "thost_api.hpp"

namespace {
constexpr const char* kVersion = "v" VTCORE_SDK_API_VERSION "_vtcore-ctpsim " VTCORE_SIM_VERSION;
}

CThostFtdcMdApi* CThostFtdcMdApi::CreateFtdcMdApi(const char* flow_path, const bool, const bool, bool) {
  return vtcore::sim::thost::create_md_api(flow_path, kVersion);
}

const char* CThostFtdcMdApi::GetApiVersion() { return kVersion; }
