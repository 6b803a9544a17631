// What both TAP APIs share: the version check and the shape of their traits (see ApiObject).
//
// TAP's libraries are C entry points (extern "C" Create/Free/Get...Version), not static members; an API object
// is freed by the library's Free function, and its callbacks go to an ITap...APINotify set by SetAPINotify. A
// library reports "Version TapQuoteAPI V9.3.1.11, Date 2026.07.29": the token after "V" must start with the
// build version the manifest pins for that library (sdk/manifest.toml, library_versions quote= / trade=), since
// the quote and trade libraries carry their own versions.
#pragma once

#include <dlfcn.h>

#include <string>
#include <string_view>

#include "vtcore/sdk/library.hpp"

#ifndef VTCORE_SDK_LIBRARY_VERSION_QUOTE
#define VTCORE_SDK_LIBRARY_VERSION_QUOTE VTCORE_SDK_API_VERSION
#endif
#ifndef VTCORE_SDK_LIBRARY_VERSION_TRADE
#define VTCORE_SDK_LIBRARY_VERSION_TRADE VTCORE_SDK_API_VERSION
#endif

namespace vtcore::tap {

/// "Version TapQuoteAPI V9.3.1.11, Date 2026.07.29" and "Version TapQuoteAPI V9.3.1.11_vtcore-tapsim 0.1.0"
/// match "9.3.1.11": the first word starting with V and a digit, checked as a version prefix.
inline bool tap_version_matches(std::string_view reported, std::string_view expected) {
  for (std::size_t at = reported.find('V'); at != std::string_view::npos; at = reported.find('V', at + 1)) {
    if (at + 1 < reported.size() && reported[at + 1] >= '0' && reported[at + 1] <= '9' &&
        (at == 0 || reported[at - 1] == ' ')) {
      std::string_view token = reported.substr(at);
      token = token.substr(0, token.find_first_of(", "));
      return sdk::version_matches_prefix(token, expected);
    }
  }
  return false;
}

/// The spec of one TAP library: its C factory and version getter, the version it must report, what to load
/// first (the trade library's SSL libraries, by absolute path from the same folder: it has no RUNPATH).
inline sdk::LibrarySpec spec(const char* kind, const char* factory, const char* version_getter, const char* expected,
                             std::vector<std::string> preload = {}) {
  return {"TAP",
          kind,
          factory,
          expected,
          sdk::static_version_getter(version_getter),
          tap_version_matches,
          std::move(preload)};
}

/// A C function of the library (`FreeTapQuoteAPI`, ...), or LibraryError naming it.
template <typename Function>
Function c_function(const sdk::Library& library, const char* name) {
  auto* function = reinterpret_cast<Function>(library.symbol(name));
  if (function == nullptr) throw sdk::LibraryError(library.path + " is not a TAP library (it lacks " + name + ")");
  return function;
}

/// TAP has no Init(): the connection starts at Login (the Python class's login()).
struct NoInit {
  template <typename Api>
  static void init(Api&) {}
};

/// The factory's extra argument: the authorization code Esunny issues (TapAPIApplicationInfo.AuthCode).
struct Options {
  std::string auth_code;
};

}  // namespace vtcore::tap
