#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "register.hpp"

namespace vtcore::python {
namespace {

std::uint64_t non_negative(std::int64_t value, const char* what) {
  if (value < 0) throw py::value_error(std::string(what) + " must not be negative");
  return static_cast<std::uint64_t>(value);
}

}  // namespace

py::array tick_array_view(const std::shared_ptr<TickBuffer>& owner, const TickRecord* first, std::size_t count) {
  // The capsule holds its own shared_ptr: the records outlive the TickBuffer object (and the hub)
  // for as long as any array that points into them.
  py::capsule base(new std::shared_ptr<TickBuffer>(owner),
                   [](void* holder) { delete static_cast<std::shared_ptr<TickBuffer>*>(holder); });
  py::array array(tick_dtype(), {static_cast<py::ssize_t>(count)}, {static_cast<py::ssize_t>(sizeof(TickRecord))},
                  first, base);
  // Views are read-only: the ring belongs to the hub, and a handler writing into it would change
  // what later readers of the same records see.
  py::detail::array_proxy(array.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return array;
}

void register_tick_buffer(py::module_& m) {
  py::register_exception<StaleViewError>(m, "StaleViewError");
  m.def("_tick_buffers_alive", &TickBuffer::instances, "TickBuffers alive now (for lifetime tests).");

  py::class_<TickBuffer, std::shared_ptr<TickBuffer>>(
      m, "TickBuffer", "A ring of TickRecords with a per-slot generation check, visible to numpy.")
      .def(py::init([](std::int64_t capacity) {
             if (capacity <= 0) throw py::value_error("capacity must be positive");
             return std::make_shared<TickBuffer>(static_cast<std::size_t>(capacity));
           }),
           py::arg("capacity"))
      .def_property_readonly("capacity", &TickBuffer::capacity)
      .def_property_readonly("written", &TickBuffer::written)
      .def(
          "array",
          [](const std::shared_ptr<TickBuffer>& self) { return tick_array_view(self, self->data(), self->capacity()); })
      .def(
          "view",
          [](const std::shared_ptr<TickBuffer>& self, std::int64_t start, std::int64_t count) {
            const TickRecord* first = self->view(non_negative(start, "start"), non_negative(count, "count"));
            return tick_array_view(self, first, static_cast<std::size_t>(count));
          },
          py::arg("start"), py::arg("count"))
      .def(
          "is_valid",
          [](const TickBuffer& self, std::int64_t start, std::int64_t count) {
            return start >= 0 && count >= 0 &&
                   self.is_valid(static_cast<std::uint64_t>(start), static_cast<std::uint64_t>(count));
          },
          py::arg("start"), py::arg("count"))
      .def(
          "read",
          [](const TickBuffer& self, std::int64_t start, std::int64_t count) {
            const std::uint64_t first = non_negative(start, "start");
            const std::uint64_t n = non_negative(count, "count");
            self.check_range(first, n);  // before allocating: a huge count is refused cheaply
            py::array out(tick_dtype(), std::vector<py::ssize_t>{static_cast<py::ssize_t>(n)});
            self.read(first, n, static_cast<TickRecord*>(out.mutable_data()));
            return out;
          },
          py::arg("start"), py::arg("count"))
      .def(
          "append", [](TickBuffer& self, const py::buffer& record) { return self.append(tick_from_buffer(record)); },
          py::arg("record"))
      .def("address", [](const TickBuffer& self) { return reinterpret_cast<std::uintptr_t>(self.data()); })
      .def("__repr__", [](const TickBuffer& self) {
        return "<TickBuffer capacity=" + std::to_string(self.capacity()) +
               " written=" + std::to_string(self.written()) + ">";
      });
}

}  // namespace vtcore::python
