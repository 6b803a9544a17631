#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "register.hpp"
#include "vtcore/test_producer.hpp"

namespace vtcore::python {

void register_test_producer(py::module_& m) {
  py::class_<TestProducer>(m, "TestProducer",
                           "A C++ thread pushing synthetic ticks (volume = 1-based sequence number).")
      .def(py::init([](std::shared_ptr<Producer> producer, const std::vector<std::string>& symbols,
                       const std::string& exchange, std::int64_t message_every) {
             if (message_every < 0) throw py::value_error("message_every must not be negative");
             return std::make_unique<TestProducer>(std::move(producer), symbols, exchange,
                                                   static_cast<std::uint64_t>(message_every));
           }),
           py::arg("producer"), py::arg("symbols"), py::arg("exchange") = "SHFE", py::arg("message_every") = 0)
      .def(
          "start",
          [](TestProducer& self, std::int64_t count, double rate) {
            if (count < 0) throw py::value_error("count must not be negative");
            self.start(static_cast<std::uint64_t>(count), rate);
          },
          py::arg("count"), py::arg("rate") = 0.0)
      .def(
          "join",
          [](TestProducer& self, std::optional<double> timeout) {
            std::optional<std::chrono::nanoseconds> limit;
            if (timeout) limit = seconds_to_ns(*timeout, "timeout");
            return without_gil([&] { return self.join(limit); });  // the thread never needs the GIL
          },
          py::arg("timeout") = py::none())
      .def("stop", [](TestProducer& self) { without_gil([&] { self.stop(); }); })
      .def_property_readonly("running", &TestProducer::running)
      .def_property_readonly("pushed", &TestProducer::pushed)
      .def_property_readonly("dropped", &TestProducer::dropped)
      .attr("__test__") = false;  // pytest must not collect it as a test class
}

}  // namespace vtcore::python
