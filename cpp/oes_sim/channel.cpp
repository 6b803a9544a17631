// The OES simulator's channels (see channel.hpp): addresses, logon, the control fronts, the report registry.
#include "channel.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string_view>

#include "md5.hpp"
#include "vtcore/sim/text.hpp"

namespace vtcore::sim::oes {

namespace {

thread_local int tls_error = 0;
thread_local std::string tls_username, tls_password;

constexpr int kLogonWaitMs = 15'000;  // the real library's wait for the server's first answer (reference §5)

/// One control front: every channel of a kind, as the control socket sees them.
class Front final : public ControlTarget {
 public:
  explicit Front(FrontKind kind) : kind_(kind) {}
  FrontKind front_kind() const override { return kind_; }
  void control_disconnect(int reconnect_ms) override {
    refuse_until_ = now_ms() + std::max(reconnect_ms, 0);
    ++disconnects_;
    // Under the front's lock: a channel's owner that sees it broken logs out at once, and close_channel
    // deletes the channel only after remove() got this lock, so none is freed while it is marked here.
    std::lock_guard guard(mutex_);
    for (Channel* channel : channels_) {
      std::lock_guard channel_guard(channel->mutex);
      channel->broken = true;
      channel->wake.notify_all();
    }
  }
  void control_ticks(int64_t count, double rate) override {
    std::lock_guard guard(mutex_);
    for (Channel* channel : channels_) {
      std::lock_guard channel_guard(channel->mutex);
      channel->budget = count;
      channel->rate = rate;
      channel->sent = 0;
      channel->pace_start = std::chrono::steady_clock::now();
      channel->wake.notify_all();
    }
  }
  void control_response_delay(int) override {}
  Json control_status() const override {
    std::lock_guard guard(mutex_);
    const bool open = !channels_.empty();
    return Json(Json::Object{{"front", Json(kind_ == FrontKind::md ? "md" : "td")},
                             {"connected", Json(open)},
                             {"logged_in", Json(open)},
                             {"channels", Json(static_cast<int64_t>(channels_.size()))},
                             {"disconnects", Json(static_cast<int64_t>(disconnects_.load()))},
                             {"ticks", Json(static_cast<int64_t>(ticks.load()))}});
  }

  bool refusing() const { return now_ms() < refuse_until_.load(); }

  // The control socket calls this front under the Simulator's lock and then takes mutex_, so (un)registering
  // with the Simulator happens after mutex_ is released: taking both the other way round deadlocked a
  // channel's logout against a "status" or "disconnect" command. registration_ keeps the two in order.
  void add(Channel* channel) {
    std::lock_guard registration(registration_);
    bool first = false;
    {
      std::lock_guard guard(mutex_);
      first = channels_.empty();
      channels_.insert(channel);
    }
    if (first) Simulator::instance().register_api(this);
  }
  void remove(Channel* channel) {
    std::lock_guard registration(registration_);
    bool last = false;
    {
      std::lock_guard guard(mutex_);
      last = channels_.erase(channel) > 0 && channels_.empty();
    }
    if (last) Simulator::instance().unregister_api(this);
  }
  template <typename Each>
  void for_each(Each&& each) {
    std::lock_guard guard(mutex_);
    for (Channel* channel : channels_) each(*channel);
  }

  std::atomic<int64_t> ticks{0};

 private:
  static int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  const FrontKind kind_;
  std::mutex registration_;  // never taken under the Simulator's lock or mutex_
  mutable std::mutex mutex_;
  std::set<Channel*> channels_;
  std::atomic<int64_t> disconnects_{0};
  std::atomic<int64_t> refuse_until_{0};
};

Front& front(ChannelKind kind) {
  static Front* trading = new Front(FrontKind::td);  // never destroyed: callers' threads may outlive statics
  static Front* market = new Front(FrontKind::md);
  return kind == ChannelKind::market ? *market : *trading;
}

struct Address {
  std::string host;
  int port = -1;
};

/// "tcp://host:port[?...]" -> host and port; port -1 when the text is not such an address.
Address parse_address(std::string_view uri) {
  Address address;
  const size_t scheme = uri.find("://");
  if (scheme != std::string_view::npos) uri.remove_prefix(scheme + 3);
  uri = uri.substr(0, uri.find('?'));
  const size_t colon = uri.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return address;
  address.host = std::string(uri.substr(0, colon));
  const std::string port(uri.substr(colon + 1));
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535) return address;
  address.port = static_cast<int>(value);
  return address;
}

/// Dials a real server as the library does: refused -> ENOENT at once; accepted but silent -> ETIMEDOUT after
/// the logon wait (the simulator never speaks OES's wire protocol, so any answer is also a failed logon: EBADMSG).
int dial(const Address& address, int connect_timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(address.host.c_str(), std::to_string(address.port).c_str(), &hints, &found) != 0 || !found)
    return ENOENT;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int error = 0;
  if (fd < 0) {
    error = errno;
  } else if (connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = errno == ECONNREFUSED ? ENOENT : errno;
  } else {
    pollfd wait{fd, POLLOUT, 0};
    socklen_t size = sizeof(error);
    if (poll(&wait, 1, connect_timeout_ms > 0 ? connect_timeout_ms : 10'000) <= 0) {
      error = ENOENT;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
      error = ENOENT;  // refused: "no usable node"
    } else {
      const char* configured = std::getenv("VTCORE_OESSIM_LOGON_WAIT_MS");
      const int logon_wait = configured ? std::atoi(configured) : kLogonWaitMs;
      pollfd answer{fd, POLLIN, 0};
      error = poll(&answer, 1, logon_wait) <= 0 ? ETIMEDOUT : EBADMSG;
    }
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  return error;
}

/// The password as the account has it: "txt:<plain>" and plain as given; "md5:<hex>" matched against the MD5
/// of the configured password (the API sends either; vn.py sent md5:).
std::string plain_password(const Exchange& exchange, const std::string& user, const std::string& given) {
  if (given.starts_with("txt:")) return given.substr(4);
  if (!given.starts_with("md5:")) return given;
  std::string digest = given.substr(4);
  std::transform(digest.begin(), digest.end(), digest.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const AccountConfig& account : exchange.config().accounts) {
    if (account.user_id == user && md5_hex(account.password) == digest) return account.password;
  }
  return given;  // no such account: the logon fails (or, with no accounts configured, any password logs in)
}

std::mutex open_mutex;  // guards channels (the session -> channel map)
std::map<abi::SGeneralClientChannelT*, Channel*> channels;

}  // namespace

void set_error(int error) noexcept {
  tls_error = error;
  errno = error;
}

int last_error() noexcept { return tls_error; }

const char* error_text(int error) noexcept {
  switch (error) {
    case 0:
      return "";
    case ENOENT:
      return "no usable node (the server refused the connection)";
    case EACCES:
      return "logon refused: wrong username or password";
    case ETIMEDOUT:
      return "timed out waiting for the server";
    case ECONNRESET:
      return "the connection was reset";
    case ENOTCONN:
      return "the channel is not connected";
    case EINVAL:
      return "invalid argument";
    case EBADMSG:
      return "the server's answer is not OES's protocol";
    default:
      return std::strerror(error);
  }
}

void set_thread_login(const char* username, const char* password) noexcept {
  if (username) tls_username = username;
  if (password) tls_password = password;
}

Channel* open_channel(abi::SGeneralClientChannelT* session, const abi::SGeneralClientRemoteCfgT* config,
                      ChannelKind kind) {
  if (session == nullptr || config == nullptr || config->addrCnt < 1) {
    set_error(EINVAL);
    return nullptr;
  }
  const std::string uri(field_view(config->addrList[0].uri));
  const Address address = parse_address(uri);
  if (address.port < 0) {
    set_error(EINVAL);
    return nullptr;
  }
  if (address.port != 0) {  // a real server: the simulator is not one
    set_error(dial(address, config->socketOpt.connTimeoutMs));
    return nullptr;
  }
  if (front(kind).refusing()) {  // the front was dropped and is not back yet
    set_error(ENOENT);
    return nullptr;
  }
  std::shared_ptr<Exchange> exchange;
  try {
    exchange = Simulator::instance().acquire(resolve_config_path({uri}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    set_error(EINVAL);
    return nullptr;
  }
  auto pick = [](std::string_view first, std::string_view second, const std::string& thread) {
    return std::string(!first.empty() ? first : !second.empty() ? second : std::string_view(thread));
  };
  const std::string user = pick(field_view(config->username), field_view(config->addrList[0].username), tls_username);
  const std::string password =
      pick(field_view(config->password), field_view(config->addrList[0].password), tls_password);
  const int session_id = exchange->next_session_id();
  const LoginRequest login{"", user, plain_password(*exchange, user, password)};
  const LoginResult result =
      exchange->login(kind == ChannelKind::market ? FrontKind::md : FrontKind::td, 1, session_id, login, false);
  if (result.error != Error::none) {
    set_error(EACCES);
    return nullptr;
  }
  if (kind != ChannelKind::market) exchange->confirm_settlement(result.account);  // OES has no such step

  auto channel = std::make_unique<Channel>();
  channel->kind = kind;
  channel->exchange = std::move(exchange);
  channel->account = result.account;
  channel->env = config->clEnvId;
  channel->user = user;
  std::memset(session, 0, sizeof(*session));
  session->socketFd = -1;  // no socket: the channel lives in this process
  session->heartBtInt = config->heartBtInt;
  session->__channelType = static_cast<abi::uint8>(kind == ChannelKind::order    ? abi::OESAPI_CHANNEL_TYPE_ORDER
                                                   : kind == ChannelKind::report ? abi::OESAPI_CHANNEL_TYPE_REPORT
                                                   : kind == ChannelKind::query  ? abi::OESAPI_CHANNEL_TYPE_QUERY
                                                                                 : abi::MDSAPI_CHANNEL_TYPE_TCP);
  session->__clEnvId = config->clEnvId;
  put(session->senderCompId, user);
  put(session->targetCompId, kind == ChannelKind::market ? "vtcore-mdssim" : "vtcore-oessim");
  Channel* opened = channel.release();
  session->__contextPtr = opened;
  {
    std::lock_guard guard(open_mutex);
    channels[session] = opened;
  }
  front(kind).add(opened);
  set_error(0);
  return opened;
}

Channel* channel_of(abi::SGeneralClientChannelT* session, ChannelKind kind) noexcept {
  std::lock_guard guard(open_mutex);
  const auto found = channels.find(session);
  if (found == channels.end() || found->second->kind != kind || session->__contextPtr != found->second) return nullptr;
  return found->second;
}

void close_channel(abi::SGeneralClientChannelT* session) noexcept {
  if (session == nullptr) return;
  Channel* channel = nullptr;
  {
    std::lock_guard guard(open_mutex);
    const auto found = channels.find(session);
    if (found != channels.end()) {
      channel = found->second;
      channels.erase(found);
    }
  }
  if (channel != nullptr) {
    front(channel->kind).remove(channel);
    if (channel->subscriber != 0) channel->exchange->unsubscribe_flow(channel->subscriber);
    delete channel;
  }
  std::memset(session, 0, sizeof(*session));
  session->socketFd = -1;
}

void deliver_to_reports(int account, const abi::OesRptMsgT& message) {
  front(ChannelKind::report).for_each([&](Channel& channel) {
    if (channel.kind != ChannelKind::report || channel.account != account) return;
    std::lock_guard guard(channel.mutex);
    channel.reports.push_back(message);
    channel.wake.notify_all();
  });
}

bool broken(Channel& channel) {
  std::lock_guard guard(channel.mutex);
  if (channel.broken) set_error(ECONNRESET);
  return channel.broken;
}

void count_tick() noexcept { ++front(ChannelKind::market).ticks; }

std::int32_t date_number(const std::string& date) noexcept {
  return static_cast<std::int32_t>(std::strtol(date.c_str(), nullptr, 10));
}

std::int32_t time_number(const std::string& time, int millis) noexcept {
  if (time.size() < 8) return 0;
  const int hour = std::atoi(time.substr(0, 2).c_str()), minute = std::atoi(time.substr(3, 2).c_str());
  const int second = std::atoi(time.substr(6, 2).c_str());
  return ((hour * 100 + minute) * 100 + second) * 1000 + millis;
}

}  // namespace vtcore::sim::oes
