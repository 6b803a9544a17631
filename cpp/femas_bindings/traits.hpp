// What vtcore._femas loads: FEMAS's factories and version getters, by their mangled names (the library is never
// linked), and the version each library must report.
//
// FEMAS's static `GetVersion(int& major, int& minor)` returns an identity text; the Windows DLLs of the pinned
// headers say "Win32 Femas_AllFutures_3.02 L100". A library is accepted when the text after "Femas_AllFutures_"
// starts with the headers' version (3.02): a library of another FEMAS version has other layouts, and a library
// of another SDK lacks the symbol altogether.
#pragma once

#include <string>
#include <string_view>

#include "USTPFtdcMduserApi.h"
#include "USTPFtdcTraderApi.h"
#include "femas_spi.hpp"
#include "vtcore/sdk/thost/bind.hpp"
#include "vtcore/sdk/thost/md_spi.hpp"

namespace vtcore::femas {

/// "Linux64 Femas_AllFutures_3.02 L100" and "Femas_AllFutures_3.02_vtcore-femassim 0.1.0" match "3.02".
inline bool femas_version_matches(std::string_view reported, std::string_view expected) {
  constexpr std::string_view kProduct = "Femas_AllFutures_";
  const std::size_t at = reported.find(kProduct);
  return at != std::string_view::npos && sdk::version_matches_prefix(reported.substr(at + kProduct.size()), expected);
}

/// `const char* GetVersion(int&, int&)` of the library (a static member of each API class).
inline std::function<std::string(void*)> femas_version_getter(std::string symbol) {
  return [symbol = std::move(symbol)](void* handle) -> std::string {
    using Getter = const char* (*)(int&, int&);
    auto* getter = reinterpret_cast<Getter>(::dlsym(handle, symbol.c_str()));
    if (getter == nullptr) throw sdk::LibraryError("it lacks " + symbol);
    int major = 0, minor = 0;
    const char* version = getter(major, minor);
    return version ? version : "";
  };
}

template <class Api, class Spi>
struct Traits : sdk::thost::Traits<Api, Spi> {
  static constexpr bool kReleaseNeedsInit = false;
  static sdk::LibrarySpec spec(const char* kind, const char* factory_symbol, const char* version_symbol) {
    return {"FEMAS",
            kind,
            factory_symbol,
            VTCORE_SDK_API_VERSION,
            femas_version_getter(version_symbol),
            femas_version_matches,
            {}};
  }
  static Api* create(const sdk::Library& library, const char* flow, const sdk::thost::Options&) {
    using Factory = Api* (*)(const char*);  // flow path
    return reinterpret_cast<Factory>(library.factory)(flow);
  }
};

using MdSpi =
    sdk::thost::MdSpi<GeneratedMdSpi, CUstpFtdcDepthMarketDataField, CUstpFtdcRspUserLoginField, CUstpFtdcRspInfoField>;

struct MdTraits : Traits<CUstpFtdcMduserApi, MdSpi> {
  using Depth = CUstpFtdcDepthMarketDataField;
  using Instrument = CUstpFtdcSpecificInstrumentField;
  static sdk::LibrarySpec library_spec() {
    return spec("market-data", "_ZN18CUstpFtdcMduserApi19CreateFtdcMduserApiEPKc",
                "_ZN18CUstpFtdcMduserApi10GetVersionERiS0_");
  }
  static int subscribe(Api& api, char** ids, int count) { return api.SubMarketData(ids, count); }
  static int unsubscribe(Api& api, char** ids, int count) { return api.UnSubMarketData(ids, count); }
};

struct TraderTraits : Traits<CUstpFtdcTraderApi, GeneratedTraderSpi> {
  using ResumeType = USTP_TE_RESUME_TYPE;
  static sdk::LibrarySpec library_spec() {
    return spec("trader", "_ZN18CUstpFtdcTraderApi19CreateFtdcTraderApiEPKc",
                "_ZN18CUstpFtdcTraderApi10GetVersionERiS0_");
  }
};

/// FEMAS's own calls beside the Thost-family ones: the market-data topic (before Init) and the user topic.
template <class Class>
void bind_femas_md_extras(Class& cls) {
  using Self = sdk::ApiObject<MdTraits>;
  cls.def(
      "subscribe_market_data_topic",
      [](Self& self, int topic, int resume) {
        self.with_api([&](CUstpFtdcMduserApi& api) {
          api.SubscribeMarketDataTopic(topic, static_cast<USTP_TE_RESUME_TYPE>(resume));
        });
      },
      pybind11::arg("topic"), pybind11::arg("resume"), "SubscribeMarketDataTopic (call before init()).");
}

template <class Class>
void bind_femas_trader_extras(Class& cls) {
  using Self = sdk::ApiObject<TraderTraits>;
  cls.def(
      "subscribe_user_topic",
      [](Self& self, int resume) {
        self.with_api(
            [&](CUstpFtdcTraderApi& api) { api.SubscribeUserTopic(static_cast<USTP_TE_RESUME_TYPE>(resume)); });
      },
      pybind11::arg("resume"), "SubscribeUserTopic (call before init()).");
}

}  // namespace vtcore::femas
