// The Python classes of vtcore._xtp: QuoteApi and TraderApi over the kit's ApiObject.
//
// XTP's calls are not Thost-shaped, so they are wrapped here by hand: Login() blocks (seconds on a refused
// address; the GIL is released, as for every SDK call) and returns a session id (trader) or 0/-1 (quote);
// InsertOrder/CancelOrder return an order id (0 on failure, GetApiLastError() then says why); queries take the
// session id; subscriptions are grouped by exchange. The generated `TraderRequests` (Query*(param, session,
// request_id)) are sent through `request(index, payload, request_id, session)`.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tick.hpp"
#include "traits.hpp"
#include "vtcore/sdk/bind.hpp"
#include "xtp_requests.hpp"

namespace vtcore::xtp {

namespace py = pybind11;

/// (error_id, error_msg) of the API's last error.
template <class Api>
std::tuple<int, std::string> last_error(Api& api) {
  const XTPRI* error = api.GetApiLastError();
  if (error == nullptr) return {0, ""};
  return {error->error_id, std::string(fixed_view(error->error_msg))};
}

/// A struct from a Python buffer: exactly its size, and (when given) its text fields terminated.
template <class Struct>
Struct struct_from(const py::buffer& payload, const char* name) {
  const py::buffer_info view = payload.request();
  const auto size = static_cast<std::size_t>(view.size * view.itemsize);
  if (size != sizeof(Struct)) {
    throw sdk::RequestError(std::string(name) + ": the payload is " + std::to_string(size) + " bytes, it must be " +
                            std::to_string(sizeof(Struct)));
  }
  Struct copy;
  std::memcpy(&copy, view.ptr, sizeof(copy));
  return copy;
}

inline void check_ticker(const std::string& ticker) {
  if (ticker.empty() || ticker.size() >= XTP_TICKER_LEN || ticker.find('\0') != std::string::npos) {
    throw sdk::RequestError("bad ticker (empty, longer than " + std::to_string(XTP_TICKER_LEN - 1) +
                            " bytes, or with a NUL byte)");
  }
}

template <typename Traits, typename Class>
void bind_common(Class& cls) {
  using Self = sdk::ApiObject<Traits>;
  sdk::bind_api_object<Traits>(cls);
  cls.def(py::init([](const std::string& library, const std::string& folder, const py::object& capsule, int client_id,
                      int log_level) {
            if (client_id < 1 || client_id > 255) throw sdk::RequestError("client_id must be 1..255");
            return std::make_unique<Self>(library, folder, sdk::producer_from(capsule),
                                          Options{static_cast<std::uint8_t>(client_id), log_level});
          }),
          py::arg("library"), py::arg("folder"), py::arg("producer_capsule"), py::arg("client_id") = 1,
          py::arg("log_level") = static_cast<int>(XTP_LOG_LEVEL_INFO))
      .def(
          "last_error",
          [](Self& self) { return self.with_api([](typename Traits::Api& api) { return last_error(api); }); },
          "(error_id, error_msg) of the last failed call.")
      .def("trading_day",
           [](Self& self) {
             return self.with_api([](typename Traits::Api& api) {
               const char* day = api.GetTradingDay();
               return std::string(day ? day : "");
             });
           })
      .def("set_heartbeat_interval", [](Self& self, std::uint32_t seconds) {
        self.with_api([&](typename Traits::Api& api) { api.SetHeartBeatInterval(seconds); });
      });
}

/// Login(ip, port, user, password, protocol, local_ip) with the GIL released (it blocks until connected or
/// refused); the strings are copied first.
template <typename Traits, typename Class>
void bind_login(Class& cls) {
  using Self = sdk::ApiObject<Traits>;
  cls.def(
      "login",
      [](Self& self, const std::string& ip, int port, const std::string& user, const std::string& password,
         int protocol, const std::string& local_ip) {
        return self.with_api([&](typename Traits::Api& api) {
          return static_cast<std::uint64_t>(api.Login(ip.c_str(), port, user.c_str(), password.c_str(),
                                                      static_cast<XTP_PROTOCOL_TYPE>(protocol),
                                                      local_ip.empty() ? nullptr : local_ip.c_str()));
        });
      },
      py::arg("ip"), py::arg("port"), py::arg("user"), py::arg("password"), py::arg("protocol"),
      py::arg("local_ip") = "",
      "Connect and log in (blocks). Quote: 0 on success, else non-zero; trader: the session id, 0 on failure.");
}

inline void register_quote_api(py::module_& m) {
  using Self = sdk::ApiObject<QuoteTraits>;
  py::class_<Self> cls(m, "QuoteApi", "XTP::API::QuoteApi: ticks go to the producer.");
  bind_common<QuoteTraits>(cls);
  bind_login<QuoteTraits>(cls);
  // SubscribeMarketData(char*[], count, exchange) per exchange: a request names (ticker, XTP exchange) pairs.
  auto subscription = [](Self& self, const std::vector<std::pair<std::string, int>>& tickers, bool subscribe) {
    std::map<int, std::vector<std::string>> by_exchange;
    for (const auto& [ticker, exchange] : tickers) {
      check_ticker(ticker);
      if (exchange != XTP_EXCHANGE_SH && exchange != XTP_EXCHANGE_SZ) {
        throw sdk::RequestError("unknown XTP exchange " + std::to_string(exchange));
      }
      by_exchange[exchange].push_back(ticker);
    }
    return self.with_api([&](XTP::API::QuoteApi& api) {
      for (auto& [exchange, names] : by_exchange) {
        std::vector<char*> pointers;
        for (auto& name : names) pointers.push_back(name.data());
        const auto id = static_cast<XTP_EXCHANGE_TYPE>(exchange);
        const int count = static_cast<int>(pointers.size());
        const int result = subscribe ? api.SubscribeMarketData(pointers.data(), count, id)
                                     : api.UnSubscribeMarketData(pointers.data(), count, id);
        if (result != 0) return result;
      }
      return 0;
    });
  };
  cls.def("logout", [](Self& self) { return self.with_api([](XTP::API::QuoteApi& api) { return api.Logout(); }); })
      .def(
          "subscribe",
          [subscription](Self& self, const std::vector<std::pair<std::string, int>>& tickers) {
            return subscription(self, tickers, true);
          },
          py::arg("tickers"), "Subscribe [(ticker, XTP exchange id)]; 0, or the SDK's failure code.")
      .def(
          "unsubscribe",
          [subscription](Self& self, const std::vector<std::pair<std::string, int>>& tickers) {
            return subscription(self, tickers, false);
          },
          py::arg("tickers"))
      .def(
          "query_all_tickers",
          [](Self& self, int exchange) {
            return self.with_api(
                [&](XTP::API::QuoteApi& api) { return api.QueryAllTickers(static_cast<XTP_EXCHANGE_TYPE>(exchange)); });
          },
          py::arg("exchange"), "Static information of every ticker of an exchange (OnQueryAllTickers).")
      .def(
          "query_all_tickers_full_info",
          [](Self& self, int exchange) {
            return self.with_api([&](XTP::API::QuoteApi& api) {
              return api.QueryAllTickersFullInfo(static_cast<XTP_EXCHANGE_TYPE>(exchange));
            });
          },
          py::arg("exchange"))
      .def_property_readonly("ticks_refused", [](Self& self) { return self.spi().ticks_refused(); });
}

inline void register_trader_api(py::module_& m) {
  using Self = sdk::ApiObject<TraderTraits>;
  using Api = XTP::API::TraderApi;
  py::class_<Self> cls(m, "TraderApi", "XTP::API::TraderApi.");
  bind_common<TraderTraits>(cls);
  bind_login<TraderTraits>(cls);
  cls.def(
         "logout",
         [](Self& self, std::uint64_t session) { return self.with_api([&](Api& api) { return api.Logout(session); }); },
         py::arg("session"))
      .def(
          "set_software_key",
          [](Self& self, const std::string& key) { self.with_api([&](Api& api) { api.SetSoftwareKey(key.c_str()); }); },
          py::arg("key"))
      .def(
          "set_software_version",
          [](Self& self, const std::string& version) {
            self.with_api([&](Api& api) { api.SetSoftwareVersion(version.c_str()); });
          },
          py::arg("version"))
      .def(
          "subscribe_public_topic",
          [](Self& self, int resume) {
            self.with_api([&](Api& api) { api.SubscribePublicTopic(static_cast<XTP_TE_RESUME_TYPE>(resume)); });
          },
          py::arg("resume"))
      .def(
          "insert_order",
          [](Self& self, const py::buffer& payload, std::uint64_t session) {
            XTPOrderInsertInfo order = struct_from<XTPOrderInsertInfo>(payload, "InsertOrder");
            if (std::memchr(order.ticker, 0, sizeof(order.ticker)) == nullptr) {
              throw sdk::RequestError("InsertOrder: field ticker has no terminator");
            }
            // InsertOrder returns the order id at once and sends it on the SDK's connection: keeping the GIL
            // (when no other call holds the lock) saves the order path a thread switch, as for Thost.
            return self.with_api_queued([&](Api& api) { return api.InsertOrder(&order, session); });
          },
          py::arg("payload"), py::arg("session"),
          "Send an XTPOrderInsertInfo; the XTP order id, 0 when refused (last_error() says why).")
      .def(
          "cancel_order",
          [](Self& self, std::uint64_t order_xtp_id, std::uint64_t session) {
            return self.with_api_queued([&](Api& api) { return api.CancelOrder(order_xtp_id, session); });
          },
          py::arg("order_xtp_id"), py::arg("session"), "The cancel's id, 0 when refused (last_error()).")
      .def(
          "query_position",
          [](Self& self, const std::string& ticker, std::uint64_t session, int request_id, int market) {
            if (ticker.size() >= XTP_TICKER_LEN) throw sdk::RequestError("ticker too long");
            return self.with_api([&](Api& api) {
              return api.QueryPosition(ticker.c_str(), session, request_id, static_cast<XTP_MARKET_TYPE>(market));
            });
          },
          py::arg("ticker"), py::arg("session"), py::arg("request_id"), py::arg("market") = 0)
      .def(
          "request",
          [](Self& self, int index, const py::buffer& payload, int request_id, std::uint64_t session) {
            const py::buffer_info view = payload.request();
            const auto size = static_cast<std::size_t>(view.size * view.itemsize);
            if (size > TraderRequests::max_size) sdk::check_request<TraderRequests>(index, nullptr, size);
            alignas(8) std::byte copy[TraderRequests::max_size > 0 ? TraderRequests::max_size : 1];
            if (size) std::memcpy(copy, view.ptr, size);
            sdk::check_request<TraderRequests>(index, copy, size);
            return self.with_api([&](Api& api) { return TraderRequests::call(api, index, copy, request_id, session); });
          },
          py::arg("index"), py::arg("payload"), py::arg("request_id"), py::arg("session"),
          "Send query `index` (TRADER_REQUESTS) with its packed struct; 0, or the SDK's failure code.");
}

/// `convert_tick(market_data_bytes, local_ns) -> TickRecord bytes | None`: the quote callback's conversion.
inline void register_tick_conversion(py::module_& m) {
  m.attr("MARKET_DATA_SIZE") = sizeof(XTPMD);
  m.def(
      "convert_tick",
      [](const py::bytes& data, std::int64_t local_ns) {
        const std::string raw = data;
        if (raw.size() != sizeof(XTPMD)) throw sdk::RequestError("wrong XTPMD size");
        XTPMD md;
        std::memcpy(&md, raw.data(), sizeof(md));
        TickRecord record;
        if (!convert_tick(md, local_ns, record)) return py::object(py::none());
        return py::object(py::bytes(reinterpret_cast<const char*>(&record), sizeof(record)));
      },
      py::arg("data"), py::arg("local_ns"), "XTPMD bytes -> TickRecord bytes, as the quote callback converts them.");
}

}  // namespace vtcore::xtp
