#include "vtcore/sim/text.hpp"

#include <iconv.h>

#include <mutex>
#include <unordered_map>

namespace vtcore::sim {

std::string to_gb18030(std::string_view utf8) {
  bool ascii = true;
  for (char c : utf8) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(utf8);
  static std::mutex mutex;
  static iconv_t converter = iconv_open("GB18030", "UTF-8");
  std::lock_guard lock(mutex);
  if (converter == reinterpret_cast<iconv_t>(-1)) return std::string(utf8);
  std::string out(utf8.size() * 2 + 8, '\0');
  char* in_ptr = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  iconv(converter, nullptr, nullptr, nullptr, nullptr);
  if (iconv(converter, &in_ptr, &in_left, &out_ptr, &out_left) == static_cast<size_t>(-1)) return std::string(utf8);
  out.resize(out.size() - out_left);
  return out;
}

std::string gb18030_cached(std::string_view utf8) {
  static std::mutex mutex;
  static auto* cache = new std::unordered_map<std::string, std::string>();  // never destroyed: API threads
  std::lock_guard lock(mutex);
  auto found = cache->find(std::string(utf8));
  if (found == cache->end()) {
    if (cache->size() >= 4096) cache->clear();  // bounded (names and messages are few in practice)
    found = cache->emplace(std::string(utf8), to_gb18030(utf8)).first;
  }
  return found->second;
}

void report_unfit(std::string_view text, size_t field_size) {
  // the value itself is not shown: it may be a secret
  std::fprintf(stderr, "vtcore-sim: a %zu-byte value does not fit a char[%zu] field; the field is sent empty\n",
               text.size(), field_size);
}

std::string padded_number(long long value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%*lld", width, value);
  return buf;
}

std::string unpadded(std::string_view text) {
  const size_t start = text.find_first_not_of(' ');
  return start == std::string_view::npos ? std::string() : std::string(text.substr(start));
}

}  // namespace vtcore::sim
