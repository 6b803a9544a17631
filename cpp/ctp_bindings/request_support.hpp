// Typed request filling for the generated request entry points (ctp_requests.cpp).
// A field that does not exist, a value of the wrong type, a string longer than its char[N] (or with a
// NUL byte), an out-of-range integer or a non-finite double is a ValueError naming request and field;
// the request is then not sent. Values are never echoed (a field may hold a password).
#pragma once

#include <pybind11/pybind11.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ThostFtdcMdApi.h"
#include "ThostFtdcTraderApi.h"
#include "vtcore/fixed_string.hpp"

namespace vtcore::ctp {

[[noreturn]] inline void field_error(const char* request, std::string_view field, const std::string& what) {
  throw pybind11::value_error(std::string(request) + "." + std::string(field) + ": " + what);
}

inline std::string field_name(const char* request, pybind11::handle key) {
  if (!pybind11::isinstance<pybind11::str>(key)) {
    throw pybind11::value_error(std::string(request) + ": field names must be str");
  }
  return key.cast<std::string>();
}

[[noreturn]] inline void unknown_field(const char* request, const std::string& key) {
  throw pybind11::value_error(std::string(request) + " has no field '" + key + "'");
}

[[noreturn]] inline void unknown_request(std::string_view name) {
  throw pybind11::value_error("unknown CTP request '" + std::string(name) + "'");
}

/// Text for char[N]: str is encoded as GB18030 (the SDK's encoding), bytes are taken as they are.
inline std::string text_bytes(pybind11::handle value, const char* request, std::string_view field) {
  if (pybind11::isinstance<pybind11::bytes>(value)) return value.cast<std::string>();
  if (pybind11::isinstance<pybind11::str>(value)) {
    PyObject* encoded = PyUnicode_AsEncodedString(value.ptr(), "gb18030", "strict");
    if (encoded == nullptr) {
      PyErr_Clear();
      field_error(request, field, "text cannot be encoded as GB18030");
    }
    return pybind11::reinterpret_steal<pybind11::bytes>(encoded).cast<std::string>();
  }
  field_error(request, field, "expected str or bytes");
}

template <std::size_t N>
void set_field(char (&dst)[N], pybind11::handle value, const char* request, std::string_view field) {
  const std::string bytes = text_bytes(value, request, field);
  if (bytes.size() >= N) {
    field_error(request, field, "is " + std::to_string(bytes.size()) + " bytes; at most " +
                                    std::to_string(N - 1) + " fit");
  }
  if (!vtcore::try_copy_fixed(dst, bytes)) field_error(request, field, "contains a NUL byte");
}

inline void set_field(char& dst, pybind11::handle value, const char* request, std::string_view field) {
  const std::string bytes = text_bytes(value, request, field);
  if (bytes.size() > 1) field_error(request, field, "is a single character");
  dst = bytes.empty() ? '\0' : bytes[0];
}

template <typename Int>
  requires std::is_integral_v<Int>
void set_field(Int& dst, pybind11::handle value, const char* request, std::string_view field) {
  if (!pybind11::isinstance<pybind11::int_>(value)) field_error(request, field, "expected int");
  int overflow = 0;
  const long long number = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (number == -1 && PyErr_Occurred() != nullptr) PyErr_Clear();
  if (overflow != 0 || number < std::numeric_limits<Int>::min() || number > std::numeric_limits<Int>::max()) {
    field_error(request, field, "out of range");
  }
  dst = static_cast<Int>(number);
}

inline void set_field(double& dst, pybind11::handle value, const char* request, std::string_view field) {
  if (!pybind11::isinstance<pybind11::float_>(value) && !pybind11::isinstance<pybind11::int_>(value)) {
    field_error(request, field, "expected float");
  }
  const double number = value.cast<double>();
  if (!std::isfinite(number)) field_error(request, field, "must be finite");
  dst = number;
}

// Fill the request's struct (GIL held), then call the SDK with the GIL released and `lock` held;
// `api` is read under the lock (it becomes nullptr when released).
int request_md(CThostFtdcMdApi* const& api, std::mutex& lock, std::string_view name, const pybind11::dict& fields,
               int request_id);
int request_trader(CThostFtdcTraderApi* const& api, std::mutex& lock, std::string_view name,
                   const pybind11::dict& fields, int request_id);
const std::vector<std::string>& request_names();

}  // namespace vtcore::ctp
