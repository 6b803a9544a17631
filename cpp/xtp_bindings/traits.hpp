// What vtcore._xtp loads: XTP's two factories by their mangled names (the libraries are never linked). XTP has no
// static version getter: the version is read from the created object (GetApiVersion is virtual) and checked
// before any other call (ApiObject, object_version). XTP has no Init: Login() connects, synchronously.
#pragma once

#include <cstdint>
#include <string>

#include "tick.hpp"
#include "vtcore/sdk/library.hpp"
#include "xtp_quote_api.h"
#include "xtp_spi.hpp"
#include "xtp_trader_api.h"

namespace vtcore::xtp {

/// The factories' arguments besides the folder: the client id (1-99, one per program logged in to an account)
/// and the SDK's own log level.
struct Options {
  std::uint8_t client_id = 1;
  int log_level = XTP_LOG_LEVEL_INFO;
};

template <class ApiT, class SpiT>
struct Traits {
  using Api = ApiT;
  using Spi = SpiT;
  using Options = xtp::Options;
  static constexpr bool kReleaseNeedsInit = false;
  static void init(Api&) {}  // nothing to start: Login() connects
  static void register_spi(Api& api, Spi* spi) { api.RegisterSpi(spi); }
  static std::string object_version(Api& api) {
    const char* version = api.GetApiVersion();
    return version ? version : "";
  }
  static sdk::LibrarySpec spec(const char* kind, const char* factory_symbol) {
    return {"XTP", kind, factory_symbol, VTCORE_SDK_API_VERSION, {}, sdk::version_matches_prefix, {}};
  }
  template <class Factory>
  static Api* make(const sdk::Library& library, const char* folder, const Options& options) {
    return reinterpret_cast<Factory>(library.factory)(options.client_id, folder,
                                                      static_cast<XTP_LOG_LEVEL>(options.log_level));
  }
};

struct QuoteTraits : Traits<XTP::API::QuoteApi, QuoteSpi> {
  static sdk::LibrarySpec library_spec() {
    return spec("quote", "_ZN3XTP3API8QuoteApi14CreateQuoteApiEhPKc13XTP_LOG_LEVEL");
  }
  static Api* create(const sdk::Library& library, const char* folder, const Options& options) {
    return make<Api* (*)(std::uint8_t, const char*, XTP_LOG_LEVEL)>(library, folder, options);
  }
};

struct TraderTraits : Traits<XTP::API::TraderApi, GeneratedTraderSpi> {
  static sdk::LibrarySpec library_spec() {
    return spec("trader", "_ZN3XTP3API9TraderApi15CreateTraderApiEhPKc13XTP_LOG_LEVEL");
  }
  static Api* create(const sdk::Library& library, const char* folder, const Options& options) {
    return make<Api* (*)(std::uint8_t, const char*, XTP_LOG_LEVEL)>(library, folder, options);
  }
};

}  // namespace vtcore::xtp
