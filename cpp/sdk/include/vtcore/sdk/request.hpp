// Requests as typed structs: Python packs a request struct (the generated classes check every field: type,
// range, a string that does not fit its char[N] is refused naming the field), and the binding checks the
// bytes again before the SDK sees them: the size must be the struct's, and every char[N] field must hold
// its terminator (a generated check per struct), so no request can make the SDK read past a field.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace vtcore::sdk {

/// A request refused before it was sent (ValueError in Python); the message names request and field.
class RequestError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// One request of an API class, as the generated table lists it (index = position in the table).
struct RequestInfo {
  const char* name;         // "ReqOrderInsert"
  const char* struct_name;  // "CThostFtdcInputOrderField", or "" for a request that sends no struct
  std::size_t size;         // sizeof the struct, 0 when there is none
};

/// Checks `size` bytes of a request for `index` of `Requests` (a generated table type); throws RequestError.
template <class Requests>
void check_request(int index, const std::byte* payload, std::size_t size) {
  constexpr int count = static_cast<int>(sizeof(Requests::table) / sizeof(Requests::table[0]));
  if (index < 0 || index >= count) throw RequestError("unknown request index " + std::to_string(index));
  const RequestInfo& info = Requests::table[index];
  if (size != info.size) {
    throw RequestError(std::string(info.name) + ": the payload is " + std::to_string(size) + " bytes, " +
                       (info.size ? std::string(info.struct_name) + " is " + std::to_string(info.size)
                                  : std::string("it sends none")));
  }
  if (const char* field = Requests::unterminated(index, payload)) {
    throw RequestError(std::string(info.name) + ": field " + field + " has no terminator (a string must be " +
                       "shorter than its char[N])");
  }
}

}  // namespace vtcore::sdk
