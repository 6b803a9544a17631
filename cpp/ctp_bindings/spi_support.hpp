// Helpers for the generated SPI classes (ctp_spi.hpp): copy a callback's structs into one message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "vtcore/event_hub.hpp"

namespace vtcore::ctp {

/// Payload = uint32 flags (bit i: the i-th struct pointer was non-null), then each struct's bytes
/// (zeros for a null pointer). Runs on the SDK's callback thread: no allocation for small payloads,
/// no Python.
template <typename... Structs>
void push_structs(Producer& producer, std::uint32_t kind, int request_id, bool is_last,
                  const Structs*... structs) noexcept {
  constexpr std::size_t kSize = sizeof(std::uint32_t) + (sizeof(Structs) + ...);
  alignas(8) std::byte buffer[kSize];
  std::uint32_t flags = 0;
  std::size_t offset = sizeof(flags);
  unsigned bit = 0;
  auto put = [&](const void* data, std::size_t size) {
    if (data != nullptr) {
      std::memcpy(buffer + offset, data, size);
      flags |= 1u << bit;
    } else {
      std::memset(buffer + offset, 0, size);
    }
    offset += size;
    ++bit;
  };
  (put(structs, sizeof(Structs)), ...);
  std::memcpy(buffer, &flags, sizeof(flags));
  producer.push_message(kind, request_id, is_last, buffer, static_cast<std::uint32_t>(kSize));
}

}  // namespace vtcore::ctp
