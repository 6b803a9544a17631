// vtcore._ctp: the CTP market-data and trader APIs, built from the SDK headers alone.
//
// The vendor library is dlopen()ed by explicit path with RTLD_LOCAL (never linked, never RTLD_GLOBAL),
// its GetApiVersion() is checked against the header version compiled in before any object is created,
// and callbacks never touch Python: they copy structs into the gateway's vtcore::Producer ring
// (ticks as TickRecords, everything else as messages; see tools/ctpgen/emit_binding.py).
#include <dlfcn.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ctp_spi.hpp"
#include "request_support.hpp"
#include "tick_convert.hpp"
#include "vtcore/clock.hpp"
#include "vtcore/event_hub.hpp"

namespace py = pybind11;

namespace vtcore::ctp {
namespace {

constexpr std::string_view kCompiledVersion = VTCORE_CTP_API_VERSION;

class LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class VersionMismatchError : public LibraryError {
 public:
  using LibraryError::LibraryError;
};

/// "v6.7.11_20250617 16:22:00.10369" (the real library) and "v6.7.11 ... vtcore-ctpsim" (the
/// simulator) match "6.7.11"; "v6.7.13_..." and "V1.7.5" (CTP-Mini) do not.
bool version_matches(std::string_view reported, std::string_view compiled) {
  if (!reported.empty() && (reported.front() == 'v' || reported.front() == 'V')) reported.remove_prefix(1);
  if (!reported.starts_with(compiled)) return false;
  if (reported.size() == compiled.size()) return true;
  const char next = reported[compiled.size()];
  return !(next >= '0' && next <= '9') && next != '.';
}

/// One vendor library, opened RTLD_NOW | RTLD_LOCAL. It is never dlclose()d: the real library's
/// threads finish exiting some time after Release() returns, and unmapping code under them would crash.
struct Library {
  std::string path;
  std::string version;
  void* factory = nullptr;
};

Library open_library(const std::string& path, const char* version_symbol, const char* factory_symbol) {
  Library library{path, {}, nullptr};
  void* handle = nullptr;
  {
    py::gil_scoped_release unlocked;
    handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  }
  if (handle == nullptr) {
    const char* error = ::dlerror();
    throw LibraryError("cannot load the CTP library " + path + ": " + (error ? error : "unknown error"));
  }
  using VersionFunction = const char* (*)();
  auto* get_version = reinterpret_cast<VersionFunction>(::dlsym(handle, version_symbol));
  library.factory = ::dlsym(handle, factory_symbol);
  if (get_version == nullptr || library.factory == nullptr) {
    ::dlclose(handle);  // nothing of it ran yet
    throw LibraryError(path + " is not a CTP library of this kind (it lacks " +
                       (get_version == nullptr ? version_symbol : factory_symbol) + ")");
  }
  const char* version = get_version();
  library.version = version ? version : "";
  if (!version_matches(library.version, kCompiledVersion)) {
    throw VersionMismatchError(path + " reports API version '" + library.version + "', but vtcore._ctp was built "
                               "from the CTP " + std::string(kCompiledVersion) +
                               " headers: the vtables differ between versions, so it is refused. Use the " +
                               std::string(kCompiledVersion) + " library or rebuild vtcore with "
                               "-DVTCORE_CTP_VERSION=<its version>");
  }
  return library;
}

/// CTP treats the flow path as a file-name prefix and crashes when the directory is missing.
std::string prepare_flow_path(const std::string& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw LibraryError("cannot create the CTP flow folder " + folder + ": " + error.message());
  return folder.empty() || folder.back() == '/' ? folder : folder + "/";
}

std::shared_ptr<Producer> producer_from(const py::object& capsule) {
  auto* holder = static_cast<std::shared_ptr<Producer>*>(PyCapsule_GetPointer(capsule.ptr(), kProducerCapsuleName));
  if (holder == nullptr) throw py::error_already_set();
  return *holder;
}

std::int32_t trading_day_int(const char* text, std::size_t size) {
  return parse_date(std::string_view(text, ::strnlen(text, size)));
}

// -- market data ------------------------------------------------------------------------------------------

class MdSpi final : public GeneratedMdSpi {
 public:
  using GeneratedMdSpi::GeneratedMdSpi;

  bool hook_OnRtnDepthMarketData(CThostFtdcDepthMarketDataField* data) override {
    if (data == nullptr) return false;
    std::uint16_t exchange = 0;
    {
      std::shared_lock guard(exchanges_mutex_);
      const auto found = exchanges_.find(std::string_view(data->InstrumentID, ::strnlen(data->InstrumentID, sizeof(data->InstrumentID))));
      if (found != exchanges_.end()) exchange = found->second;
    }
    TickRecord record;
    if (convert_tick(*data, exchange, session_trading_day_.load(std::memory_order_relaxed), now_ns(), record)) {
      producer().push_tick(record);
    } else {
      ticks_refused_.fetch_add(1, std::memory_order_relaxed);
    }
    return false;
  }

  bool hook_OnRspUserLogin(CThostFtdcRspUserLoginField* login, CThostFtdcRspInfoField* info, int, bool) override {
    if (login != nullptr && (info == nullptr || info->ErrorID == 0)) {
      const std::int32_t day = trading_day_int(login->TradingDay, sizeof(login->TradingDay));
      if (day) session_trading_day_.store(day, std::memory_order_relaxed);
    }
    return true;
  }

  void set_exchange(const std::string& symbol, std::uint16_t exchange) {
    std::unique_lock guard(exchanges_mutex_);
    exchanges_[symbol] = exchange;
  }
  void set_session_trading_day(std::int32_t day) { session_trading_day_.store(day, std::memory_order_relaxed); }
  [[nodiscard]] std::int32_t session_trading_day() const { return session_trading_day_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t ticks_refused() const { return ticks_refused_.load(std::memory_order_relaxed); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::shared_mutex exchanges_mutex_;
  std::unordered_map<std::string, std::uint16_t, StringHash, std::equal_to<>> exchanges_;
  std::atomic<std::int32_t> session_trading_day_{0};
  std::atomic<std::uint64_t> ticks_refused_{0};
};

class TraderSpi final : public GeneratedTraderSpi {
 public:
  using GeneratedTraderSpi::GeneratedTraderSpi;
};

struct MdTraits {
  using Api = CThostFtdcMdApi;
  using Spi = MdSpi;
  static constexpr const char* kVersionSymbol = "_ZN15CThostFtdcMdApi13GetApiVersionEv";
  static constexpr const char* kFactorySymbol = "_ZN15CThostFtdcMdApi15CreateFtdcMdApiEPKcbbb";
  static Api* create(void* factory, const char* flow, bool production) {
    using Factory = Api* (*)(const char*, bool, bool, bool);
    return reinterpret_cast<Factory>(factory)(flow, false, false, production);
  }
};

struct TraderTraits {
  using Api = CThostFtdcTraderApi;
  using Spi = TraderSpi;
  static constexpr const char* kVersionSymbol = "_ZN19CThostFtdcTraderApi13GetApiVersionEv";
  static constexpr const char* kFactorySymbol = "_ZN19CThostFtdcTraderApi19CreateFtdcTraderApiEPKcb";
  static Api* create(void* factory, const char* flow, bool production) {
    using Factory = Api* (*)(const char*, bool);
    return reinterpret_cast<Factory>(factory)(flow, production);
  }
};

/// One API object of the vendor library, its SPI and the lock that serialises calls into it.
/// Every SDK call runs with the GIL released and the lock held; release() sets api_ to nullptr.
template <typename Traits>
class ApiObject {
 public:
  ApiObject(const std::string& library_path, const std::string& flow_folder, const py::object& capsule,
            bool production_mode)
      : library_(open_library(library_path, Traits::kVersionSymbol, Traits::kFactorySymbol)),
        spi_(std::make_unique<typename Traits::Spi>(producer_from(capsule))) {
    const std::string flow = prepare_flow_path(flow_folder);
    py::gil_scoped_release unlocked;
    api_ = Traits::create(library_.factory, flow.c_str(), production_mode);
    if (api_ == nullptr) throw LibraryError("the CTP factory returned no API object");
    api_->RegisterSpi(spi_.get());
  }
  ApiObject(const ApiObject&) = delete;
  ApiObject& operator=(const ApiObject&) = delete;
  ~ApiObject() {
    try {
      release();
    } catch (...) {  // a destructor must not throw; release() only throws on a lost GIL state
    }
  }

  /// Runs `call(api)` with the GIL released and the lock held; throws if released.
  template <typename Call>
  auto with_api(Call&& call) {
    py::gil_scoped_release unlocked;
    std::lock_guard guard(lock_);
    if (api_ == nullptr) throw std::runtime_error("the CTP API object was released");
    return call(api_);
  }

  void release() {
    typename Traits::Api* api = nullptr;
    {
      py::gil_scoped_release unlocked;
      std::lock_guard guard(lock_);
      api = std::exchange(api_, nullptr);
      if (api != nullptr) {
        api->RegisterSpi(nullptr);
        api->Release();  // joins the SDK's threads: no callback runs after this
      }
    }
  }

  [[nodiscard]] bool released() {
    std::lock_guard guard(lock_);
    return api_ == nullptr;
  }

  Library library_;
  std::unique_ptr<typename Traits::Spi> spi_;
  typename Traits::Api* api_ = nullptr;
  std::mutex lock_;
};

using MdApi = ApiObject<MdTraits>;
using TraderApi = ApiObject<TraderTraits>;

std::vector<std::string> as_c_symbols(const std::vector<std::string>& symbols) {
  for (const auto& symbol : symbols) {
    if (symbol.empty() || symbol.size() >= sizeof(CThostFtdcSpecificInstrumentField::InstrumentID) ||
        symbol.find('\0') != std::string::npos) {
      throw py::value_error("bad CTP instrument id (empty, too long or with a NUL byte)");
    }
  }
  return symbols;
}

int subscription_call(MdApi& self, const std::vector<std::string>& symbols, bool subscribe) {
  std::vector<std::string> copies = as_c_symbols(symbols);
  std::vector<char*> pointers;
  pointers.reserve(copies.size());
  for (auto& symbol : copies) pointers.push_back(symbol.data());
  return self.with_api([&](CThostFtdcMdApi* api) {
    const int count = static_cast<int>(pointers.size());
    return subscribe ? api->SubscribeMarketData(pointers.data(), count)
                     : api->UnSubscribeMarketData(pointers.data(), count);
  });
}

template <typename Traits, typename Class>
void bind_common(Class& cls) {
  using Self = ApiObject<Traits>;
  cls.def_property_readonly("library_version", [](const Self& self) { return self.library_.version; })
      .def_property_readonly("library_path", [](const Self& self) { return self.library_.path; })
      .def_property_readonly("released", [](Self& self) { return self.released(); })
      .def("register_front",
           [](Self& self, const std::string& address) {
             std::string copy = address;
             self.with_api([&](typename Traits::Api* api) { api->RegisterFront(copy.data()); });
           })
      .def("init", [](Self& self) { self.with_api([](typename Traits::Api* api) { api->Init(); }); })
      .def("trading_day",
           [](Self& self) {
             return self.with_api([](typename Traits::Api* api) {
               const char* day = api->GetTradingDay();
               return std::string(day ? day : "");
             });
           })
      .def("release", &Self::release, "Stop the SDK's threads and free the API object (idempotent).");
}

}  // namespace
}  // namespace vtcore::ctp

PYBIND11_MODULE(_ctp, m) {
  using namespace vtcore;  // NOLINT(google-build-using-namespace): module glue only
  using namespace vtcore::ctp;  // NOLINT(google-build-using-namespace)
  m.doc() = "CTP market-data and trader APIs on a vendor library loaded by path (see vtcore.gateways.ctp).";
  m.attr("API_VERSION") = std::string(kCompiledVersion);
  m.attr("DEPTH_MARKET_DATA_SIZE") = sizeof(CThostFtdcDepthMarketDataField);
  auto library_error = py::register_exception<LibraryError>(m, "LibraryError", PyExc_OSError);
  py::register_exception<VersionMismatchError>(m, "VersionMismatchError", library_error.ptr());

  m.def("version_matches", &version_matches, py::arg("reported"), py::arg("compiled") = std::string(kCompiledVersion),
        "Whether a library's GetApiVersion() string is accepted for the compiled-in header version.");
  m.def("request_names", &request_names, "Names accepted by MdApi.request / TraderApi.request.");
  m.def(
      "convert_tick",
      [](const py::bytes& depth, const std::string& exchange, std::int32_t session_trading_day, std::int64_t local_ns) {
        const std::string data = depth;
        if (data.size() != sizeof(CThostFtdcDepthMarketDataField)) throw py::value_error("wrong DepthMarketData size");
        CThostFtdcDepthMarketDataField field;
        std::memcpy(&field, data.data(), sizeof(field));
        TickRecord record;
        if (!convert_tick(field, exchange_code(exchange), session_trading_day, local_ns, record)) return py::object(py::none());
        return py::object(py::bytes(reinterpret_cast<const char*>(&record), sizeof(record)));
      },
      py::arg("depth"), py::arg("exchange"), py::arg("session_trading_day"), py::arg("local_ns"),
      "The tick conversion the market-data callback runs (for tests): DepthMarketData bytes -> TickRecord bytes.");

  py::class_<MdApi> md(m, "MdApi", "CThostFtdcMdApi of the library at `library`; ticks go to the producer.");
  md.def(py::init<const std::string&, const std::string&, const py::object&, bool>(), py::arg("library"),
         py::arg("flow_folder"), py::arg("producer_capsule"), py::arg("production_mode") = true);
  bind_common<MdTraits>(md);
  md.def(
        "subscribe",
        [](MdApi& self, const std::vector<std::pair<std::string, std::string>>& symbols) {
          std::vector<std::string> names;
          for (const auto& [symbol, exchange] : symbols) {
            const std::uint16_t code = exchange_code(exchange);
            if (code == 0) throw py::value_error("unknown exchange '" + exchange + "'");
            self.spi_->set_exchange(symbol, code);
            names.push_back(symbol);
          }
          return subscription_call(self, names, true);
        },
        py::arg("symbols"), "Subscribe [(symbol, exchange value)]; returns the SDK's result code.")
      .def(
          "unsubscribe", [](MdApi& self, const std::vector<std::string>& symbols) { return subscription_call(self, symbols, false); },
          py::arg("symbols"))
      .def(
          "request",
          [](MdApi& self, const std::string& name, const py::dict& fields, int request_id) {
            return request_md(self.api_, self.lock_, name, fields, request_id);
          },
          py::arg("name"), py::arg("fields"), py::arg("request_id"))
      .def_property(
          "session_trading_day", [](MdApi& self) { return self.spi_->session_trading_day(); },
          [](MdApi& self, std::int32_t day) { self.spi_->set_session_trading_day(day); })
      .def_property_readonly("ticks_refused", [](MdApi& self) { return self.spi_->ticks_refused(); });

  py::class_<TraderApi> td(m, "TraderApi", "CThostFtdcTraderApi of the library at `library`; messages go to the producer.");
  td.def(py::init<const std::string&, const std::string&, const py::object&, bool>(), py::arg("library"),
         py::arg("flow_folder"), py::arg("producer_capsule"), py::arg("production_mode") = true);
  bind_common<TraderTraits>(td);
  td.def("subscribe_private_topic",
         [](TraderApi& self, int resume) {
           self.with_api([&](CThostFtdcTraderApi* api) { api->SubscribePrivateTopic(static_cast<THOST_TE_RESUME_TYPE>(resume)); });
         })
      .def("subscribe_public_topic",
           [](TraderApi& self, int resume) {
             self.with_api([&](CThostFtdcTraderApi* api) { api->SubscribePublicTopic(static_cast<THOST_TE_RESUME_TYPE>(resume)); });
           })
      .def(
          "request",
          [](TraderApi& self, const std::string& name, const py::dict& fields, int request_id) {
            return request_trader(self.api_, self.lock_, name, fields, request_id);
          },
          py::arg("name"), py::arg("fields"), py::arg("request_id"));
}
