// libsptraderapi.so (TORA stock-option trader): only CTORATstpSPTraderApi::CreateTstpSPTraderApi and
// ::GetApiVersion are exported; the API class is sp_api.cpp's on the simulator core.
#pragma GCC visibility push(default)
#include "TORATstpSPTraderApi.h"
#pragma GCC visibility pop

#include "tora_api.hpp"

TORASPAPI::CTORATstpSPTraderApi* TORASPAPI::CTORATstpSPTraderApi::CreateTstpSPTraderApi(const char* flow_path, bool,
                                                                                        TTORATstpSPTradeCommModeType,
                                                                                        const char*) {
  return vtcore::sim::tora::create_sp_trader_api(flow_path);
}

const char* TORASPAPI::CTORATstpSPTraderApi::GetApiVersion() { return vtcore::sim::tora::kSPTraderVersion; }
