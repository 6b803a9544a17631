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
  using Self = sdk::ApiObject<SPTraderTraits>;
  using Api = TORASPAPI::CTORATstpSPTraderApi;
  py::class_<Self> cls(m, "SPTraderApi", "TORASPAPI::CTORATstpSPTraderApi (stock options).");
  bind_front<SPTraderTraits, torasp::SPTraderRequests>(cls);
  cls.def(py::init(
              [](const std::string& library, const std::string& flow_folder, const py::object& capsule, bool encrypt) {
                return std::make_unique<Self>(library, flow_folder, sdk::producer_from(capsule),
                                              Options{TORALEV1API::TORA_TSTP_MST_TCP, encrypt});
              }),
          py::arg("library"), py::arg("flow_folder"), py::arg("producer_capsule"), py::arg("encrypt") = false)
      .def("subscribe_private_topic",
           [](Self& self, int resume) {
             self.with_api(
                 [&](Api& api) { api.SubscribePrivateTopic(static_cast<TORASPAPI::TORA_TE_RESUME_TYPE>(resume)); });
           })
      .def("subscribe_public_topic", [](Self& self, int resume) {
        self.with_api([&](Api& api) { api.SubscribePublicTopic(static_cast<TORASPAPI::TORA_TE_RESUME_TYPE>(resume)); });
      });
}

}  // namespace vtcore::tora
