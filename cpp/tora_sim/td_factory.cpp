// libtraderapi.so (TORA stock trader): only CTORATstpTraderApi::CreateTstpTraderApi and ::GetApiVersion are
// exported; the API class is td_api.cpp's on the simulator core.
#pragma GCC visibility push(default)
#include "TORATstpTraderApi.h"
#pragma GCC visibility pop

#include "tora_api.hpp"

TORASTOCKAPI::CTORATstpTraderApi* TORASTOCKAPI::CTORATstpTraderApi::CreateTstpTraderApi(const char* flow_path, bool,
                                                                                        TTORATstpTradeCommModeType,
                                                                                        const char*, bool) {
  return vtcore::sim::tora::create_trader_api(flow_path);
}

const char* TORASTOCKAPI::CTORATstpTraderApi::GetApiVersion() { return vtcore::sim::tora::kTraderVersion; }
