// What the OES trading and market-data sessions share: the remote configuration each channel is initialised
// from (built in memory: no configuration file, so no file ever holds the password), the session struct's
// initial state, and the messages a session pushes into its producer besides the vendor's own structs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "library.hpp"
#include "vtcore/event_hub.hpp"
#include "vtcore/fixed_string.hpp"
#include "vtcore/sdk/request.hpp"

namespace vtcore::oes {

/// One channel's address and login (the gateway setting's fields); checked against the struct's char[N] sizes.
struct Endpoint {
  std::string uri;  // "tcp://host:port"
  std::string username;
  std::string password;  // "md5:<hex>", "txt:<plain>" or plain: the API takes any of them
  int heartbeat_s = 30;
  int connect_timeout_ms = 5000;
};

/// The remote configuration of one channel (addrCnt 1, replica-set cluster type as vn.py's gateway had it).
/// A value longer than its field is refused naming the field (vtcore.errors: ValueError), never cut.
inline abi::SGeneralClientRemoteCfgT remote_config(const Endpoint& endpoint, const std::string& channel) {
  abi::SGeneralClientRemoteCfgT config{};
  auto put = [&](auto& field, const std::string& value, const char* name) {
    if (!try_copy_fixed(field, value)) {
      throw sdk::RequestError(channel + " " + name + ": " + std::to_string(value.size()) + " bytes; at most " +
                              std::to_string(sizeof(field) - 1) + " fit (and no NUL byte)");
    }
  };
  config.addrCnt = 1;
  config.heartBtInt = endpoint.heartbeat_s;
  config.clusterType = 0;  // GENERAL_CLI_CLUSTER_UNDEFINED: the address list as given
  put(config.addrList[0].uri, endpoint.uri, "address");
  put(config.username, endpoint.username, "username");
  put(config.password, endpoint.password, "password");
  config.socketOpt.connTimeoutMs = static_cast<abi::uint16>(endpoint.connect_timeout_ms);
  config.socketOpt.tcpNodelay = 1;
  config.socketOpt.keepalive = 1;
  config.socketOpt.keepIdle = 60;
  config.socketOpt.keepIntvl = 5;
  config.socketOpt.keepCnt = 9;
  return config;
}

/// A session struct as the headers' NULLOBJ_* initialisers leave it: zeros, and no socket (fd -1). An all-zero
/// session would make Logout write to fd 0 (measured with the real library).
inline void reset_session(abi::OesApiSessionInfoT& session) noexcept {
  std::memset(&session, 0, sizeof(session));
  session.socketFd = -1;
}

/// Message kinds a session pushes (decoded by vtcore.gateways.oes.client):
///   kState           payload StateMessage
///   kReport + msgId  OES report: the kit's flags word, OesRptMsgHeadT, then the body struct of that msgId
///   kQueryItem + q   one record of query kind q (the flags word, then the item struct); request_id = query id
///   kQueryEnd        the query's result (flags word, int32: records, or -errno); is_last
enum Kind : std::uint32_t {
  kState = 1,
  kReport = 0x100,
  kQueryItem = 0x200,
  kQueryEnd = 0x300,
};

enum Channel : std::int32_t { kOrderChannel = 1, kReportChannel = 2, kQueryChannel = 3, kMarketChannel = 11 };
enum State : std::int32_t {
  kConnecting = 0,
  kConnected = 1,
  kFailed = 2,        // the init failed: error = errno; retried after a pause
  kDisconnected = 3,  // a connected channel broke: error = errno; reconnected
  kRejected = 4,      // the login was refused (EACCES): not retried until reconnect() (no lockout)
  kClosed = 5,
};

struct StateMessage {
  std::int32_t channel;
  std::int32_t state;
  std::int32_t error;  // errno, 0 for none
  std::int32_t reserved;
  std::int64_t value;  // connected order channel: the last clSeqNo the server saw; query: the trading day;
                       // report: the report sequence number the channel resumed after
  char text[96];       // the library's message for `error`
};
static_assert(sizeof(StateMessage) == 120);

inline void push_state(Producer& producer, std::int32_t channel, std::int32_t state, std::int32_t error,
                       std::int64_t value, const char* text) noexcept {
  StateMessage message{channel, state, error, 0, value, {}};
  if (text != nullptr) std::strncpy(message.text, text, sizeof(message.text) - 1);
  producer.push_message(kState, channel, true, &message, sizeof(message));
}

/// The one thread of a session. stop() waits up to a timeout: a thread still inside a library call then (a
/// silent server holds a connect for ~15 s) is left to finish it; its body holds its session alive meanwhile.
class SessionThread {
 public:
  SessionThread() = default;
  SessionThread(const SessionThread&) = delete;
  SessionThread& operator=(const SessionThread&) = delete;

  /// Runs `body` on a new thread (once). `body` must hold what it uses (its session's shared_ptr).
  void start(std::function<void()> body) {
    std::lock_guard guard(mutex);
    if (thread_.joinable() || stopping) return;
    thread_ = std::thread([this, body = std::move(body)] {
      body();
      std::lock_guard done_guard(done_mutex_);
      finished_ = true;
      done_.notify_all();
    });
  }

  void stop(int timeout_ms) {
    std::thread thread;
    {
      std::lock_guard guard(mutex);
      stopping = true;
      thread = std::move(thread_);
    }
    wake.notify_all();
    if (!thread.joinable()) return;
    if (thread.get_id() == std::this_thread::get_id()) {  // the session's last reference dropped on its thread
      thread.detach();
      return;
    }
    std::unique_lock lock(done_mutex_);
    if (done_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return finished_; })) {
      lock.unlock();
      thread.join();
    } else {
      thread.detach();
    }
  }

  std::mutex mutex;  // guards `stopping` and whatever the session keeps beside it
  std::condition_variable wake;
  bool stopping = false;

 private:
  std::thread thread_;
  std::mutex done_mutex_;
  std::condition_variable done_;
  bool finished_ = false;
};

}  // namespace vtcore::oes
