// libTapQuoteAPI.so: exactly TAP's quote C entry points (quote.map); the API class is this front-end's on the
// simulator core. CreateTapQuoteAPI refuses an empty authorization code, as the real one refuses an invalid one
// (TAPIERROR_AuthCode_Invalid, -14).
#pragma GCC visibility push(default)
#include "TapQuoteAPI.h"
#pragma GCC visibility pop

#include <atomic>

namespace vtcore::sim::tap {
ITapQuoteAPI* create_quote_api(const char* version);
void free_quote_api(ITapQuoteAPI* api);
}  // namespace vtcore::sim::tap

namespace {
constexpr const char* kVersion =
    "Version TapQuoteAPI V" VTCORE_SDK_LIBRARY_VERSION_QUOTE "_vtcore-tapsim " VTCORE_SIM_VERSION;
}

extern "C" {

ITapQuoteAPI* CreateTapQuoteAPI(const TapAPIApplicationInfo* app, TAPIINT32& result) {
  if (app == nullptr || app->AuthCode[0] == '\0') {
    result = -14;  // TAPIERROR_AuthCode_Invalid
    return nullptr;
  }
  result = 0;
  return vtcore::sim::tap::create_quote_api(kVersion);
}

void FreeTapQuoteAPI(ITapQuoteAPI* api) { vtcore::sim::tap::free_quote_api(api); }

const TAPICHAR* GetTapQuoteAPIVersion() { return kVersion; }

TAPIINT32 SetTapQuoteAPIDataPath(const TAPICHAR* path) { return path != nullptr ? 0 : -13; }

TAPIINT32 SetTapQuoteAPILogLevel(TAPILOGLEVEL) { return 0; }

}  // extern "C"
