// What TAP's quote and trade API objects share (quote.cpp and trade.cpp each see only their own headers, so these
// are templates over the unit's types): the application info both factories take, and the Python side of a
// connection (constructor, address, login with the unit's auth struct, disconnect).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>

#include "traits.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/sdk/bind.hpp"
#include "vtcore/sdk/producer.hpp"

namespace vtcore::tap {

/// TapAPIApplicationInfo (each header declares its own) with the authorization code and the data folder: a code
/// too long is the caller's error, a folder too long the library's (nothing to log into).
template <typename Info>
Info application_info(const Options& options, const char* data_path) {
  Info info{};
  if (!try_copy_fixed(info.AuthCode, options.auth_code)) throw sdk::RequestError("auth code: too long for AuthCode");
  if (!try_copy_fixed(info.KeyOperationLogPath, data_path))
    throw sdk::LibraryError(std::string("the data folder path is too long for TAP: ") + data_path);
  return info;
}

/// Binds `QuoteApi(library, data_folder, producer_capsule, auth_code)` / `TradeApi(...)` with set_host_address
/// (`set_host(api, host, port)`: the two SetHostAddress differ), login (`Auth` bytes checked by the generated
/// `unterminated`) and disconnect.
template <typename Traits, typename Auth, typename SetHost>
void bind_connection(pybind11::class_<sdk::ApiObject<Traits>>& cls, const char* (*unterminated)(const Auth&) noexcept,
                     SetHost set_host, const char* login_doc) {
  using Self = sdk::ApiObject<Traits>;
  using Api = typename Traits::Api;
  cls.def(pybind11::init([](const std::string& library, const std::string& data_folder, const pybind11::object& capsule,
                            const std::string& auth_code) {
            return std::make_unique<Self>(library, data_folder, sdk::producer_from(capsule), Options{auth_code});
          }),
          pybind11::arg("library"), pybind11::arg("data_folder"), pybind11::arg("producer_capsule"),
          pybind11::arg("auth_code"))
      .def(
          "set_host_address",
          [set_host](Self& self, const std::string& host, int port) {
            if (port < 1 || port > 65535) throw sdk::RequestError("port must be 1-65535, not " + std::to_string(port));
            return self.with_api(
                [&](Api& api) { return set_host(api, host.c_str(), static_cast<std::uint16_t>(port)); });
          },
          pybind11::arg("host"), pybind11::arg("port"))
      .def(
          "login",
          [unterminated](Self& self, const pybind11::buffer& auth) {
            const Auth value = sdk::checked_struct<Auth>(auth, "Login", unterminated);
            return self.with_api([&](Api& api) { return api.Login(&value); });
          },
          pybind11::arg("auth"), login_doc)
      .def("disconnect", [](Self& self) { return self.with_api([](Api& api) { return api.Disconnect(); }); });
}

}  // namespace vtcore::tap
