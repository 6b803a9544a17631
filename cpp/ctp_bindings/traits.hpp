// What vtcore._ctp loads: CTP's factories and version getters, by their mangled names (the library is never
// linked), and the header version each library must report.
#pragma once

#include "ThostFtdcMdApi.h"
#include "ThostFtdcTraderApi.h"
#include "ctp_spi.hpp"
#include "vtcore/sdk/thost/bind.hpp"
#include "vtcore/sdk/thost/md_spi.hpp"

namespace vtcore::ctp {

using MdSpi = sdk::thost::MdSpi<GeneratedMdSpi, CThostFtdcDepthMarketDataField, CThostFtdcRspUserLoginField,
                                CThostFtdcRspInfoField>;

struct MdTraits : sdk::thost::Traits<CThostFtdcMdApi, MdSpi> {
  using Depth = CThostFtdcDepthMarketDataField;
  using Instrument = CThostFtdcSpecificInstrumentField;
  static constexpr bool kReleaseNeedsInit = false;
  static sdk::LibrarySpec library_spec() {
    return spec("CTP", "market-data", "_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbbb",
                "_ZN15CThostFtdcMdApi13GetApiVersionEv", VTCORE_SDK_API_VERSION);
  }
  static Api* create(const sdk::Library& library, const char* flow, const Options& options) {
    using Factory = Api* (*)(const char*, bool, bool, bool);  // flow, UDP, multicast, production mode
    return reinterpret_cast<Factory>(library.factory)(flow, false, false, options.production_mode);
  }
};

struct TraderTraits : sdk::thost::Traits<CThostFtdcTraderApi, GeneratedTraderSpi> {
  using ResumeType = THOST_TE_RESUME_TYPE;
  static constexpr bool kReleaseNeedsInit = false;
  static sdk::LibrarySpec library_spec() {
    return spec("CTP", "trader", "_ZN19CThostFtdcTraderApi19CreateFtdcTraderApiEPKcb",
                "_ZN19CThostFtdcTraderApi13GetApiVersionEv", VTCORE_SDK_API_VERSION);
  }
  static Api* create(const sdk::Library& library, const char* flow, const Options& options) {
    using Factory = Api* (*)(const char*, bool);  // flow, production mode
    return reinterpret_cast<Factory>(library.factory)(flow, options.production_mode);
  }
};

}  // namespace vtcore::ctp
