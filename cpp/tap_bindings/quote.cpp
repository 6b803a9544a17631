// vtcore._tap's QuoteApi: ITapQuoteAPI (libTapQuoteAPI.so) with the kit's ApiObject. Quotes become TickRecords
// in C++ for the contracts a subscription registered (symbol and exchange are the gateway's); every other
// callback is the generated message.
#include <pybind11/pybind11.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "TapQuoteAPI.h"
#include "connection.hpp"
#include "contract_key.hpp"
#include "quote_tick.hpp"
#include "register.hpp"
#include "tapquote_requests.hpp"
#include "tapquote_spi.hpp"
#include "traits.hpp"
#include "vtcore/clock.hpp"
#include "vtcore/exchange.hpp"
#include "vtcore/sdk/bind.hpp"
#include "vtcore/sdk/producer.hpp"

namespace vtcore::tapquote {
namespace {

class QuoteSpi final : public GeneratedQuoteSpi {
 public:
  using GeneratedQuoteSpi::GeneratedQuoteSpi;

  bool hook_OnRtnQuote(const TapAPIQuoteWhole* info) override {
    push_tick(info);
    return false;  // no message: the tick is in the ring
  }

  bool hook_OnRspSubscribeQuote(TAPIUINT32, TAPIINT32 error, TAPIYNFLAG, const TapAPIQuoteWhole* info) override {
    if (error == 0) push_tick(info);  // the answer carries the quote as it is now
    return true;                      // and the gateway gets the answer (subscribed, or why not)
  }

  void set_contract(std::string key, std::string symbol, std::uint16_t exchange) {
    std::unique_lock guard(mutex_);
    contracts_[std::move(key)] = {std::move(symbol), exchange};
  }
  [[nodiscard]] std::uint64_t ticks_refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  void push_tick(const TapAPIQuoteWhole* info) {
    if (info == nullptr) return;
    const tap::ContractKey key(info->Contract);
    TickRecord record;
    bool converted = false;
    {
      std::shared_lock guard(mutex_);
      const auto found = contracts_.find(key.view());
      converted = found != contracts_.end() &&
                  tap::convert_quote(*info, found->second.first, found->second.second, now_ns(), record);
    }
    if (converted) {
      this->producer().push_tick(record);
    } else {
      refused_.fetch_add(1, std::memory_order_relaxed);  // a contract nobody subscribed, or a symbol too long
    }
  }

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::pair<std::string, std::uint16_t>, StringHash, std::equal_to<>> contracts_;
  std::atomic<std::uint64_t> refused_{0};
};

struct QuoteTraits : tap::NoInit {
  using Api = ITapQuoteAPI;
  using Spi = QuoteSpi;
  using Options = tap::Options;
  static constexpr bool kReleaseNeedsInit = false;
  static sdk::LibrarySpec library_spec() {
    return tap::spec("quote", "CreateTapQuoteAPI", "GetTapQuoteAPIVersion", VTCORE_SDK_LIBRARY_VERSION_QUOTE);
  }
  static Api* create(const sdk::Library& library, const char* data_path, const Options& options) {
    using SetPath = TAPIINT32 (*)(const TAPICHAR*);
    using SetLevel = TAPIINT32 (*)(TAPILOGLEVEL);
    using Create = ITapQuoteAPI* (*)(const TapAPIApplicationInfo*, TAPIINT32&);
    tap::c_function<SetPath>(library, "SetTapQuoteAPIDataPath")(data_path);
    tap::c_function<SetLevel>(library, "SetTapQuoteAPILogLevel")(APILOGLEVEL_NONE);
    auto info = tap::application_info<TapAPIApplicationInfo>(options, data_path);
    info.IsLogEncryption = APIYNFLAG_NO;
    TAPIINT32 result = 0;
    ITapQuoteAPI* api = reinterpret_cast<Create>(library.factory)(&info, result);
    if (api == nullptr) throw sdk::LibraryError("CreateTapQuoteAPI failed with TAP error " + std::to_string(result));
    return api;
  }
  static void register_spi(Api& api, Spi* spi) { api.SetAPINotify(spi); }
  static void destroy(const sdk::Library& library, Api* api) {
    tap::c_function<void (*)(ITapQuoteAPI*)>(library, "FreeTapQuoteAPI")(api);
  }
};

TapAPIContract contract_from(const pybind11::buffer& payload) {
  return sdk::checked_struct<TapAPIContract>(payload, "contract", &unterminated);
}

}  // namespace
}  // namespace vtcore::tapquote

namespace vtcore::tap {

void register_quote(pybind11::module_& m) {
  using namespace vtcore::tapquote;  // NOLINT(google-build-using-namespace): glue only
  using Self = sdk::ApiObject<QuoteTraits>;
  pybind11::class_<Self> cls(m, "QuoteApi", "ITapQuoteAPI: quotes of registered contracts go to the producer.");
  sdk::bind_api_object<QuoteTraits>(cls);
  sdk::bind_session_requests<QuoteTraits, QuoteRequests>(cls);
  tap::bind_connection<QuoteTraits, TapAPIQuoteLoginAuth>(
      cls, &unterminated,
      [](ITapQuoteAPI& api, const char* host, std::uint16_t port) { return api.SetHostAddress(host, port); },
      "Login(TapAPIQuoteLoginAuth bytes): connects, then OnRspLogin and OnAPIReady.");
  cls.def(
         "register_contract",
         [](Self& self, const pybind11::buffer& contract, const std::string& symbol, const std::string& exchange) {
           const std::uint16_t code = exchange_code(exchange);
           if (code == 0) throw sdk::RequestError("unknown exchange '" + exchange + "'");
           if (symbol.empty() || symbol.size() > kSymbolSize)
             throw sdk::RequestError("symbol '" + symbol + "' does not fit a tick record");
           const TapAPIContract value = contract_from(contract);
           self.spi().set_contract(std::string(tap::ContractKey(value).view()), symbol, code);
         },
         pybind11::arg("contract"), pybind11::arg("symbol"), pybind11::arg("exchange"),
         "Name the ticks of a contract (TapAPIContract bytes) before subscribing it.")
      .def_property_readonly("ticks_refused", [](Self& self) { return self.spi().ticks_refused(); });
  sdk::register_library_version<QuoteTraits>(m, "quote_library_version");
  m.attr("QUOTE_WHOLE_SIZE") = sizeof(TapAPIQuoteWhole);
  m.def(
      "convert_quote",
      [](const pybind11::bytes& whole, const std::string& symbol, const std::string& exchange, std::int64_t local_ns) {
        const std::string data = whole;
        if (data.size() != sizeof(TapAPIQuoteWhole)) throw sdk::RequestError("wrong TapAPIQuoteWhole size");
        TapAPIQuoteWhole quote;
        std::memcpy(static_cast<void*>(&quote), data.data(), sizeof(quote));
        TickRecord record;
        if (!tap::convert_quote(quote, symbol, exchange_code(exchange), local_ns, record))
          return pybind11::object(pybind11::none());
        return pybind11::object(pybind11::bytes(reinterpret_cast<const char*>(&record), sizeof(record)));
      },
      pybind11::arg("quote"), pybind11::arg("symbol"), pybind11::arg("exchange"), pybind11::arg("local_ns"),
      "The quote conversion the quote callback runs (for tests): TapAPIQuoteWhole bytes -> TickRecord bytes.");
}

}  // namespace vtcore::tap
