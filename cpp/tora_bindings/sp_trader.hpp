// vtcore._tora.SPTraderApi: TORA's stock-option trader (TORASPAPI::CTORATstpSPTraderApi, libsptraderapi.so, which
// reports its own version: sdk/manifest.toml library_versions "sptrader"). Thost-shaped like the stock trader: the
// same front registration, topics and typed requests, its own header set (sdkgen unit torasp).
#pragma once

#include "TORATstpSPTraderApi.h"
#include "bind.hpp"
#include "torasp_requests.hpp"
#include "torasp_spi.hpp"

#ifndef VTCORE_SDK_LIBRARY_VERSION_SPTRADER
#define VTCORE_SDK_LIBRARY_VERSION_SPTRADER VTCORE_SDK_API_VERSION
#endif

namespace vtcore::tora {

struct SPTraderTraits : Traits<TORASPAPI::CTORATstpSPTraderApi, torasp::GeneratedSPTraderSpi> {
  static void init(Api& api) { api.Init(); }
  static sdk::LibrarySpec library_spec() {
    return spec("stock-option trader", "_ZN9TORASPAPI20CTORATstpSPTraderApi21CreateTstpSPTraderApiEPKcbcS2_",
                "_ZN9TORASPAPI20CTORATstpSPTraderApi13GetApiVersionEv", VTCORE_SDK_LIBRARY_VERSION_SPTRADER);
  }
  static Api* create(const sdk::Library& library, const char* flow, const Options& options) {
    // flow folder, encrypted, communication mode, interface address
    using Factory = Api* (*)(const char*, bool, char, const char*);
    return reinterpret_cast<Factory>(library.factory)(flow, options.encrypt, TORASPAPI::TORA_TSTP_SP_TCM_TCP, "");
  }
};

inline void register_sp_trader_api(py::module_& m) {
  register_trader<SPTraderTraits, torasp::SPTraderRequests, TORASPAPI::TORA_TE_RESUME_TYPE>(
      m, "SPTraderApi", "TORASPAPI::CTORATstpSPTraderApi (stock options).");
}

}  // namespace vtcore::tora
