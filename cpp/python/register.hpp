// Shared declarations of the vtcore._core glue: one register_<area>() per source file, plus the
// few helpers more than one area needs.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "vtcore/records.hpp"
#include "vtcore/tick_buffer.hpp"

namespace vtcore::python {

namespace py = pybind11;

void register_records(py::module_& m);
void register_tick_buffer(py::module_& m);
void register_hub(py::module_& m);
void register_test_producer(py::module_& m);

/// The numpy structured dtype of TickRecord (fields as in TICK_FIELDS), created once.
py::dtype tick_dtype();

/// Copies one TickRecord out of a bytes-like object of exactly sizeof(TickRecord) bytes
/// (ValueError otherwise).
TickRecord tick_from_buffer(const py::buffer& buffer);

/// A read-only array over `count` records at `first`, whose base object holds `owner`, so the
/// memory stays alive as long as the array (or any view of it) does.
py::array tick_array_view(const std::shared_ptr<TickBuffer>& owner, const TickRecord* first, std::size_t count);

/// A Python timeout in seconds as a duration: negative means zero, and anything above a year is a
/// year ("forever" without overflowing the clock); NaN is a ValueError naming `what`.
inline std::chrono::nanoseconds seconds_to_ns(double seconds, const char* what) {
  if (std::isnan(seconds)) throw py::value_error(std::string(what) + " must be a number");
  constexpr double kMaxSeconds = 365.0 * 24 * 3600;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::clamp(seconds, 0.0, kMaxSeconds) * 1e9));
}

}  // namespace vtcore::python
