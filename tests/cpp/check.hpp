// A tiny assertion helper for the C++ tests: CHECK keeps going and counts failures, REQUIRE stops
// the test; main() returns vtcore_test::finish().
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace vtcore_test {

inline int& failures() {
  static int count = 0;
  return count;
}

inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
}

template <typename A, typename B>
std::string describe(const char* expr, const A& a, const B& b) {
  std::ostringstream out;
  out << expr << " (" << a << " vs " << b << ")";
  return out.str();
}

inline int finish(const char* name) {
  if (failures() == 0) {
    std::printf("%s: all checks passed\n", name);
    return EXIT_SUCCESS;
  }
  std::printf("%s: %d check(s) failed\n", name, failures());
  return EXIT_FAILURE;
}

/// Work sizes shrink under ThreadSanitizer, which is 5-15x slower.
inline constexpr std::size_t scaled(std::size_t n) {
#if defined(VTCORE_TSAN)
  return n / 20 > 0 ? n / 20 : 1;
#else
  return n;
#endif
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace vtcore_test

#define CHECK(cond) ((cond) ? (void)0 : vtcore_test::fail(__FILE__, __LINE__, #cond))
#define CHECK_EQ(a, b) \
  (((a) == (b)) ? (void)0 : vtcore_test::fail(__FILE__, __LINE__, vtcore_test::describe(#a " == " #b, (a), (b))))
#define REQUIRE(cond)                               \
  do {                                              \
    if (!(cond)) {                                  \
      vtcore_test::fail(__FILE__, __LINE__, #cond); \
      std::exit(vtcore_test::finish(__FILE__));     \
    }                                               \
  } while (0)
#define CHECK_THROWS(expr, type)                                                       \
  do {                                                                                 \
    bool thrown_ = false;                                                              \
    try {                                                                              \
      (void)(expr);                                                                    \
    } catch (const type&) {                                                            \
      thrown_ = true;                                                                  \
    }                                                                                  \
    if (!thrown_) vtcore_test::fail(__FILE__, __LINE__, #expr " should throw " #type); \
  } while (0)
