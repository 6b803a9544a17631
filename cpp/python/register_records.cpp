#include <pybind11/stl.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "register.hpp"
#include "vtcore/clock.hpp"
#include "vtcore/exchange.hpp"

namespace vtcore::python {
namespace {

/// One TickRecord member: its C++ name, numpy format of one element, offset, element count.
struct MemberSpec {
  const char* name;
  const char* format;
  std::size_t offset;
  std::size_t size;
  std::size_t count;
};

#define VTCORE_MEMBER(member, format, count) \
  MemberSpec { #member, format, offsetof(TickRecord, member), sizeof(TickRecord::member), count }

// In declaration order. Arrays become vn.py's flattened names (bid_price_1 .. bid_price_5).
const MemberSpec kTickMembers[] = {
    VTCORE_MEMBER(symbol, "S16", 1),         VTCORE_MEMBER(datetime, "i8", 1),
    VTCORE_MEMBER(localtime, "i8", 1),       VTCORE_MEMBER(trading_day, "i4", 1),
    VTCORE_MEMBER(exchange, "u2", 1),        VTCORE_MEMBER(flags, "u2", 1),
    VTCORE_MEMBER(volume, "f8", 1),          VTCORE_MEMBER(turnover, "f8", 1),
    VTCORE_MEMBER(open_interest, "f8", 1),   VTCORE_MEMBER(last_price, "f8", 1),
    VTCORE_MEMBER(last_volume, "f8", 1),     VTCORE_MEMBER(limit_up, "f8", 1),
    VTCORE_MEMBER(limit_down, "f8", 1),      VTCORE_MEMBER(open_price, "f8", 1),
    VTCORE_MEMBER(high_price, "f8", 1),      VTCORE_MEMBER(low_price, "f8", 1),
    VTCORE_MEMBER(pre_close, "f8", 1),       VTCORE_MEMBER(bid_price, "f8", kDepth),
    VTCORE_MEMBER(ask_price, "f8", kDepth),  VTCORE_MEMBER(bid_volume, "f4", kDepth),
    VTCORE_MEMBER(ask_volume, "f4", kDepth),
};

#undef VTCORE_MEMBER

static_assert(sizeof(TickRecord::symbol) == 16, "the symbol format string says S16");
static_assert(sizeof(TickRecord::bid_volume[0]) == 4, "the depth volume format string says f4");

py::list tick_fields() {
  py::list fields;
  for (const MemberSpec& member : kTickMembers) {
    if (member.count == 1) {
      fields.append(py::make_tuple(member.name, member.format, member.offset));
      continue;
    }
    const std::size_t element = member.size / member.count;
    for (std::size_t i = 0; i < member.count; ++i) {
      fields.append(py::make_tuple(std::string(member.name) + "_" + std::to_string(i + 1), member.format,
                                   member.offset + i * element));
    }
  }
  return fields;
}

}  // namespace

py::dtype tick_dtype() {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
  return py::reinterpret_borrow<py::dtype>(storage
                                               .call_once_and_store_result([] {
                                                 py::list names;
                                                 py::list formats;
                                                 py::list offsets;
                                                 for (const py::handle field : tick_fields()) {
                                                   const auto entry = field.cast<py::tuple>();
                                                   names.append(entry[0]);
                                                   formats.append(entry[1]);
                                                   offsets.append(entry[2]);
                                                 }
                                                 py::dict spec;
                                                 spec["names"] = names;
                                                 spec["formats"] = formats;
                                                 spec["offsets"] = offsets;
                                                 spec["itemsize"] = sizeof(TickRecord);
                                                 return py::object(py::dtype::from_args(spec));
                                               })
                                               .get_stored());
}

TickRecord tick_from_buffer(const py::buffer& buffer) {
  Py_buffer view;
  if (PyObject_GetBuffer(buffer.ptr(), &view, PyBUF_C_CONTIGUOUS) != 0) throw py::error_already_set();
  const auto size = static_cast<std::size_t>(view.len);
  TickRecord record;
  if (size == sizeof(TickRecord)) std::memcpy(&record, view.buf, sizeof(TickRecord));
  PyBuffer_Release(&view);
  if (size != sizeof(TickRecord)) {
    throw py::value_error("a TickRecord is " + std::to_string(sizeof(TickRecord)) + " bytes, got " +
                          std::to_string(size));
  }
  return record;
}

void register_records(py::module_& m) {
  m.attr("TICK_RECORD_SIZE") = sizeof(TickRecord);
  m.attr("TICK_FIELDS") = tick_fields();
  m.attr("TICK_SYMBOL_SIZE") = kSymbolSize;
  m.attr("TICK_VOLUME_ROUNDED") = static_cast<int>(kTickVolumeRounded);

  m.def(
      "exchange_values",
      [] {
        std::vector<std::string> values;
        for (const auto value : kExchangeValues) values.emplace_back(value);
        return values;
      },
      "Exchange values by code (index 0 = unknown).");
  m.def("now_ns", &now_ns, "CLOCK_REALTIME in ns since the Unix epoch, as time.time_ns().");
  m.def(
      "_record_offsets",
      [] {
        py::dict out;
        for (const MemberSpec& member : kTickMembers) out[member.name] = py::make_tuple(member.offset, member.size);
        return out;
      },
      "offsetof and sizeof of every TickRecord member, by C++ name (for layout tests).");
}

}  // namespace vtcore::python
