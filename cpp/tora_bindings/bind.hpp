// The Python classes of vtcore._tora: MdApi (XMd) and TraderApi (stock) over the kit's ApiObject.
//
// TORA is Thost-shaped (RegisterFront or RegisterNameServer for FENS, RegisterSpi, Init, ReqXxx(Field*, id) ->
// OnRspXxx), so requests go through the kit's typed `request(index, payload, request_id)`; what differs is wrapped
// here: the XMd factory's modes, SubscribeMarketData's exchange argument (one call per exchange), the trader's
// private and public topics.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tora_requests.hpp"
#include "toraxmd_requests.hpp"
#include "traits.hpp"
#include "vtcore/sdk/bind.hpp"

namespace vtcore::tora {

namespace py = pybind11;

/// register_front(address) / register_name_server(address) (FENS) and request(...).
template <typename Traits, typename Requests, typename Class>
void bind_front(Class& cls) {
  using Self = sdk::ApiObject<Traits>;
  sdk::bind_api_object<Traits>(cls);
  sdk::bind_requests<Traits, Requests>(cls);
  cls.def("register_front",
          [](Self& self, const std::string& address) {
            std::string copy = address;  // the SDK takes char*
            self.with_api([&](typename Traits::Api& api) { api.RegisterFront(copy.data()); });
          })
      .def("register_name_server", [](Self& self, const std::string& address) {
        std::string copy = address;
        self.with_api([&](typename Traits::Api& api) { api.RegisterNameServer(copy.data()); });
      });
}

inline void register_md_api(py::module_& m) {
  using Self = sdk::ApiObject<MdTraits>;
  using Api = TORALEV1API::CTORATstpXMdApi;
  py::class_<Self> cls(m, "MdApi", "TORALEV1API::CTORATstpXMdApi: ticks go to the producer.");
  bind_front<MdTraits, toraxmd::XMdRequests>(cls);
  // SubscribeMarketData(char**, count, exchange): one call per exchange of the (security, exchange id) pairs.
  // options: the SP calls (an option's quotes; the stock calls do not know options).
  auto subscription = [](Self& self, const std::vector<std::pair<std::string, std::string>>& securities, bool subscribe,
                         bool options) {
    std::map<char, std::vector<std::string>> by_exchange;
    for (const auto& [security, exchange] : securities) {
      constexpr std::size_t size = sizeof(TORALEV1API::CTORATstpSpecificSecurityField::SecurityID);
      if (security.empty() || security.size() >= size || security.find('\0') != std::string::npos) {
        throw sdk::RequestError("bad security id (empty, longer than " + std::to_string(size - 1) +
                                " bytes, or with a NUL byte)");
      }
      if (exchange.size() != 1 || exchange_of(exchange[0]) == 0) {
        throw sdk::RequestError("unknown TORA exchange id '" + exchange + "'");
      }
      by_exchange[exchange[0]].push_back(security);
    }
    return self.with_api([&](Api& api) {
      for (auto& [exchange, names] : by_exchange) {
        std::vector<char*> pointers;
        for (auto& name : names) pointers.push_back(name.data());
        const int count = static_cast<int>(pointers.size());
        const int result = options     ? (subscribe ? api.SubscribeSPMarketData(pointers.data(), count, exchange)
                                                    : api.UnSubscribeSPMarketData(pointers.data(), count, exchange))
                           : subscribe ? api.SubscribeMarketData(pointers.data(), count, exchange)
                                       : api.UnSubscribeMarketData(pointers.data(), count, exchange);
        if (result != 0) return result;
      }
      return 0;
    });
  };
  cls.def(py::init([](const std::string& library, const py::object& capsule, const std::string& mode) {
            if (mode.size() != 1) throw sdk::RequestError("the market-data mode is one character");
            return std::make_unique<Self>(library, "", sdk::producer_from(capsule), Options{mode[0], false});
          }),
          py::arg("library"), py::arg("producer_capsule"),
          py::arg("mode") = std::string(1, TORALEV1API::TORA_TSTP_MST_TCP))
      .def(
          "subscribe",
          [subscription](Self& self, const std::vector<std::pair<std::string, std::string>>& securities, bool options) {
            return subscription(self, securities, true, options);
          },
          py::arg("securities"), py::arg("options") = false,
          "Subscribe [(security id, TORA exchange id)] (options: through the SP calls); 0 or the SDK's failure code.")
      .def(
          "unsubscribe",
          [subscription](Self& self, const std::vector<std::pair<std::string, std::string>>& securities, bool options) {
            return subscription(self, securities, false, options);
          },
          py::arg("securities"), py::arg("options") = false)
      .def_property_readonly("ticks_refused", [](Self& self) { return self.spi().ticks_refused(); });
}

/// A trader class (stock or stock-option: the same constructor with a flow folder, private and public topics);
/// `Resume` is the header set's TORA_TE_RESUME_TYPE.
template <typename Traits, typename Requests, typename Resume>
void register_trader(py::module_& m, const char* name, const char* doc) {
  using Self = sdk::ApiObject<Traits>;
  using Api = typename Traits::Api;
  py::class_<Self> cls(m, name, doc);
  bind_front<Traits, Requests>(cls);
  cls.def(py::init(
              [](const std::string& library, const std::string& flow_folder, const py::object& capsule, bool encrypt) {
                return std::make_unique<Self>(library, flow_folder, sdk::producer_from(capsule),
                                              Options{TORALEV1API::TORA_TSTP_MST_TCP, encrypt});
              }),
          py::arg("library"), py::arg("flow_folder"), py::arg("producer_capsule"), py::arg("encrypt") = false)
      .def("subscribe_private_topic",
           [](Self& self, int resume) {
             self.with_api([&](Api& api) { api.SubscribePrivateTopic(static_cast<Resume>(resume)); });
           })
      .def("subscribe_public_topic", [](Self& self, int resume) {
        self.with_api([&](Api& api) { api.SubscribePublicTopic(static_cast<Resume>(resume)); });
      });
}

inline void register_trader_api(py::module_& m) {
  register_trader<TraderTraits, tora::TraderRequests, TORASTOCKAPI::TORA_TE_RESUME_TYPE>(
      m, "TraderApi", "TORASTOCKAPI::CTORATstpTraderApi.");
}

/// `convert_tick(market_data_bytes, local_ns) -> TickRecord bytes | None`: the XMd callback's conversion.
inline void register_tick_conversion(py::module_& m) {
  m.attr("MARKET_DATA_SIZE") = sizeof(MarketData);
  m.def(
      "convert_tick",
      [](const py::bytes& data, std::int64_t local_ns) {
        const std::string raw = data;
        if (raw.size() != sizeof(MarketData)) throw sdk::RequestError("wrong CTORATstpMarketDataField size");
        MarketData md;
        std::memcpy(&md, raw.data(), sizeof(md));
        TickRecord record;
        if (!convert_tick(md, local_ns, record)) return py::object(py::none());
        return py::object(py::bytes(reinterpret_cast<const char*>(&record), sizeof(record)));
      },
      py::arg("data"), py::arg("local_ns"), "MarketData bytes -> TickRecord bytes, as the XMd callback converts them.");
}

}  // namespace vtcore::tora
