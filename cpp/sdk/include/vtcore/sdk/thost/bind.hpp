// The Python classes of a Thost-family binding (CTP, CTP-Mini, and FEMAS's USTP, a CTP relative): MdApi and TraderApi
// over ApiObject, with RegisterFront / Init / GetTradingDay, typed requests, market-data subscriptions and the private
// and public topics. A binding's module.cpp instantiates these with its own Traits (factory, symbols, version).
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "vtcore/exchange.hpp"
#include "vtcore/records.hpp"
#include "vtcore/sdk/bind.hpp"
#include "vtcore/sdk/thost/tick.hpp"

namespace vtcore::sdk::thost {

/// The Options of both Thost APIs: CTP's bIsProductionMode (CTP-Mini's factories have none).
struct Options {
  bool production_mode = true;
};

/// What a Thost-family API's traits share (see ApiObject): a binding adds `library_spec()`, `create()`,
/// `kReleaseNeedsInit`, and for market data the `Depth` and `Instrument` structs, for the trader `ResumeType`.
template <class ApiT, class SpiT>
struct Traits {
  using Api = ApiT;
  using Spi = SpiT;
  using Options = thost::Options;
  /// ReqXxx only hands the struct to the SDK's network thread (vn.py's bindings call them holding the GIL).
  static constexpr bool kRequestsOnlyQueue = true;
  static void init(Api& api) { api.Init(); }
  static void register_spi(Api& api, Spi* spi) { api.RegisterSpi(spi); }
  /// Market-data (un)subscription; a family member that names them otherwise (FEMAS: SubMarketData) hides these.
  static int subscribe(Api& api, char** ids, int count) { return api.SubscribeMarketData(ids, count); }
  static int unsubscribe(Api& api, char** ids, int count) { return api.UnSubscribeMarketData(ids, count); }
  /// The spec of a library whose version comes from the static `version_symbol`.
  static LibrarySpec spec(const char* sdk, const char* kind, const char* factory_symbol, const char* version_symbol,
                          const char* expected_version) {
    return {sdk, kind, factory_symbol, expected_version, static_version_getter(version_symbol), version_matches_prefix,
            {},  {},   "headers"};
  }
};

template <typename Traits, typename Class>
void bind_front(Class& cls) {
  using Self = ApiObject<Traits>;
  bind_api_object<Traits>(cls);
  cls.def(pybind11::init([](const std::string& library, const std::string& flow_folder, const pybind11::object& capsule,
                            bool production_mode) {
            return std::make_unique<Self>(library, flow_folder, producer_from(capsule), Options{production_mode});
          }),
          pybind11::arg("library"), pybind11::arg("flow_folder"), pybind11::arg("producer_capsule"),
          pybind11::arg("production_mode") = true)
      .def("register_front",
           [](Self& self, const std::string& address) {
             std::string copy = address;  // RegisterFront takes char*
             self.with_api([&](typename Traits::Api& api) { api.RegisterFront(copy.data()); });
           })
      .def("trading_day", [](Self& self) {
        return self.with_api([](typename Traits::Api& api) {
          const char* day = api.GetTradingDay();
          return std::string(day ? day : "");
        });
      });
}

/// Instrument ids as the char* array SubscribeMarketData takes; each must fit `Size` (the SDK's field).
template <std::size_t Size>
std::vector<std::string> checked_instruments(const std::vector<std::string>& symbols) {
  for (const auto& symbol : symbols) {
    if (symbol.empty() || symbol.size() >= Size || symbol.find('\0') != std::string::npos) {
      throw RequestError("bad instrument id (empty, longer than " + std::to_string(Size - 1) +
                         " bytes, or with a NUL byte)");
    }
  }
  return symbols;
}

/// Registers MdApi; returns the class so that a binding can add its SDK's own calls.
template <typename Traits, typename Requests>
pybind11::class_<ApiObject<Traits>> register_md_api(pybind11::module_& m, const char* doc) {
  using Self = ApiObject<Traits>;
  using Instrument = typename Traits::Instrument;
  auto subscription = [](Self& self, const std::vector<std::string>& symbols, bool subscribe) {
    std::vector<std::string> copies = checked_instruments<sizeof(Instrument::InstrumentID)>(symbols);
    std::vector<char*> pointers;
    for (auto& symbol : copies) pointers.push_back(symbol.data());
    return self.with_api([&](typename Traits::Api& api) {
      const int count = static_cast<int>(pointers.size());
      return subscribe ? Traits::subscribe(api, pointers.data(), count)
                       : Traits::unsubscribe(api, pointers.data(), count);
    });
  };
  pybind11::class_<Self> cls(m, "MdApi", doc);
  bind_front<Traits>(cls);
  bind_requests<Traits, Requests>(cls);
  cls.def(
         "subscribe",
         [subscription](Self& self, const std::vector<std::pair<std::string, std::string>>& symbols) {
           std::vector<std::string> names;
           for (const auto& [symbol, exchange] : symbols) {
             const std::uint16_t code = exchange_code(exchange);
             if (code == 0) throw RequestError("unknown exchange '" + exchange + "'");
             names.push_back(symbol);
           }
           checked_instruments<sizeof(Instrument::InstrumentID)>(names);
           for (const auto& [symbol, exchange] : symbols) self.spi().set_exchange(symbol, exchange_code(exchange));
           return subscription(self, names, true);
         },
         pybind11::arg("symbols"), "Subscribe [(symbol, exchange value)]; returns the SDK's result code.")
      .def(
          "unsubscribe",
          [subscription](Self& self, const std::vector<std::string>& symbols) {
            return subscription(self, symbols, false);
          },
          pybind11::arg("symbols"))
      .def_property(
          "session_trading_day", [](Self& self) { return self.spi().session_trading_day(); },
          [](Self& self, std::int32_t day) { self.spi().set_session_trading_day(day); })
      .def_property_readonly("ticks_refused", [](Self& self) { return self.spi().ticks_refused(); });
  return cls;
}

/// Registers TraderApi; returns the class so that a binding can add its SDK's own calls.
template <typename Traits, typename Requests>
pybind11::class_<ApiObject<Traits>> register_trader_api(pybind11::module_& m, const char* doc) {
  using Self = ApiObject<Traits>;
  using ResumeType = typename Traits::ResumeType;
  pybind11::class_<Self> cls(m, "TraderApi", doc);
  bind_front<Traits>(cls);
  bind_requests<Traits, Requests>(cls);
  cls.def("subscribe_private_topic",
          [](Self& self, int resume) {
            self.with_api(
                [&](typename Traits::Api& api) { api.SubscribePrivateTopic(static_cast<ResumeType>(resume)); });
          })
      .def("subscribe_public_topic", [](Self& self, int resume) {
        self.with_api([&](typename Traits::Api& api) { api.SubscribePublicTopic(static_cast<ResumeType>(resume)); });
      });
  return cls;
}

/// `convert_tick(depth_bytes, exchange, session_trading_day, local_ns) -> TickRecord bytes | None`: the
/// conversion the market-data callback runs, for tests.
template <typename MdTraits>
void register_tick_conversion(pybind11::module_& m) {
  using Depth = typename MdTraits::Depth;
  m.attr("DEPTH_MARKET_DATA_SIZE") = sizeof(Depth);
  m.def(
      "convert_tick",
      [](const pybind11::bytes& depth, const std::string& exchange, std::int32_t session_trading_day,
         std::int64_t local_ns) {
        const std::string data = depth;
        if (data.size() != sizeof(Depth)) throw RequestError("wrong DepthMarketData size");
        Depth field;
        std::memcpy(&field, data.data(), sizeof(field));
        TickRecord record;
        if (!convert_tick(field, exchange_code(exchange), session_trading_day, local_ns, record)) {
          return pybind11::object(pybind11::none());
        }
        return pybind11::object(pybind11::bytes(reinterpret_cast<const char*>(&record), sizeof(record)));
      },
      pybind11::arg("depth"), pybind11::arg("exchange"), pybind11::arg("session_trading_day"),
      pybind11::arg("local_ns"),
      "The tick conversion the market-data callback runs (for tests): DepthMarketData bytes -> TickRecord bytes.");
}

}  // namespace vtcore::sdk::thost
