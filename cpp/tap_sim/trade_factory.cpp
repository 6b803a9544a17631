// libiTapTradeAPI.so: exactly TAP's trade C entry points (trade.map); the API class is this front-end's on the
// simulator core. Creating one runs libesssl's initialisation, so that, like the real library, this one needs its
// SSL libraries loaded (see CMakeLists.txt).
#pragma GCC visibility push(default)
#include <cstring>

#include "iTapTradeAPI.h"
#pragma GCC visibility pop

namespace vtcore::sim::tap {
ITapTrade::ITapTradeAPI* create_trade_api(const char* version);
void free_trade_api(ITapTrade::ITapTradeAPI* api);
const char* error_text(int code);
}  // namespace vtcore::sim::tap

extern "C" int OPENSSL_init_ssl(unsigned long long options, const void* settings);

namespace {
constexpr const char* kVersion =
    "Version iTapTradeAPI V" VTCORE_SDK_LIBRARY_VERSION_TRADE "_vtcore-tapsim " VTCORE_SIM_VERSION;
}

extern "C" {

ITapTrade::ITapTradeAPI* CreateITapTradeAPI(const ITapTrade::TapAPIApplicationInfo* app, ITapTrade::TAPIINT32& result) {
  if (app == nullptr || app->AuthCode[0] == '\0') {
    result = -14;  // TAPIERROR_AuthCode_Invalid
    return nullptr;
  }
  if (OPENSSL_init_ssl(0, nullptr) != 1) {
    result = -11;  // TAPIERROR_InnerError
    return nullptr;
  }
  result = 0;
  return vtcore::sim::tap::create_trade_api(kVersion);
}

void FreeITapTradeAPI(ITapTrade::ITapTradeAPI* api) { vtcore::sim::tap::free_trade_api(api); }

const ITapTrade::TAPICHAR* GetITapTradeAPIVersion() { return kVersion; }

const char* GetITapErrorDescribe(ITapTrade::TAPIINT32 code) { return vtcore::sim::tap::error_text(code); }

}  // extern "C"
