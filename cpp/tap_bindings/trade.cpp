// vtcore._tap's TradeApi: ITapTrade::ITapTradeAPI (libiTapTradeAPI.so, loaded after libescrypto and libesssl by
// absolute path: it has no RUNPATH for them) with the kit's ApiObject. Every callback is a generated message;
// OnRtnOrder and OnRspOrderAction hand over their order through a pointer inside the notice, so their hooks push
// the order itself (with the notice's session and error code).
#include <pybind11/pybind11.h>

#include <cstring>
#include <memory>
#include <string>

#include "connection.hpp"
#include "iTapTradeAPI.h"
#include "register.hpp"
#include "taptrade_requests.hpp"
#include "taptrade_spi.hpp"
#include "traits.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/sdk/bind.hpp"
#include "vtcore/sdk/producer.hpp"

namespace vtcore::taptrade {
namespace {

class TradeSpi final : public GeneratedTradeSpi {
 public:
  using GeneratedTradeSpi::GeneratedTradeSpi;

  void hook_OnRtnOrder(const TapAPIOrderInfoNotice* info) override {
    const sdk::ErrorCode code{info ? static_cast<std::int32_t>(info->ErrorCode) : 0};
    sdk::push_structs<TapAPIOrderInfo, sdk::ErrorCode>(producer(), kKind_OnRtnOrder,
                                                       info ? static_cast<int>(info->SessionID) : 0, true,
                                                       info ? info->OrderInfo : nullptr, &code);
  }

  void hook_OnRspOrderAction(TAPIUINT32 session, TAPIINT32 error, const TapAPIOrderActionRsp* info) override {
    const sdk::ErrorCode code{error};
    sdk::push_structs<TapAPIOrderInfo, sdk::ErrorCode>(producer(), kKind_OnRspOrderAction, static_cast<int>(session),
                                                       true, info ? info->OrderInfo : nullptr, &code);
  }
};

struct TradeTraits : tap::NoInit {
  using Api = ITapTradeAPI;
  using Spi = TradeSpi;
  using Options = tap::Options;
  static constexpr bool kReleaseNeedsInit = false;
  static sdk::LibrarySpec library_spec() {
    return tap::spec("trade", "CreateITapTradeAPI", "GetITapTradeAPIVersion", VTCORE_SDK_LIBRARY_VERSION_TRADE,
                     {"libescrypto.so.1.1", "libesssl.so.1.1"});  // in this order: libesssl needs libescrypto
  }
  static Api* create(const sdk::Library& library, const char* data_path, const Options& options) {
    using Create = ITapTradeAPI* (*)(const TapAPIApplicationInfo*, TAPIINT32&);
    auto info = tap::application_info<TapAPIApplicationInfo>(options, data_path);
    info.LogLevel = APILOGLEVEL_NONE;
    // The trade API reconnects by itself when both are > 0 (iTapAPICommDef.h): at once, then every 5 s.
    info.ReConnectCount = 3;
    info.ReConnectSeconds = 5;
    TAPIINT32 result = 0;
    ITapTradeAPI* api = reinterpret_cast<Create>(library.factory)(&info, result);
    if (api == nullptr) throw sdk::LibraryError("CreateITapTradeAPI failed with TAP error " + std::to_string(result));
    return api;
  }
  static void register_spi(Api& api, Spi* spi) { api.SetAPINotify(spi); }
  static void destroy(const sdk::Library& library, Api* api) {
    tap::c_function<void (*)(ITapTradeAPI*)>(library, "FreeITapTradeAPI")(api);
  }
};

}  // namespace
}  // namespace vtcore::taptrade

namespace vtcore::tap {

void register_trade(pybind11::module_& m) {
  using namespace vtcore::taptrade;  // NOLINT(google-build-using-namespace): glue only
  using Self = sdk::ApiObject<TradeTraits>;
  pybind11::class_<Self> cls(m, "TradeApi", "ITapTradeAPI: every callback is a message for the gateway.");
  sdk::bind_api_object<TradeTraits>(cls);
  sdk::bind_session_requests<TradeTraits, TradeRequests>(cls);
  tap::bind_connection<TradeTraits, TapAPITradeLoginAuth>(
      cls, &unterminated,
      [](ITapTradeAPI& api, const char* host, std::uint16_t port) { return api.SetHostAddress(host, port, false); },
      "Login(TapAPITradeLoginAuth bytes): connects, then OnRspLogin and OnAPIReady.");
  cls.def(
         "insert_order",
         [](Self& self, const pybind11::buffer& order) {
           const TapAPINewOrder value = sdk::checked_struct<TapAPINewOrder>(order, "InsertOrder", &unterminated);
           TAPIUINT32 session = 0;
           TAPISTR_50 client_order_no{};
           const int result =
               self.with_api([&](ITapTradeAPI& api) { return api.InsertOrder(&session, &client_order_no, &value); });
           return pybind11::make_tuple(result, session, pybind11::bytes(std::string(fixed_view(client_order_no))));
         },
         pybind11::arg("order"),
         "InsertOrder(TapAPINewOrder bytes): (the SDK's result, the session id, the ClientOrderNo it gave).")
      .def(
          "error_describe",
          [](Self& self, int code) {
            using Describe = const char* (*)(TAPIINT32);
            const char* text = c_function<Describe>(self.library(), "GetITapErrorDescribe")(code);
            return pybind11::bytes(text ? text : "");
          },
          pybind11::arg("code"), "The library's own text for a TAP error code (GetITapErrorDescribe; GB18030).");
  sdk::register_library_version<TradeTraits>(m, "trade_library_version");
}

}  // namespace vtcore::tap
