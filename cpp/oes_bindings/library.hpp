// liboes_api.so, the one library of OES trading (OesApi_*) and market data (MdsApi_*), loaded by path with the
// kit (cpp/sdk: dlopen RTLD_NOW | RTLD_LOCAL, never linked, never RTLD_GLOBAL) and checked before any other call:
//
//   1. OesApi_GetApiVersion() and MdsApi_GetApiVersion() must report the version vtcore's declarations describe
//      (sdk/oes/<version>.spec); a 0.16.x or 0.15.x library is refused naming both versions, also when it cannot
//      be bound at all on this glibc (0.16.x needs pthread_mutexattr_setrobust_np: its version is read lazily);
//   2. the version marker __OesApi_IsApiVersionMatched__<value> / __MdsApi_... must exist and answer TRUE (the
//      headers' own link-time check; 0.16.0.4 has none);
//   3. every function of the spec is looked up by name; a library without one is not an OES library.
//
// The real library's quirks: it calls libm (pow, floor) and libpthread without declaring them (no DT_NEEDED), so
// those are opened by soname with RTLD_GLOBAL first (`system_preload`); and it exports its own cJSON_* functions,
// which RTLD_LOCAL keeps out of the process's global scope (nothing of vtcore's exports cJSON: tests check).
#pragma once

#include <memory>
#include <string>

#include "oes_declared.h"
#include "vtcore/sdk/library.hpp"

namespace vtcore::oes {

inline constexpr const char* kApiVersion = VTCORE_SDK_API_VERSION;  // "0.17.5.8"

/// An opened, checked liboes_api.so and its functions.
struct OesLibrary {
  std::string path;
  std::string version;      // OesApi_GetApiVersion()
  std::string mds_version;  // MdsApi_GetApiVersion()
  abi::Functions fn;
};

inline sdk::LibrarySpec library_spec(const char* kind, const char* version_symbol, const char* entry_symbol) {
  sdk::LibrarySpec spec;
  spec.sdk = "OES";
  spec.kind = kind;
  spec.factory_symbol = entry_symbol;  // a C API has no factory: its first entry point stands for it
  spec.expected_version = kApiVersion;
  spec.read_version = sdk::static_version_getter(version_symbol);
  spec.system_preload = {"libm.so.6", "libpthread.so.0"};
  spec.built_from = "declarations";
  return spec;
}

/// Opens and checks `path` (call with the GIL released: dlopen runs the library's constructors). Throws
/// sdk::LibraryError (cannot load, not an OES library) or sdk::VersionMismatchError (another version).
inline std::shared_ptr<const OesLibrary> open_oes_library(const std::string& path) {
  const sdk::Library trading =
      sdk::open_library(path, library_spec("trading (OesApi)", "OesApi_GetApiVersion", "OesApi_InitOrdChannel2"));
  const sdk::Library market =
      sdk::open_library(path, library_spec("market-data (MdsApi)", "MdsApi_GetApiVersion", "MdsApi_InitTcpChannel2"));
  auto library = std::make_shared<OesLibrary>(OesLibrary{path, trading.version, market.version, {}});
  if (const char* missing = abi::resolve(trading.handle, library->fn)) {
    throw sdk::LibraryError(path + " is not an OES " + kApiVersion + " library (it lacks " + missing + ")");
  }
  if (!library->fn.__OesApi_IsApiVersionMatched__1001705081() ||
      !library->fn.__MdsApi_IsApiVersionMatched__1001705081()) {
    throw sdk::VersionMismatchError(path + " reports API version '" + library->version +
                                    "' but its version marker for " + kApiVersion + " answers FALSE");
  }
  return library;
}

}  // namespace vtcore::oes
