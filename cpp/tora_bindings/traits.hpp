// What vtcore._tora loads: TORA's stock trader and XMd factories and static version getters by their mangled
// names (the libraries are never linked), and the versions each library reports (sdk/manifest.toml,
// library_versions: the XMd library is 1.0.9, the stock trader 4.1.6). The XMd factory takes its market-data
// modes by const char& (an enum-like char passed by reference) and no flow folder.
#pragma once

#include "TORATstpTraderApi.h"
#include "TORATstpXMdApi.h"
#include "tick.hpp"
#include "tora_spi.hpp"
#include "vtcore/sdk/library.hpp"

#ifndef VTCORE_SDK_LIBRARY_VERSION_MD
#define VTCORE_SDK_LIBRARY_VERSION_MD VTCORE_SDK_API_VERSION
#endif
#ifndef VTCORE_SDK_LIBRARY_VERSION_TRADER
#define VTCORE_SDK_LIBRARY_VERSION_TRADER VTCORE_SDK_API_VERSION
#endif

namespace vtcore::tora {

struct Options {
  char md_mode = TORALEV1API::TORA_TSTP_MST_TCP;  // XMd: TCP, UDP or multicast
  bool encrypt = false;                           // trader: encrypted link
};

template <class ApiT, class SpiT>
struct Traits {
  using Api = ApiT;
  using Spi = SpiT;
  using Options = tora::Options;
  static constexpr bool kReleaseNeedsInit = false;
  static constexpr bool kRequestsOnlyQueue = true;  // Thost-shaped: ReqXxx hands the struct to the SDK's thread
  static void register_spi(Api& api, Spi* spi) { api.RegisterSpi(spi); }
  static sdk::LibrarySpec spec(const char* kind, const char* factory_symbol, const char* version_symbol,
                               const char* expected_version) {
    return {"TORA",
            kind,
            factory_symbol,
            expected_version,
            sdk::static_version_getter(version_symbol),
            sdk::version_matches_prefix,
            {},
            {},
            "headers"};
  }
};

struct MdTraits : Traits<TORALEV1API::CTORATstpXMdApi, MdSpi> {
  static void init(Api& api) { api.Init(""); }  // "": the SDK picks its threads' CPUs
  static sdk::LibrarySpec library_spec() {
    return spec("XMd market-data", "_ZN11TORALEV1API15CTORATstpXMdApi16CreateTstpXMdApiERKcS2_",
                "_ZN11TORALEV1API15CTORATstpXMdApi13GetApiVersionEv", VTCORE_SDK_LIBRARY_VERSION_MD);
  }
  static Api* create(const sdk::Library& library, const char*, const Options& options) {
    using Factory = Api* (*)(const char&, const char&);  // quote mode, derived-quote mode
    return reinterpret_cast<Factory>(library.factory)(options.md_mode, options.md_mode);
  }
};

struct TraderTraits : Traits<TORASTOCKAPI::CTORATstpTraderApi, tora::GeneratedTraderSpi> {
  static void init(Api& api) { api.Init(); }
  static sdk::LibrarySpec library_spec() {
    return spec("stock trader", "_ZN12TORASTOCKAPI18CTORATstpTraderApi19CreateTstpTraderApiEPKcbcS2_b",
                "_ZN12TORASTOCKAPI18CTORATstpTraderApi13GetApiVersionEv", VTCORE_SDK_LIBRARY_VERSION_TRADER);
  }
  static Api* create(const sdk::Library& library, const char* flow, const Options& options) {
    // flow folder, encrypted, communication mode, interface address, OrderEx (off: plain InputOrder)
    using Factory = Api* (*)(const char*, bool, char, const char*, bool);
    return reinterpret_cast<Factory>(library.factory)(flow, options.encrypt, TORASTOCKAPI::TORA_TSTP_TCM_TCP, "",
                                                      false);
  }
};

}  // namespace vtcore::tora
