// pybind11 glue every SDK binding module uses: its errors, the members every API object has, and the typed
// request entry point. A binding's module.cpp calls these and reads as a table of contents.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "vtcore/sdk/api_object.hpp"
#include "vtcore/sdk/library.hpp"
#include "vtcore/sdk/producer.hpp"
#include "vtcore/sdk/request.hpp"

namespace vtcore::sdk {

/// `API_VERSION` (the header version the module was built from) and `version_matches(reported, expected=it)`.
inline void register_version(pybind11::module_& m, const char* api_version) {
  m.attr("API_VERSION") = api_version;
  m.def("version_matches", &version_matches_prefix, pybind11::arg("reported"),
        pybind11::arg("expected") = std::string(api_version),
        "Whether a library's reported version is accepted for the expected header version.");
}

/// LibraryError -> vtcore.errors.SdkLibraryError (an OSError), VersionMismatchError -> SdkVersionError,
/// RequestError -> ValueError; one Python class for every SDK. The module also gets them as attributes
/// `LibraryError` and `VersionMismatchError`.
inline void register_errors(pybind11::module_& m) {
  pybind11::module_ errors = pybind11::module_::import("vtcore.errors");
  m.attr("LibraryError") = errors.attr("SdkLibraryError");
  m.attr("VersionMismatchError") = errors.attr("SdkVersionError");
  pybind11::register_local_exception_translator([](std::exception_ptr raised) {
    try {
      if (raised) std::rethrow_exception(raised);
    } catch (const VersionMismatchError& error) {
      pybind11::object type = pybind11::module_::import("vtcore.errors").attr("SdkVersionError");
      PyErr_SetString(type.ptr(), error.what());
    } catch (const LibraryError& error) {
      pybind11::object type = pybind11::module_::import("vtcore.errors").attr("SdkLibraryError");
      PyErr_SetString(type.ptr(), error.what());
    } catch (const RequestError& error) {
      PyErr_SetString(PyExc_ValueError, error.what());
    }
  });
}

/// `<name>(path) -> str`: opens the library at `path` as `Traits` would (RTLD_LOCAL, its preloads first), checks
/// it, and returns the version it reports, creating no API object (`vtcore info`). Raises SdkLibraryError /
/// SdkVersionError as connecting would.
template <typename Traits>
void register_library_version(pybind11::module_& m, const char* name) {
  m.def(
      name,
      [](const std::string& path) {
        pybind11::gil_scoped_release unlocked;  // dlopen runs the library's constructors
        return open_library(path, Traits::library_spec()).version;
      },
      pybind11::arg("path"), "The version the library at `path` reports (checked as connecting checks it).");
}

/// `library_version`, `library_path`, `released`, `init()`, `release()`.
template <typename Traits, typename Class>
void bind_api_object(Class& cls) {
  using Self = ApiObject<Traits>;
  cls.def_property_readonly("library_version", [](const Self& self) { return self.library().version; })
      .def_property_readonly("library_path", [](const Self& self) { return self.library().path; })
      .def_property_readonly("released", [](Self& self) { return self.released(); })
      .def("init", &Self::init, "Start the SDK (its threads start here).")
      .def("release", &Self::release, "Stop the SDK's threads and free the API object (idempotent).");
}

/// `request(index, payload, request_id) -> int`: the index-th request of `Requests` (a generated table) with
/// the struct bytes `payload` (any buffer), checked (check_request) and copied while the GIL is held, then
/// sent (`ApiObject::with_api_request`: the GIL kept if the SDK's requests only queue). Returns the SDK's
/// result code.
template <typename Traits, typename Requests, typename Class>
void bind_requests(Class& cls) {
  using Self = ApiObject<Traits>;
  cls.def(
      "request",
      [](Self& self, int index, const pybind11::buffer& payload, int request_id) {
        const pybind11::buffer_info view = payload.request();
        const auto size = static_cast<std::size_t>(view.size * view.itemsize);
        if (size > Requests::max_size) check_request<Requests>(index, nullptr, size);  // throws: wrong size
        alignas(8) std::byte copy[Requests::max_size > 0 ? Requests::max_size : 1];
        if (size) std::memcpy(copy, view.ptr, size);
        check_request<Requests>(index, copy, size);
        return self.with_api_request(
            [&](typename Traits::Api& api) { return Requests::call(api, index, copy, request_id); });
      },
      pybind11::arg("index"), pybind11::arg("payload"), pybind11::arg("request_id"),
      "Send request `index` (see the generated *_REQUESTS tables) with its packed struct; the SDK's result.");
}

/// `request(index, payload) -> (result, session)` for SDKs that assign a request's id themselves through an
/// out-parameter (TAP's `TAPIUINT32* sessionID`): `Requests::call(api, index, payload, 0, session)` writes it.
/// The payload is checked as `bind_requests` checks it.
template <typename Traits, typename Requests, typename Class>
void bind_session_requests(Class& cls) {
  using Self = ApiObject<Traits>;
  cls.def(
      "request",
      [](Self& self, int index, const pybind11::buffer& payload) {
        const pybind11::buffer_info view = payload.request();
        const auto size = static_cast<std::size_t>(view.size * view.itemsize);
        if (size > Requests::max_size) check_request<Requests>(index, nullptr, size);  // throws: wrong size
        alignas(8) std::byte copy[Requests::max_size > 0 ? Requests::max_size : 1];
        if (size) std::memcpy(copy, view.ptr, size);
        check_request<Requests>(index, copy, size);
        unsigned int session = 0;
        const int result =
            self.with_api([&](typename Traits::Api& api) { return Requests::call(api, index, copy, 0, session); });
        return pybind11::make_tuple(result, session);
      },
      pybind11::arg("index"), pybind11::arg("payload"),
      "Send request `index` (see the generated *_REQUESTS tables): (the SDK's result, the session id it gave).");
}

/// A struct a hand-written request sends, from Python's bytes: the size must be the struct's and every char[N]
/// field must hold its terminator (`unterminated`: the generated check of that struct); RequestError naming the
/// field if not.
template <typename Struct>
Struct checked_struct(const pybind11::buffer& payload, const char* what,
                      const char* (*unterminated)(const Struct&) noexcept) {
  const pybind11::buffer_info view = payload.request();
  const auto size = static_cast<std::size_t>(view.size * view.itemsize);
  if (size != sizeof(Struct)) {
    throw RequestError(std::string(what) + ": the payload is " + std::to_string(size) + " bytes, the struct is " +
                       std::to_string(sizeof(Struct)));
  }
  Struct value;
  std::memcpy(static_cast<void*>(&value), view.ptr, sizeof(Struct));
  if (const char* field = unterminated(value)) {
    throw RequestError(std::string(what) + ": field " + field + " has no terminator (a string must be shorter " +
                       "than its char[N])");
  }
  return value;
}

}  // namespace vtcore::sdk
