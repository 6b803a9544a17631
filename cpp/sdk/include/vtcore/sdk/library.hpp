// A vendor library loaded by explicit path: dlopen(RTLD_NOW | RTLD_LOCAL), never linked, never RTLD_GLOBAL.
//
// Why by path and local: several SDKs export the same mangled names (CTP and CTP-Mini both define
// CThostFtdcMdApi::GetApiVersion), and under RTLD_GLOBAL one library silently answers for the other; a
// binding built from headers alone also needs no vendor binary to build or test. The library's version is
// read and checked before anything else of it is used, because a library of another header version has other
// vtables (CTP 6.7.13 inserted a callback at slot 4: a login response arrives as a logout). Libraries that
// need dependencies their loader cannot find (TAP's trade library has no RUNPATH for its SSL libraries) name
// them in `preload`: they are opened first, by absolute path from the same folder. Libraries that use system
// libraries without declaring them (OES's liboes_api.so calls libm's pow and libpthread without DT_NEEDED: a
// local library resolves such symbols only from the process's global scope) name them in `system_preload`:
// they are opened by soname with RTLD_GLOBAL first, which adds nothing the process did not have by name. A
// library that cannot bind all its symbols (OES 0.16.x needs a pthread name glibc >= 2.34 lacks) is still asked
// its version, lazily, so that a library of another version is refused as such. An SDK whose version only a
// created object reports (XTP: GetApiVersion is virtual) leaves `read_version` empty; its library is then
// checked to be that SDK's (the factory must be there) and the object's version right after the factory
// (ApiObject, `Traits::object_version`), before any other call. Nothing opened here is ever dlclose()d: a
// vendor's threads may still be leaving its code after Release() returns.
#pragma once

#include <dlfcn.h>
#include <link.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vtcore::sdk {

/// The library cannot be loaded, or is not the library of that SDK and kind.
class LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The library loads but reports another version than the headers the binding was built from.
class VersionMismatchError : public LibraryError {
 public:
  using LibraryError::LibraryError;
};

/// "v6.7.11_20250617 16:22:00.10369" and "v6.7.11_vtcore-sim 0.1.0" match "6.7.11"; "V1.7.5" matches
/// "1.7.5"; "v6.7.13_..." and "6.7.110" do not. A leading v or V is ignored, and the expected version must
/// end where a number would (the next character is neither a digit nor a dot).
[[nodiscard]] inline bool version_matches_prefix(std::string_view reported, std::string_view expected) noexcept {
  if (!reported.empty() && (reported.front() == 'v' || reported.front() == 'V')) reported.remove_prefix(1);
  if (expected.empty() || !reported.starts_with(expected)) return false;
  if (reported.size() == expected.size()) return true;
  const char next = reported[expected.size()];
  return !(next >= '0' && next <= '9') && next != '.';
}

/// What a binding expects of one vendor library.
struct LibrarySpec {
  std::string sdk;               // "CTP", for messages
  std::string kind;              // "market-data", "trader"
  std::string factory_symbol;    // the (mangled or C) name of the factory
  std::string expected_version;  // the version the headers describe
  /// Reads the version from the opened library (e.g. a static GetApiVersion()); empty: only a created object
  /// knows it (checked by ApiObject through `Traits::object_version`).
  std::function<std::string(void* handle)> read_version;
  std::function<bool(std::string_view reported, std::string_view expected)> version_matches = version_matches_prefix;
  std::vector<std::string> preload;         // file names, opened from the library's folder first
  std::vector<std::string> system_preload;  // system libraries by soname (or path), opened RTLD_GLOBAL first
  std::string built_from = "headers";       // what the binding was built from, for messages ("declarations": OES)
};

/// An opened, version-checked library and its factory.
struct Library {
  std::string path;
  std::string version;
  void* handle = nullptr;
  void* factory = nullptr;

  [[nodiscard]] void* symbol(const char* name) const noexcept { return ::dlsym(handle, name); }
};

/// Why a library of another version is refused (the same words wherever the version is read).
inline std::string version_mismatch_message(const std::string& path, const std::string& version,
                                            const LibrarySpec& spec) {
  return path + " reports API version '" + version + "', but this binding was built from the " + spec.sdk + " " +
         spec.expected_version + " " + spec.built_from + ": another version has other struct layouts and " +
         "vtables, so it is refused before any call. Use a " + spec.sdk + " " + spec.expected_version +
         " library, or rebuild vtcore from the " + spec.built_from + " of that library's version";
}

namespace detail {
inline std::string load_error(const std::string& path, const LibrarySpec& spec) {
  const char* error = ::dlerror();
  return "cannot load the " + spec.sdk + " " + spec.kind + " library " + path + ": " +
         (error ? error : "unknown error");
}

/// A preloaded dependency is found again by its dependents through its soname (the file name here), and the
/// loader answers with the FIRST object of that name in the process: another file of that name loaded earlier
/// (the simulator's stand-in for a vendor's SSL library, or the vendor's beside a stand-in) would be bound
/// instead of ours, so that case is refused.
inline void refuse_other_copy(void* handle, const std::string& path, const LibrarySpec& spec) {
  const std::string name = path.substr(path.rfind('/') + 1);
  void* found = ::dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (found == nullptr || found == handle) {
    if (found != nullptr) ::dlclose(found);  // only the reference RTLD_NOLOAD added
    return;
  }
  link_map* other = nullptr;
  const std::string other_path =
      ::dlinfo(found, RTLD_DI_LINKMAP, &other) == 0 && other != nullptr ? other->l_name : "another folder";
  ::dlclose(found);
  throw LibraryError("cannot load the " + spec.sdk + " " + spec.kind + " library's " + name + " from " + path +
                     ": another " + name + " (" + other_path + ") is already loaded in this process, and the " +
                     "libraries that need it would use that one. Load one set of " + spec.sdk +
                     " libraries per process");
}

inline void* open_local(const std::string& path, const LibrarySpec& spec) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw LibraryError(load_error(path, spec));
  if (path.find('/') != std::string::npos) refuse_other_copy(handle, path, spec);
  return handle;
}

/// A library that cannot bind all its symbols: its version, read from a lazy (still local) load, refuses it
/// as a library of another version when it is one; otherwise the load error stands.
[[noreturn]] inline void refuse_unloadable(const std::string& path, const LibrarySpec& spec,
                                           const std::string& load_failure) {
  if (spec.read_version) {
    if (void* lazy = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL)) {
      std::string version;
      try {
        version = spec.read_version(lazy);
      } catch (const LibraryError&) {
        throw LibraryError(load_failure);
      }
      if (!spec.version_matches(version, spec.expected_version)) {
        throw VersionMismatchError(version_mismatch_message(path, version, spec) + " (it cannot even be loaded " +
                                   "here: " + load_failure + ")");
      }
    }
  }
  throw LibraryError(load_failure);
}
}  // namespace detail

/// Opens `path` (after `spec.preload`), checks its version, and finds its factory. Throws LibraryError (cannot
/// load, not that kind of library) or VersionMismatchError naming the file, the version found and the one
/// expected. Call it with the GIL released: dlopen runs the library's constructors.
inline Library open_library(const std::string& path, const LibrarySpec& spec) {
  const std::string folder = path.find('/') == std::string::npos ? "" : path.substr(0, path.rfind('/') + 1);
  for (const std::string& system : spec.system_preload) {
    if (::dlopen(system.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
      throw LibraryError(detail::load_error(system, spec) + " (" + path + " needs it)");
    }
  }
  for (const std::string& dependency : spec.preload) detail::open_local(folder + dependency, spec);
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) detail::refuse_unloadable(path, spec, detail::load_error(path, spec));
  Library library{path, {}, handle, nullptr};
  // The version first: a library of another version or of a sibling SDK (CTP's given to CTP-Mini) is named
  // by what it reports, which says more than a missing factory.
  try {
    library.version = spec.read_version ? spec.read_version(library.handle) : std::string();
  } catch (const LibraryError& error) {
    throw LibraryError(path + " is not a " + spec.sdk + " " + spec.kind + " library (" + error.what() + ")");
  }
  if (spec.read_version && !spec.version_matches(library.version, spec.expected_version)) {
    throw VersionMismatchError(version_mismatch_message(path, library.version, spec));
  }
  library.factory = library.symbol(spec.factory_symbol.c_str());
  if (library.factory == nullptr) {
    throw LibraryError(path + " is not a " + spec.sdk + " " + spec.kind + " library (it lacks " + spec.factory_symbol +
                       ")");
  }
  return library;
}

/// A `read_version` for SDKs with a static `const char* GetApiVersion()` (or a C function of that shape).
/// A library without that symbol is not of that SDK: LibraryError ("it lacks <symbol>", open_library names it).
inline std::function<std::string(void*)> static_version_getter(std::string symbol) {
  return [symbol = std::move(symbol)](void* handle) -> std::string {
    using Getter = const char* (*)();
    auto* getter = reinterpret_cast<Getter>(::dlsym(handle, symbol.c_str()));
    if (getter == nullptr) throw LibraryError("it lacks " + symbol);
    const char* version = getter();
    return version ? version : "";
  };
}

}  // namespace vtcore::sdk
