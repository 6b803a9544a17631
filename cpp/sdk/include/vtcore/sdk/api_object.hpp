// One API object of a vendor library, its SPI and the lock that serialises calls into it.
//
// Every call into the SDK runs with the lock held (an SDK object is not documented as thread-safe, and requests
// come from any Python thread) and the GIL released (the SDK may block: Init, Release, XTP's Login), except the
// requests of an SDK whose requests only queue (`kRequestsOnlyQueue`, the Thost family: ReqOrderInsert hands
// the struct to the SDK's network thread), which keep the GIL while the lock is free at once, as vn.py's
// bindings do: a GIL hand-over costs the order path a thread switch (the engine thread takes the GIL as soon
// as the first report arrives, and the sender waits for it back).
// Each call tells the SPI's consumer that an answer is due (Producer::expect_answer), so that an engine
// whose profile says so spins for it rather than parking (WaitProfile::answer_spin).
// release() is idempotent and joins the SDK's threads, after which no callback runs; SDKs whose Release()
// crashes on an object that was never Init()ed (CTP-Mini) set `kReleaseNeedsInit`, and such an object is
// then left alone instead (a small leak, never a crash).
//
// `Traits` supplies:
//   using Api, Spi;                                    the vendor API class and the generated SPI subclass
//   static LibrarySpec library_spec();                 what to load and check
//   struct Options;                                    the factory's extra arguments (production mode, ...)
//   static Api* create(const Library&, const char* flow_prefix, const Options&);
//   static constexpr bool kReleaseNeedsInit;
//   static void init(Api&);                            Init() with the SDK's defaults
//   static void register_spi(Api&, Spi*);              RegisterSpi (nullptr detaches)
//   static void destroy(const Library&, Api*);         optional: how the SDK frees an API object when it is
//                                                      not `api->Release()` (TAP: the C FreeTapQuoteAPI)
//   static std::string object_version(Api&);           optional: the version a created object reports, for SDKs
//                                                      without a static getter (XTP); checked right after the
//                                                      factory, before any other call (a mismatch releases it)
//   static constexpr bool kRequestsOnlyQueue;          optional (false): requests never block
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "vtcore/event_hub.hpp"
#include "vtcore/sdk/flow_folder.hpp"
#include "vtcore/sdk/library.hpp"

namespace vtcore::sdk {

template <typename Traits>
class ApiObject {
 public:
  using Api = typename Traits::Api;
  using Spi = typename Traits::Spi;
  using Options = typename Traits::Options;

  ApiObject(const std::string& library_path, const std::string& flow_folder, std::shared_ptr<Producer> producer,
            const Options& options)
      : answers_(producer), spi_(std::make_unique<Spi>(std::move(producer))) {
    pybind11::gil_scoped_release unlocked;
    library_ = open_library(library_path, Traits::library_spec());
    const std::string flow = prepare_flow_folder(flow_folder);
    api_ = Traits::create(library_, flow.c_str(), options);
    if (api_ == nullptr) throw LibraryError("the " + Traits::library_spec().sdk + " factory returned no API object");
    if constexpr (requires(Api & api) { Traits::object_version(api); }) check_object_version();
    Traits::register_spi(*api_, spi_.get());
  }
  ApiObject(const ApiObject&) = delete;
  ApiObject& operator=(const ApiObject&) = delete;
  ~ApiObject() {
    try {
      release();
    } catch (...) {  // a destructor must not throw
    }
  }

  /// Runs `call(api)` with the GIL released and the lock held; throws if the object was released.
  template <typename Call>
  decltype(auto) with_api(Call&& call) {
    answers_->expect_answer();
    pybind11::gil_scoped_release unlocked;
    std::lock_guard guard(lock_);
    if (api_ == nullptr) throw std::runtime_error("the " + library_.path + " API object was released");
    return call(*api_);
  }

  /// Runs `call(api)` with the lock held, keeping the GIL when the lock is free at once (for calls that never
  /// block); when another thread is in a call, waits for the lock with the GIL released.
  template <typename Call>
  decltype(auto) with_api_queued(Call&& call) {
    answers_->expect_answer();
    std::unique_lock guard(lock_, std::try_to_lock);
    if (!guard.owns_lock()) {
      pybind11::gil_scoped_release unlocked;
      guard.lock();
    }
    if (api_ == nullptr) throw std::runtime_error("the " + library_.path + " API object was released");
    return call(*api_);
  }

  /// `with_api_queued` for an SDK whose requests only queue (Traits::kRequestsOnlyQueue), else `with_api`.
  template <typename Call>
  decltype(auto) with_api_request(Call&& call) {
    if constexpr (requires { requires Traits::kRequestsOnlyQueue; }) {
      return with_api_queued(std::forward<Call>(call));
    } else {
      return with_api(std::forward<Call>(call));
    }
  }

  void init() {
    with_api([this](Api& api) {
      initialized_ = true;
      Traits::init(api);
    });
  }

  void release() {
    pybind11::gil_scoped_release unlocked;
    std::lock_guard guard(lock_);
    Api* api = std::exchange(api_, nullptr);
    if (api == nullptr) return;
    Traits::register_spi(*api, nullptr);
    if (Traits::kReleaseNeedsInit && !initialized_) return;  // see above: left alone, never crashed
    if constexpr (requires { Traits::destroy(library_, api); }) {
      Traits::destroy(library_, api);  // joins the SDK's threads: no callback runs after this
    } else {
      api->Release();  // joins the SDK's threads: no callback runs after this
    }
  }

  [[nodiscard]] bool released() {
    std::lock_guard guard(lock_);
    return api_ == nullptr;
  }

  [[nodiscard]] const Library& library() const noexcept { return library_; }
  [[nodiscard]] Spi& spi() noexcept { return *spi_; }

 private:
  void check_object_version() {
    const LibrarySpec spec = Traits::library_spec();
    library_.version = Traits::object_version(*api_);
    if (!spec.version_matches(library_.version, spec.expected_version)) {
      std::exchange(api_, nullptr)->Release();
      throw VersionMismatchError(version_mismatch_message(library_.path, library_.version, spec));
    }
  }

  std::shared_ptr<Producer> answers_;  // the SPI's producer: each call tells its consumer an answer is due
  Library library_;
  std::unique_ptr<Spi> spi_;
  Api* api_ = nullptr;
  bool initialized_ = false;
  std::mutex lock_;
};

}  // namespace vtcore::sdk
