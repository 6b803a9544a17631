// vtcore._core: the Python view of the C++ core. This file is the table of contents; each
// register_<area>.cpp binds one area and holds no logic of its own.
#include "register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "vtcore's C++ core: producer rings, the event hub, the numpy-visible tick buffer.";
  vtcore::python::register_records(m);        // TICK_RECORD_SIZE, TICK_FIELDS, exchange_values, now_ns
  vtcore::python::register_tick_buffer(m);    // StaleViewError, TickBuffer
  vtcore::python::register_hub(m);            // Producer, EventHub
  vtcore::python::register_test_producer(m);  // TestProducer
}
