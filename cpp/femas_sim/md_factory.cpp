// libUSTPmduserapiAF.so (FEMAS): only CUstpFtdcMduserApi::CreateFtdcMduserApi and ::GetVersion are exported; the
// API class is this front-end's on the simulator core. GetVersion reports FEMAS's identity text for the header
// version, then the simulator's name.
#pragma GCC visibility push(default)
#include "USTPFtdcMduserApi.h"
#pragma GCC visibility pop

#include "ustp_api.hpp"

namespace {
constexpr const char* kVersion = "Femas_AllFutures_" VTCORE_SDK_API_VERSION "_vtcore-femassim " VTCORE_SIM_VERSION;
}

CUstpFtdcMduserApi* CUstpFtdcMduserApi::CreateFtdcMduserApi(const char* flow_path) {
  return vtcore::sim::femas::create_md_api(flow_path, kVersion);
}

const char* CUstpFtdcMduserApi::GetVersion(int& major, int& minor) {
  major = 3;  // 3.02
  minor = 2;
  return kVersion;
}
