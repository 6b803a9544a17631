// libthostmduserapi.so (CTP-Mini): only CThostFtdcMdApi::CreateFtdcMdApi(const char*, bool, bool) and
// ::GetApiVersion are exported; the API class is the Thost front-end's (cpp/sim_thost) on the simulator core.
// Like the real library it reports its own version (1.7.5 for the 1.7.7 headers, sdk/manifest.toml).
#pragma GCC visibility push(default)
#include "ThostFtdcMdApi.h"
#pragma GCC visibility pop

#include "thost_api.hpp"

namespace {
constexpr const char* kVersion = "V" VTCORE_SDK_LIBRARY_VERSION_MD "_vtcore-minisim " VTCORE_SIM_VERSION;
}

CThostFtdcMdApi* CThostFtdcMdApi::CreateFtdcMdApi(const char* flow_path, const bool, const bool) {
  return vtcore::sim::thost::create_md_api(flow_path, kVersion);
}

const char* CThostFtdcMdApi::GetApiVersion() { return kVersion; }
