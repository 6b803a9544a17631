// vtcore._tap: TAP's (Esunny 9.x) quote and trade APIs on vendor libraries loaded by path (see cpp/sdk/ and
// traits.hpp here): C factories, SetHostAddress + Login(struct), request ids assigned by the SDK.
#include "register.hpp"
#include "vtcore/sdk/bind.hpp"

PYBIND11_MODULE(_tap, m) {
  m.doc() = "TAP quote and trade APIs on vendor libraries loaded by path (see vtcore.gateways.tap).";
  vtcore::sdk::register_version(m, VTCORE_SDK_API_VERSION);
  vtcore::sdk::register_errors(m);
  vtcore::tap::register_quote(m);
  vtcore::tap::register_trade(m);
}
