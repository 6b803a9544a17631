// vtcore._oes: OES trading and MDS market data on a liboes_api.so loaded by path (library.hpp), declared by vtcore
// itself from the documented 0.17.5.8 layouts (sdk/oes/0.17.5.8.spec -> oes_declared.h).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "library.hpp"
#include "market.hpp"
#include "trading.hpp"
#include "vtcore/sdk/bind.hpp"
#include "vtcore/sdk/producer.hpp"

namespace py = pybind11;
using namespace vtcore::oes;  // NOLINT(google-build-using-namespace): module glue only

namespace {

std::shared_ptr<const OesLibrary> load(const std::string& path) {
  py::gil_scoped_release unlocked;
  return open_oes_library(path);
}

/// The bytes of a request struct from Python (its generated class checked every field): the size must be the
/// struct's and each text field must hold its terminator, so the library never reads past a field.
template <typename Request>
Request request_from(const py::buffer& payload, const char* name) {
  const py::buffer_info view = payload.request();
  const auto size = static_cast<std::size_t>(view.size * view.itemsize);
  if (size != sizeof(Request)) {
    throw vtcore::sdk::RequestError(std::string(name) + ": the payload is " + std::to_string(size) + " bytes, not " +
                                    std::to_string(sizeof(Request)));
  }
  Request request;
  std::memcpy(&request, view.ptr, sizeof(Request));
  auto terminated = [&](const auto& field, const char* field_name) {
    if (std::memchr(field, '\0', sizeof(field)) == nullptr) {
      throw vtcore::sdk::RequestError(std::string(name) + "." + field_name + " has no terminator");
    }
  };
  terminated(request.invAcctId, "invAcctId");
  terminated(request.securityId, "securityId");
  return request;
}

Endpoint endpoint(const std::string& uri, const std::string& username, const std::string& password, int heartbeat,
                  int connect_timeout_ms) {
  return Endpoint{uri, username, password, heartbeat, connect_timeout_ms};
}

void register_trading(py::module_& m) {
  py::class_<TradingSession, std::shared_ptr<TradingSession>>(
      m, "Trading", "The order, report and query channels of one OES account, on their own thread.")
      .def(py::init([](const std::string& library, const py::object& capsule, const std::string& order_address,
                       const std::string& report_address, const std::string& query_address, const std::string& username,
                       const std::string& password, const std::string& customize_ip, const std::string& customize_mac,
                       const std::string& driver_id, int heartbeat, int connect_timeout_ms, std::int32_t report_types,
                       std::int64_t last_report) {
             TradingConfig config{endpoint(order_address, username, password, heartbeat, connect_timeout_ms),
                                  endpoint(report_address, username, password, heartbeat, connect_timeout_ms),
                                  endpoint(query_address, username, password, heartbeat, connect_timeout_ms),
                                  customize_ip,
                                  customize_mac,
                                  driver_id,
                                  report_types,
                                  last_report};
             return std::make_shared<TradingSession>(load(library), vtcore::sdk::producer_from(capsule), config);
           }),
           py::arg("library"), py::arg("producer_capsule"), py::kw_only(), py::arg("order_address"),
           py::arg("report_address"), py::arg("query_address"), py::arg("username"), py::arg("password"),
           py::arg("customize_ip") = "", py::arg("customize_mac") = "", py::arg("driver_id") = "",
           py::arg("heartbeat") = 30, py::arg("connect_timeout_ms") = 5000, py::arg("report_types") = 0,
           py::arg("last_report") = 0)
      .def("start", &TradingSession::start, "Start the thread: connect, then deliver reports and run queries.")
      .def("stop", &TradingSession::stop, py::arg("timeout_ms") = 2000, py::call_guard<py::gil_scoped_release>(),
           "Log out and end the thread (waits up to timeout_ms).")
      .def("reconnect", &TradingSession::reconnect, "Connect again now (also after a refused login).")
      .def(
          "send_order",
          [](TradingSession& self, const py::buffer& payload) {
            const auto request = request_from<vtcore::oes::abi::OesOrdReqT>(payload, "OesOrdReq");
            py::gil_scoped_release unlocked;
            return self.send_order(request);
          },
          py::arg("payload"), "Send an OesOrdReqT; 0 or -errno.")
      .def(
          "send_cancel",
          [](TradingSession& self, const py::buffer& payload) {
            const auto request = request_from<vtcore::oes::abi::OesOrdCancelReqT>(payload, "OesOrdCancelReq");
            py::gil_scoped_release unlocked;
            return self.send_cancel(request);
          },
          py::arg("payload"), "Send an OesOrdCancelReqT; 0 or -errno.")
      .def(
          "query",
          [](TradingSession& self, std::int32_t query_id, std::int32_t kind, const py::bytes& filter) {
            self.query(query_id, kind, std::string(filter));
          },
          py::arg("query_id"), py::arg("kind"), py::arg("filter") = py::bytes(),
          "Queue a query (QUERY_* kind, its filter struct's bytes or b'' for all).")
      .def("error_message", &TradingSession::error_message, py::arg("code"),
           "The library's text for an OES error code or errno.")
      .def_property_readonly("connected", &TradingSession::connected)
      .def_property_readonly("last_report", &TradingSession::last_report);
}

void register_market(py::module_& m) {
  py::class_<MarketSession, std::shared_ptr<MarketSession>>(
      m, "Market", "The MDS TCP channel: snapshots become TickRecords in the producer's ring, on its own thread.")
      .def(py::init([](const std::string& library, const py::object& capsule, const std::string& address,
                       const std::string& username, const std::string& password, int heartbeat, int connect_timeout_ms,
                       std::int32_t data_types) {
             return std::make_shared<MarketSession>(
                 load(library), vtcore::sdk::producer_from(capsule),
                 endpoint(address, username, password, heartbeat, connect_timeout_ms), data_types);
           }),
           py::arg("library"), py::arg("producer_capsule"), py::kw_only(), py::arg("address"), py::arg("username"),
           py::arg("password"), py::arg("heartbeat") = 30, py::arg("connect_timeout_ms") = 5000,
           py::arg("data_types") = vtcore::oes::abi::MDS_SUB_DATA_TYPE_L1_SNAPSHOT |
                                   vtcore::oes::abi::MDS_SUB_DATA_TYPE_L2_SNAPSHOT |
                                   vtcore::oes::abi::MDS_SUB_DATA_TYPE_INDEX_SNAPSHOT)
      .def("start", &MarketSession::start)
      .def("stop", &MarketSession::stop, py::arg("timeout_ms") = 2000, py::call_guard<py::gil_scoped_release>())
      .def("reconnect", &MarketSession::reconnect)
      .def(
          "subscribe",
          [](MarketSession& self, const std::vector<std::tuple<int, int, std::int32_t>>& securities, bool add) {
            std::vector<Security> items;
            for (const auto& [exchange, product_type, code] : securities) {
              items.push_back({static_cast<std::uint8_t>(exchange), static_cast<std::uint8_t>(product_type), code});
            }
            self.subscribe(items, add);
          },
          py::arg("securities"), py::arg("add") = true,
          "Add (or with add=False withdraw) (MDS exchange, product type, code) subscriptions.")
      .def(
          "set_limits",
          [](MarketSession& self, int exchange, std::int32_t code, double up, double down) {
            self.set_limits({static_cast<std::uint8_t>(exchange), 1, code}, {up, down});
          },
          py::arg("exchange"), py::arg("code"), py::arg("limit_up"), py::arg("limit_down"),
          "The price limits ticks of that security carry (MDS sends none).")
      .def_property_readonly("connected", &MarketSession::connected)
      .def_property_readonly("snapshots", &MarketSession::snapshots)
      .def_property_readonly("unconverted", &MarketSession::unconverted);
}

void register_constants(py::module_& m) {
  m.attr("STATE_SIZE") = sizeof(StateMessage);
  m.attr("KIND_STATE") = static_cast<int>(kState);
  m.attr("KIND_REPORT") = static_cast<int>(kReport);
  m.attr("KIND_QUERY_ITEM") = static_cast<int>(kQueryItem);
  m.attr("KIND_QUERY_END") = static_cast<int>(kQueryEnd);
  m.attr("QUERY_CASH") = static_cast<int>(kQueryCash);
  m.attr("QUERY_HOLDING") = static_cast<int>(kQueryHolding);
  m.attr("QUERY_ORDER") = static_cast<int>(kQueryOrder);
  m.attr("QUERY_TRADE") = static_cast<int>(kQueryTrade);
  m.attr("QUERY_STOCK") = static_cast<int>(kQueryStock);
  m.def(
      "open_library",
      [](const std::string& path) {
        const auto library = load(path);
        return std::make_tuple(library->version, library->mds_version);
      },
      py::arg("path"), "Load and check a liboes_api.so: (OesApi version, MdsApi version), or the error.");
}

}  // namespace

PYBIND11_MODULE(_oes, m) {
  m.doc() = "OES trading and MDS market data on a liboes_api.so loaded by path (see vtcore.gateways.oes).";
  vtcore::sdk::register_version(m, kApiVersion);
  vtcore::sdk::register_errors(m);
  register_constants(m);
  register_trading(m);
  register_market(m);
}
