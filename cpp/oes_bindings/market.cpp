// The MDS market-data session (see market.hpp).
#include "market.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace vtcore::oes {

namespace {

constexpr int kWaitMs = 100;
constexpr int kFirstRetryMs = 500;
constexpr int kLastRetryMs = 30'000;
constexpr std::size_t kMaxEntries = 4000;  // MdsMktDataRequestReqBufT holds 4000 entries

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int last_error(const abi::Functions& fn) noexcept {
  const int error = fn.MdsApi_GetLastError();
  return error != 0 ? error : (errno != 0 ? errno : EIO);
}

/// A request as vn.py's gateway sent it: latest simplified ticks, the initial snapshot, `data_types`, and the
/// securities listed (per-market flags 0: use the list).
abi::MdsMktDataRequestReqT request_for(std::uint8_t mode, std::int32_t data_types, std::size_t count) {
  abi::MdsMktDataRequestReqT request{};
  request.subMode = mode;
  request.tickType = static_cast<abi::uint8>(abi::MDS_TICK_TYPE_LATEST_SIMPLIFIED);
  request.isRequireInitialMktData = 1;
  request.dataTypes = data_types;
  request.subSecurityCnt = static_cast<abi::int32>(count);
  return request;
}

abi::MdsMktDataRequestEntryT entry_for(const Security& security) {
  abi::MdsMktDataRequestEntryT entry{};
  entry.exchId = security.exchange;
  entry.mdProductType = security.product_type;
  entry.instrId = security.code;
  return entry;
}

}  // namespace

MarketSession::MarketSession(std::shared_ptr<const OesLibrary> library, std::shared_ptr<Producer> producer,
                             Endpoint endpoint, std::int32_t data_types)
    : library_(std::move(library)),
      fn_(library_->fn),
      producer_(std::move(producer)),
      endpoint_(std::move(endpoint)),
      data_types_(data_types) {
  remote_config(endpoint_, "market-data channel");  // refused here, naming the field, if it does not fit
  reset_session(channel_);
}

MarketSession::~MarketSession() { stop(0); }

void MarketSession::start() {
  thread_.start([self = shared_from_this()] { self->run(); });
}

void MarketSession::stop(int timeout_ms) { thread_.stop(timeout_ms); }

void MarketSession::reconnect() {
  {
    std::lock_guard guard(thread_.mutex);
    rejected_ = false;
    retry_now_ = true;
  }
  thread_.wake.notify_all();
}

void MarketSession::subscribe(const std::vector<Security>& securities, bool add) {
  std::lock_guard guard(thread_.mutex);
  for (const Security& security : securities) {
    if (add ? subscribed_.insert(security).second : subscribed_.erase(security) > 0) {
      changes_.emplace_back(security, add);
    }
  }
}

void MarketSession::set_limits(Security security, Limits limits) {
  std::lock_guard guard(limits_mutex_);
  limits_[{security.exchange, security.code}] = limits;
}

bool MarketSession::send_subscription(const std::vector<Security>& securities, std::uint8_t mode) {
  for (std::size_t start = 0; start < securities.size(); start += kMaxEntries) {
    const std::size_t count = std::min(kMaxEntries, securities.size() - start);
    std::vector<abi::MdsMktDataRequestEntryT> entries;
    entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i) entries.push_back(entry_for(securities[start + i]));
    const abi::MdsMktDataRequestReqT request = request_for(mode, data_types_, count);
    if (!fn_.MdsApi_SubscribeMarketData(&channel_, &request, entries.data())) return false;
  }
  return true;
}

bool MarketSession::send_changes() {
  std::vector<Security> added, removed;
  {
    std::lock_guard guard(thread_.mutex);
    for (const auto& [security, add] : changes_) (add ? added : removed).push_back(security);
    changes_.clear();
  }
  return send_subscription(added, static_cast<std::uint8_t>(abi::MDS_SUB_MODE_APPEND)) &&
         send_subscription(removed, static_cast<std::uint8_t>(abi::MDS_SUB_MODE_DELETE));
}

bool MarketSession::connect() {
  fn_.MdsApi_SetThreadUsername(endpoint_.username.c_str());
  fn_.MdsApi_SetThreadPassword(endpoint_.password.c_str());
  const abi::MdsApiRemoteCfgT config = remote_config(endpoint_, "market-data channel");
  // The subscription travels with the login: everything asked for so far (the buffer is 32 KB: on the heap).
  auto subscription = std::make_unique<abi::MdsApiSubscribeInfoT>();
  std::size_t count = 0;
  {
    std::lock_guard guard(thread_.mutex);
    changes_.clear();
    for (const Security& security : subscribed_) {
      if (count == kMaxEntries) {
        changes_.emplace_back(security, true);  // beyond the login's buffer: sent right after it
      } else {
        subscription->entries[count++] = entry_for(security);
      }
    }
  }
  subscription->mktDataRequestReq = request_for(static_cast<std::uint8_t>(abi::MDS_SUB_MODE_SET), data_types_, count);
  push_state(*producer_, kMarketChannel, kConnecting, 0, 0, endpoint_.uri.c_str());
  reset_session(channel_);
  if (!fn_.MdsApi_InitTcpChannel2(&channel_, &config, subscription.get())) {
    const int error = last_error(fn_);
    if (error == EACCES) {
      std::lock_guard guard(thread_.mutex);
      rejected_ = true;
    }
    push_state(*producer_, kMarketChannel, error == EACCES ? kRejected : kFailed, error, 0,
               fn_.MdsApi_GetErrorMsg(error));
    return false;
  }
  open_ = true;
  connected_ = true;
  push_state(*producer_, kMarketChannel, kConnected, 0, static_cast<std::int64_t>(count), "");
  return true;
}

void MarketSession::close() {
  connected_ = false;
  if (open_) fn_.MdsApi_Logout(&channel_, 1);
  open_ = false;
}

abi::int32 MarketSession::on_message(abi::MdsApiSessionInfoT*, abi::SMsgHeadT* head, void* item, void* self) {
  auto& session = *static_cast<MarketSession*>(self);
  const auto& body = *static_cast<const abi::MdsMktRspMsgBodyT*>(item);
  switch (head->msgId) {
    case abi::MDS_MSGTYPE_MARKET_DATA_SNAPSHOT_FULL_REFRESH:
    case abi::MDS_MSGTYPE_INDEX_SNAPSHOT_FULL_REFRESH:
    case abi::MDS_MSGTYPE_OPTION_SNAPSHOT_FULL_REFRESH:
    case abi::MDS_MSGTYPE_L2_MARKET_DATA_SNAPSHOT: {
      const abi::MdsMktDataSnapshotHeadT& snapshot_head = body.mktDataSnapshot.head;
      Limits limits;
      {
        std::lock_guard guard(session.limits_mutex_);
        const auto found = session.limits_.find({snapshot_head.exchId, snapshot_head.instrId});
        if (found != session.limits_.end()) limits = found->second;
      }
      TickRecord record;
      if (convert_snapshot(head->msgId, body.mktDataSnapshot, limits, now_ns(), record)) {
        session.producer_->push_tick(record);  // a full ring drops and counts it (event_hub.hpp)
        ++session.snapshots_;
      } else {
        ++session.unconverted_;
      }
      break;
    }
    default:  // heartbeats, subscription answers, trades and orders by tick, status: not read
      break;
  }
  return 0;
}

void MarketSession::run() {
  int retry_ms = kFirstRetryMs;
  for (;;) {
    {
      std::unique_lock lock(thread_.mutex);
      if (thread_.stopping) break;
      if (rejected_) {
        thread_.wake.wait(lock, [this] { return thread_.stopping || !rejected_; });
        continue;
      }
    }
    if (!connected_) {
      if (connect()) {
        retry_ms = kFirstRetryMs;
      } else {
        close();
        std::unique_lock lock(thread_.mutex);
        thread_.wake.wait_for(lock, std::chrono::milliseconds(retry_ms),
                              [this] { return thread_.stopping || retry_now_ || rejected_; });
        retry_now_ = false;
        retry_ms = retry_ms * 2 > kLastRetryMs ? kLastRetryMs : retry_ms * 2;
        continue;
      }
    }
    int error = 0;
    if (!send_changes()) {
      error = last_error(fn_);
    } else {
      const int result = fn_.MdsApi_WaitOnMsg(&channel_, kWaitMs, &on_message, this);
      if (result < 0 && -result != ETIMEDOUT && -result != EAGAIN) error = -result;
    }
    if (error != 0) {
      push_state(*producer_, kMarketChannel, kDisconnected, error, 0, fn_.MdsApi_GetErrorMsg(error));
      close();
    }
  }
  close();
  push_state(*producer_, kMarketChannel, kClosed, 0, 0, "");
}

}  // namespace vtcore::oes
