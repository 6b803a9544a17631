// What vtcore._mini loads: CTP-Mini's factories and version getters, by their mangled names (the library is
// never linked; the names are CTP's, with other signatures), and the versions its libraries report: the
// market-data library of Mini 1.7.7 reports 1.7.5 (sdk/manifest.toml, library_versions).
//
// CTP-Mini crashes when Release() is called on an API object that was never Init()ed (vendor-sdks.md §3.1):
// kReleaseNeedsInit makes release() leave such an object alone.
#pragma once

#include "ThostFtdcMdApi.h"
#include "ThostFtdcTraderApi.h"
#include "mini_spi.hpp"
#include "vtcore/sdk/thost/bind.hpp"
#include "vtcore/sdk/thost/md_spi.hpp"

#ifndef VTCORE_SDK_LIBRARY_VERSION_MD
#define VTCORE_SDK_LIBRARY_VERSION_MD VTCORE_SDK_API_VERSION
#endif
#ifndef VTCORE_SDK_LIBRARY_VERSION_TRADER
#define VTCORE_SDK_LIBRARY_VERSION_TRADER VTCORE_SDK_API_VERSION
#endif

namespace vtcore::mini {

using MdSpi = sdk::thost::MdSpi<GeneratedMdSpi, CThostFtdcDepthMarketDataField, CThostFtdcRspUserLoginField,
                                CThostFtdcRspInfoField>;

struct MdTraits : sdk::thost::Traits<CThostFtdcMdApi, MdSpi> {
  using Depth = CThostFtdcDepthMarketDataField;
  using Instrument = CThostFtdcSpecificInstrumentField;
  static constexpr bool kReleaseNeedsInit = true;
  static sdk::LibrarySpec library_spec() {
    return spec("CTP-Mini", "market-data", "_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbb",
                "_ZN15CThostFtdcMdApi13GetApiVersionEv", VTCORE_SDK_LIBRARY_VERSION_MD);
  }
  static Api* create(const sdk::Library& library, const char* flow, const Options&) {
    using Factory = Api* (*)(const char*, bool, bool);  // flow, UDP, multicast (both unused by Mini)
    return reinterpret_cast<Factory>(library.factory)(flow, false, false);
  }
};

struct TraderTraits : sdk::thost::Traits<CThostFtdcTraderApi, GeneratedTraderSpi> {
  using ResumeType = THOST_TE_RESUME_TYPE;
  static constexpr bool kReleaseNeedsInit = true;
  static sdk::LibrarySpec library_spec() {
    return spec("CTP-Mini", "trader", "_ZN19CThostFtdcTraderApi19CreateFtdcTraderApiEPKc",
                "_ZN19CThostFtdcTraderApi13GetApiVersionEv", VTCORE_SDK_LIBRARY_VERSION_TRADER);
  }
  static Api* create(const sdk::Library& library, const char* flow, const Options&) {
    using Factory = Api* (*)(const char*);  // flow
    return reinterpret_cast<Factory>(library.factory)(flow);
  }
};

}  // namespace vtcore::mini
