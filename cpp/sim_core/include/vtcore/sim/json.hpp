// A small JSON value, parser and writer for the simulator's configuration file and control socket.
// Only what those need: objects, arrays, strings (UTF-8, \uXXXX escapes), numbers, booleans and null.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vtcore::sim {

class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Json {
 public:
  enum class Kind { null, boolean, number, string, array, object };
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json, std::less<>>;

  Json() = default;
  Json(bool value) : kind_(Kind::boolean), bool_(value) {}                     // NOLINT(google-explicit-constructor)
  Json(double value) : kind_(Kind::number), number_(value) {}                  // NOLINT
  Json(int value) : Json(static_cast<double>(value)) {}                        // NOLINT
  Json(int64_t value) : Json(static_cast<double>(value)) {}                    // NOLINT
  Json(uint64_t value) : Json(static_cast<double>(value)) {}                   // NOLINT
  Json(std::string value) : kind_(Kind::string), string_(std::move(value)) {}  // NOLINT
  Json(const char* value) : Json(std::string(value)) {}                        // NOLINT
  Json(Array value) : kind_(Kind::array), array_(std::make_shared<Array>(std::move(value))) {}      // NOLINT
  Json(Object value) : kind_(Kind::object), object_(std::make_shared<Object>(std::move(value))) {}  // NOLINT

  static Json parse(std::string_view text);  // throws JsonError with the offset of the problem

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_object() const { return kind_ == Kind::object; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_number() const { return kind_ == Kind::number; }
  bool is_bool() const { return kind_ == Kind::boolean; }

  // Typed access; `what` names the value in the error message.
  double as_number(std::string_view what) const;
  int64_t as_int(std::string_view what) const;
  bool as_bool(std::string_view what) const;
  const std::string& as_string(std::string_view what) const;
  const Array& as_array(std::string_view what) const;
  const Object& as_object(std::string_view what) const;

  // Object member lookup; nullptr when absent (or when this is not an object).
  const Json* find(std::string_view key) const;

  std::string dump() const;  // compact, one line

 private:
  Kind kind_ = Kind::null;
  bool bool_ = false;
  double number_ = 0.0;
  std::string string_;
  std::shared_ptr<Array> array_;
  std::shared_ptr<Object> object_;
};

}  // namespace vtcore::sim
