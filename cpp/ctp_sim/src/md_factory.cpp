// libthostmduserapi_se.so: only CThostFtdcMdApi::CreateFtdcMdApi and ::GetApiVersion, forwarded to the core.
#pragma GCC visibility push(default)
#include "ThostFtdcMdApi.h"
#pragma GCC visibility pop

#include "core_entry.h"

CThostFtdcMdApi* CThostFtdcMdApi::CreateFtdcMdApi(const char* flow_path, const bool udp, const bool multicast,
                                                  bool production) {
  return static_cast<CThostFtdcMdApi*>(vtcore_ctpsim_create_md_api(flow_path, udp, multicast, production));
}

const char* CThostFtdcMdApi::GetApiVersion() { return vtcore_ctpsim_version(); }
