// What the simulated TAP quote and trade APIs share on the core's FrontSession: TAP's connection model and
// request ids. Compiled into each front-end against its own header set (quote and trade declare the same names).
//
// TAP connects in Login(): SetHostAddress names the front ("?config=<path>" after the host selects a
// configuration, as with every front-end), Login starts the API thread, and once the front is up the login
// itself runs (OnRspLogin, then OnAPIReady). After a dropped connection the front reconnects and logs in again
// by itself, as the trade API does with ReConnectCount/ReConnectSeconds. Every request returns its session id
// through the out-parameter at once and answers on the API thread; before login it returns
// TAPIERROR_API_NotReady (-17). Requests the front-end does not write are generated stubs returning
// TAPIERROR_ORDERINT_UN_SUPPORT_ERROR (60007, "目前不支持的指令").
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "vtcore/sim/front_session.hpp"

namespace vtcore::sim::tap {

inline constexpr int kApiNotReady = -17;      // TAPIERROR_API_NotReady
inline constexpr int kNotSupported = 60007;   // TAPIERROR_ORDERINT_UN_SUPPORT_ERROR
inline constexpr int kInputValueError = -13;  // TAPIERROR_InputValueError

// `Session` is the core's FrontSession, or MdSession for the quote API (its tick stream).
template <class Stubs, class Notify, class LoginAuth, class Session = FrontSession>
class TapSession : public Stubs, public Session {
 public:
  explicit TapSession(FrontKind kind) : Session(kind) {}
  virtual ~TapSession() = default;
  TapSession(const TapSession&) = delete;
  TapSession& operator=(const TapSession&) = delete;

  /// FreeTap...API: stop the thread (also from inside a callback: deleted once it returns).
  void free_api() {
    this->stop_session();
    if (this->loop_.in_loop_thread()) {
      this->loop_.finish_in_loop_thread([this] { delete this; });
      return;
    }
    delete this;
  }

 protected:
  int set_notify(Notify* notify) {
    notify_.store(notify);
    return 0;
  }
  int set_host(const char* host, unsigned port) {
    if (host == nullptr || *host == '\0') return kInputValueError;
    std::string address(host);
    const std::size_t query = address.find('?');  // "127.0.0.1?config=/x.json": the query stays at the end
    const std::string tail = query == std::string::npos ? "" : address.substr(query);
    address = "tcp://" + address.substr(0, query) + ":" + std::to_string(port) + tail;
    this->register_front(address.c_str());
    host_ = host;
    return 0;
  }
  int begin_login(const LoginAuth* auth) {
    if (auth == nullptr) return kInputValueError;
    {
      std::lock_guard guard(auth_mutex_);
      auth_ = *auth;
    }
    if (this->loop_.started()) {  // the front is up or reconnecting: log in (again) on the API thread
      this->loop_.post([this] {
        if (this->connected_ && !this->logged_in_) this->run_login();
      });
      return 0;
    }
    this->start_session();
    return 0;
  }
  LoginAuth login_auth() {
    std::lock_guard guard(auth_mutex_);
    return auth_;
  }

  /// A request: its session id at once (through the pointer), `work(session)` later on the API thread.
  template <class Work>
  int session_request(unsigned* session, Work work) {
    if (session == nullptr) return kInputValueError;
    const unsigned id = ++last_session_;
    *session = id;
    if (!this->logged_in_) return kApiNotReady;
    const int result = this->request([work = std::move(work), id]() mutable { work(id); });
    return result == 0 ? 0 : kApiNotReady;
  }

  /// Calls `fn(notify)` on the registered notify object (if any) and counts the callback.
  template <class Fn>
  bool call(Fn&& fn) {
    return this->deliver([&] {
      if (Notify* notify = notify_.load()) fn(notify);
    });
  }

  void deliver_connected() override { run_login(); }
  void deliver_disconnected(int reason) override {
    if (Notify* notify = notify_.load()) notify->OnDisconnect(reason);
  }
  int not_supported(const char*) { return kNotSupported; }

  /// The login on the API thread (OnRspLogin, then OnAPIReady): the front-end's own.
  virtual void run_login() = 0;

  std::atomic<Notify*> notify_{nullptr};
  std::atomic<unsigned> last_session_{0};
  std::string host_;

 private:
  std::mutex auth_mutex_;
  LoginAuth auth_{};
};

}  // namespace vtcore::sim::tap
