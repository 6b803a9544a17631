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
#include <type_traits>

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

/// Runs `work` (which must not touch Python) with the GIL released, and takes the GIL back in the ordinary
/// flow of code, not in a destructor as py::gil_scoped_release does. At interpreter exit CPython ends a
/// daemon thread that asks for the GIL with pthread_exit; the forced unwinding that starts there must not
/// start inside a destructor (implicitly noexcept), or the process aborts with "terminate called without
/// an active exception" (issue 19: a running EventEngine at exit).
template <typename Work>
auto without_gil(Work&& work) {
  PyThreadState* state = PyEval_SaveThread();
  if constexpr (std::is_void_v<std::invoke_result_t<Work&>>) {
    try {
      work();
    } catch (...) {
      PyEval_RestoreThread(state);
      throw;
    }
    PyEval_RestoreThread(state);
  } else {
    std::invoke_result_t<Work&> result{};
    try {
      result = work();
    } catch (...) {
      PyEval_RestoreThread(state);
      throw;
    }
    PyEval_RestoreThread(state);
    return result;
  }
}

}  // namespace vtcore::python
