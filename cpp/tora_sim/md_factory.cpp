// libxmdapi.so (TORA XMd): only CTORATstpXMdApi::CreateTstpXMdApi and ::GetApiVersion are exported; the API class is
// md_api.cpp's on the simulator core.
#pragma GCC visibility push(default)
#include "TORATstpXMdApi.h"
#pragma GCC visibility pop

#include "tora_api.hpp"

TORALEV1API::CTORATstpXMdApi* TORALEV1API::CTORATstpXMdApi::CreateTstpXMdApi(const TTORATstpMDSubModeType&,
                                                                             const TTORATstpMDSubModeType&) {
  return vtcore::sim::tora::create_xmd_api();
}

const char* TORALEV1API::CTORATstpXMdApi::GetApiVersion() { return vtcore::sim::tora::kMdVersion; }
