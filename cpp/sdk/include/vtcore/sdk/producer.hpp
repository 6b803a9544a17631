// The producer a binding's SPI pushes into, handed over from Python as the capsule of
// vtcore._core.Producer.capsule() (an EventEngine ring for one vendor thread).
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "vtcore/event_hub.hpp"

namespace vtcore::sdk {

/// The Producer a "vtcore.Producer" capsule holds; a TypeError/ValueError from Python for anything else.
inline std::shared_ptr<Producer> producer_from(const pybind11::object& capsule) {
  auto* holder = static_cast<std::shared_ptr<Producer>*>(PyCapsule_GetPointer(capsule.ptr(), kProducerCapsuleName));
  if (holder == nullptr) throw pybind11::error_already_set();
  return *holder;
}

}  // namespace vtcore::sdk
