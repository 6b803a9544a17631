// libUSTPtraderapiAF.so (FEMAS): only CUstpFtdcTraderApi::CreateFtdcTraderApi and ::GetVersion are exported.
#pragma GCC visibility push(default)
#include "USTPFtdcTraderApi.h"
#pragma GCC visibility pop

#include "ustp_api.hpp"

namespace {
constexpr const char* kVersion = "Femas_AllFutures_" VTCORE_SDK_API_VERSION "_vtcore-femassim " VTCORE_SIM_VERSION;
}

CUstpFtdcTraderApi* CUstpFtdcTraderApi::CreateFtdcTraderApi(const char* flow_path) {
  return vtcore::sim::femas::create_trader_api(flow_path, kVersion);
}

const char* CUstpFtdcTraderApi::GetVersion(int& major, int& minor) {
  major = 3;  // 3.02
  minor = 2;
  return kVersion;
}
