#include <pybind11/stl.h>

#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "register.hpp"
#include "vtcore/event_hub.hpp"

namespace vtcore::python {
namespace {

/// Collects what a drain takes, so the drain itself runs with the GIL released; the Python list is
/// built afterwards.
class CollectingSink final : public DrainSink {
 public:
  struct Segment {
    std::uint32_t producer_id;
    bool is_message;
    std::uint64_t start_seq;  // ticks
    std::size_t count;        // ticks
    MessageHeader header;     // messages
    std::string payload;      // messages
  };

  void on_ticks(std::uint32_t producer_id, std::uint64_t start_seq, std::size_t count) override {
    segments.push_back({producer_id, false, start_seq, count, {}, {}});
  }
  void on_message(std::uint32_t producer_id, const MessageHeader& header, const std::byte* payload) override {
    segments.push_back(
        {producer_id, true, 0, 0, header, std::string(reinterpret_cast<const char*>(payload), header.size)});
  }

  std::vector<Segment> segments;
};

// A notify() from a thread holding the GIL hands the GIL straight to a spinning engine thread when the
// previous one is at least this old (isolated events); closer events are batched instead.
constexpr std::chrono::microseconds kHandoffMinGap{20};
// How long either side waits for the other during a hand-over before falling back to the plain path
// (a preempted engine thread on a busy machine: the notifier then yields its CPU while it waits).
constexpr std::chrono::microseconds kHandoffTimeout{200};
// Drains up to this many records keep the GIL: releasing it costs the engine thread a wake-up
// whenever another thread is waiting for it, which is more than copying a few hundred records.
constexpr std::size_t kDrainWithGil = 256;

// What a drain returns, one named tuple per segment (struct sequences: tuples with field names, made in C at a
// tuple's cost). The engine's Cython loop reads them by position, in the order declared here.
PyStructSequence_Field kTickRunFields[] = {
    {"producer_id", "the producer that pushed the ticks"},
    {"start", "sequence number of the run's first tick in the hub's tick buffer"},
    {"size", "ticks in the run"},  // not "count": that would hide tuple.count
    {nullptr, nullptr}};
PyStructSequence_Desc kTickRunDesc = {"vtcore._core.TickRun", "A run of ticks in the hub's tick buffer.",
                                      kTickRunFields, 3};
PyStructSequence_Field kProducerMessageFields[] = {{"producer_id", "the producer that pushed the message"},
                                                   {"kind", "the producer's message kind"},
                                                   {"request_id", "the producer's request id"},
                                                   {"is_last", "whether it is the last message of its answer"},
                                                   {"payload", "the message bytes"},
                                                   {nullptr, nullptr}};
PyStructSequence_Desc kProducerMessageDesc = {"vtcore._core.ProducerMessage", "One message of a producer.",
                                              kProducerMessageFields, 5};
PyTypeObject* tick_run_type = nullptr;
PyTypeObject* producer_message_type = nullptr;

/// A new struct sequence of `type` holding `items` (each reference is taken over).
py::object make_segment(PyTypeObject* type, std::initializer_list<py::object> items) {
  PyObject* segment = PyStructSequence_New(type);
  if (segment == nullptr) throw py::error_already_set();
  Py_ssize_t index = 0;
  for (const auto& item : items) PyStructSequence_SetItem(segment, index++, item.inc_ref().ptr());
  return py::reinterpret_steal<py::object>(segment);
}

PyTypeObject* new_segment_type(py::module_& m, const char* name, PyStructSequence_Desc* desc) {
  PyTypeObject* type = PyStructSequence_NewType(desc);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(type)));
  return type;  // the module keeps it alive
}

void delete_producer_capsule(PyObject* capsule) {
  delete static_cast<std::shared_ptr<Producer>*>(PyCapsule_GetPointer(capsule, kProducerCapsuleName));
}

}  // namespace

void register_hub(py::module_& m) {
  tick_run_type = new_segment_type(m, "TickRun", &kTickRunDesc);
  producer_message_type = new_segment_type(m, "ProducerMessage", &kProducerMessageDesc);
  py::class_<Producer, std::shared_ptr<Producer>>(
      m, "Producer", "The push side of one ring, for one producer thread; created by EventHub.add_producer.")
      .def_property_readonly("id", &Producer::id)
      .def_property_readonly("name", &Producer::name)
      .def_property_readonly("capacity", &Producer::capacity)
      .def_property_readonly("ticks_pushed", &Producer::ticks_pushed)
      .def_property_readonly("ticks_dropped", &Producer::ticks_dropped)
      .def_property_readonly("messages_pushed", &Producer::messages_pushed)
      .def_property_readonly("messages_spilled", &Producer::messages_spilled)
      .def(
          "push_tick",
          [](Producer& self, const py::buffer& record) { return self.push_tick(tick_from_buffer(record)); },
          py::arg("record"))
      .def(
          "push_message",
          [](Producer& self, std::uint32_t kind, std::int32_t request_id, bool is_last, const py::bytes& payload) {
            const std::string_view data = payload;
            if (data.size() > std::numeric_limits<std::uint32_t>::max()) throw py::value_error("payload too large");
            self.push_message(kind, request_id, is_last, data.data(), static_cast<std::uint32_t>(data.size()));
          },
          py::arg("kind"), py::arg("request_id"), py::arg("is_last"), py::arg("payload"))
      .def("expect_answer", &Producer::expect_answer,
           "A request whose answer this producer will push went out: a consumer with answer_spin_us spins for "
           "it.")
      .def("capsule",
           [](const std::shared_ptr<Producer>& self) {
             auto* holder = new std::shared_ptr<Producer>(self);
             PyObject* capsule = PyCapsule_New(holder, kProducerCapsuleName, &delete_producer_capsule);
             if (capsule == nullptr) {
               delete holder;
               throw py::error_already_set();
             }
             return py::reinterpret_steal<py::object>(capsule);
           })
      .def("__repr__", [](const Producer& self) {
        return "<Producer id=" + std::to_string(self.id()) + " name='" + self.name() + "'>";
      });

  py::class_<EventHub, std::shared_ptr<EventHub>>(
      m, "EventHub", "Per-producer rings drained by one consumer thread, with a park/wake-up.")
      .def(py::init([](std::int64_t tick_buffer_capacity, double spin_us, double max_spin_us, bool poll,
                       double yield_after_us, double spin_budget, double tick_batch_us, double answer_spin_us) {
             if (tick_buffer_capacity <= 0) throw py::value_error("tick_buffer_capacity must be positive");
             if (!(spin_budget > 0.0 && spin_budget <= 1.0)) throw py::value_error("spin_budget must be in (0, 1]");
             WaitProfile profile;
             profile.poll = poll;
             profile.yield_after = seconds_to_ns(yield_after_us * 1e-6, "yield_after_us");
             profile.spin = seconds_to_ns(spin_us * 1e-6, "spin_us");
             profile.max_spin = seconds_to_ns(max_spin_us * 1e-6, "max_spin_us");
             profile.spin_budget = spin_budget;
             profile.tick_batch = seconds_to_ns(tick_batch_us * 1e-6, "tick_batch_us");
             profile.answer_spin = seconds_to_ns(answer_spin_us * 1e-6, "answer_spin_us");
             return std::make_shared<EventHub>(static_cast<std::size_t>(tick_buffer_capacity), profile);
           }),
           py::arg("tick_buffer_capacity") = 65536, py::arg("spin_us") = 50.0, py::arg("max_spin_us") = 0.0,
           py::kw_only(), py::arg("poll") = false, py::arg("yield_after_us") = 50.0, py::arg("spin_budget") = 1.0,
           py::arg("tick_batch_us") = 0.0, py::arg("answer_spin_us") = 0.0,
           "How the idle consumer waits (vtcore/wait_profile.hpp): with poll, it never parks and yields its CPU "
           "once polling has missed for yield_after_us; otherwise it spins spin_us before parking (with "
           "max_spin_us > spin_us the window adapts between the two to the gap between arrivals), spinning "
           "at most spin_budget of wall time, and after a request that expects an answer (Producer."
           "expect_answer) until the answer or answer_spin_us after it; with tick_batch_us > 0 ticks wait "
           "that long to be drained together.")
      .def_property_readonly("tick_buffer", &EventHub::tick_buffer)
      .def(
          "add_producer",
          [](EventHub& self, std::string name, std::int64_t capacity) {
            if (capacity <= 0) throw py::value_error("capacity must be positive");
            return self.add_producer(std::move(name), static_cast<std::size_t>(capacity));
          },
          py::arg("name"), py::arg("capacity") = 65536)
      .def(
          "remove_producer",
          [](EventHub& self, const Producer& producer) {
            if (!self.remove_producer(producer)) {
              throw py::value_error("producer " + std::to_string(producer.id()) + " is not attached to this hub");
            }
          },
          py::arg("producer"))
      .def("notify", &EventHub::notify)
      .def(
          "notify_handoff",
          [](EventHub& self) {
            LockHandoff& handoff = self.handoff();
            const bool offered = handoff.offer(self.consumer_spinning(), kHandoffMinGap);
            self.notify();
            if (!offered) return false;
            // Once the engine thread holds the GIL, this thread asks for it back at once (and sleeps on it
            // while the handlers run). It must not wait for the engine to go back to waiting: a notifier
            // often holds a lock the handlers need (a gateway's order lock while send_order queues
            // SUBMITTING, the OrderTracker's), and spinning on the engine then stalled both for the whole
            // timeout (200 µs per order in the order round trip, benchmarks/bench_order_roundtrip.py).
            return without_gil([&] {
              handoff.released();
              return handoff.finish(kHandoffTimeout);
            });
          },
          "notify() for a thread that holds the GIL and has just queued an event: when the consumer is "
          "spinning and the event is isolated, hands the GIL straight to it (handoff.hpp). True when it did.")
      .def_property_readonly("handoffs", [](EventHub& self) { return self.handoff().handoffs(); })
      .def_property_readonly("ticks_dropped_total", &EventHub::ticks_dropped_total,
                             "Ticks dropped so far by every producer, removed ones included; never decreases.")
      .def_property_readonly("consumer_spinning", &EventHub::consumer_spinning)
      .def_property_readonly("wakes", &EventHub::wakes)
      .def_property_readonly(
          "last_woken_ns", &EventHub::last_woken_ns,
          "now_ns() when the last wait() found work or a notify() (0 before): for latency breakdowns.")
      .def_property_readonly("last_resumed_ns", &EventHub::last_resumed_ns,
                             "now_ns() when the consumer last held the GIL again after a wait() (0 before).")
      .def(
          "wait_stats",
          [](const EventHub& self) {
            const WaitCounters c = self.wait_counters();
            py::dict out;
            out["waits"] = c.waits;
            out["caught_spinning"] = c.caught_spinning;
            out["parks"] = c.parks;
            out["wakes"] = self.wakes();
            out["yields"] = c.yields;
            out["starved"] = c.starved;
            out["spin_ns"] = c.spin_ns;
            return out;
          },
          "What the consumer's waits did so far: waits, caught_spinning (work seen while spinning or polling), "
          "parks, wakes (a producer or notify woke it), yields (spinning or polling), starved (polling), spin_ns.")
      .def(
          "wait",
          [](EventHub& self, double timeout) {
            const auto ns = seconds_to_ns(timeout, "timeout");
            // Safe without the GIL: wait touches only C++ state and no Python objects.
            const bool work = without_gil([&] {
              const bool found = self.wait(ns);
              self.handoff().before_acquire(kHandoffTimeout);
              return found;
            });
            self.handoff().after_acquire();
            self.resumed();
            return work;
          },
          py::arg("timeout"))
      .def(
          "drain",
          [](EventHub& self, std::int64_t max_records) {
            if (max_records < 0) throw py::value_error("max_records must not be negative");
            CollectingSink sink;
            const auto max = static_cast<std::size_t>(max_records);
            // A small backlog is drained with the GIL held (releasing it would cost the engine thread a
            // wake-up whenever another thread is waiting for it); a large one with the GIL released (the
            // C++ drain touches no Python objects). Records arriving after the check wait for the next call.
            if (self.backlog() <= kDrainWithGil) {
              self.drain(sink, std::min(max, kDrainWithGil));
            } else {
              without_gil([&] { self.drain(sink, max); });
            }
            py::list out(sink.segments.size());
            std::size_t i = 0;
            for (const auto& segment : sink.segments) {
              if (segment.is_message) {
                out[i++] = make_segment(
                    producer_message_type,
                    {py::int_(segment.producer_id), py::int_(segment.header.kind), py::int_(segment.header.request_id),
                     py::bool_(segment.header.is_last != 0), py::bytes(segment.payload)});
              } else {
                out[i++] = make_segment(tick_run_type, {py::int_(segment.producer_id), py::int_(segment.start_seq),
                                                        py::int_(segment.count)});
              }
            }
            return out;
          },
          py::arg("max_records") = 4096)
      .def("stats", [](const EventHub& self) {
        py::list out;
        for (const auto& s : self.stats()) {
          py::dict entry;
          entry["id"] = s.id;
          entry["name"] = s.name;
          entry["ticks_pushed"] = s.ticks_pushed;
          entry["ticks_dropped"] = s.ticks_dropped;
          entry["messages_pushed"] = s.messages_pushed;
          entry["messages_spilled"] = s.messages_spilled;
          out.append(entry);
        }
        return out;
      });
}

}  // namespace vtcore::python
