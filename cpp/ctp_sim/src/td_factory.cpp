// libthosttraderapi_se.so: only CThostFtdcTraderApi::CreateFtdcTraderApi and ::GetApiVersion, forwarded to the core.
#pragma GCC visibility push(default)
#include "ThostFtdcTraderApi.h"
#pragma GCC visibility pop

#include "core_entry.h"

CThostFtdcTraderApi* CThostFtdcTraderApi::CreateFtdcTraderApi(const char* flow_path, bool production) {
  return static_cast<CThostFtdcTraderApi*>(vtcore_ctpsim_create_trader_api(flow_path, production));
}

const char* CThostFtdcTraderApi::GetApiVersion() { return vtcore_ctpsim_version(); }
