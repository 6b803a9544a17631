// The simulated MdsApi_* functions (MDS 0.17.5.8, inside the same liboes_api.so as the real one): the TCP
// channel's logon with its subscription, later subscription changes (set, append, delete), and MdsApi_WaitOnMsg,
// which hands the caller stock snapshots of the subscribed securities on the caller's thread: first each one's
// current snapshot when isRequireInitialMktData asked for it, then the core's random walk round robin (or the
// configuration's market_data.replay file, in its order, once), paced by market_data.rate (and the control
// socket's tick budget). The subscription's dataTypes choose the stream: MDS_SUB_DATA_TYPE_L2_SNAPSHOT gets L2
// snapshots (msgId 20, MdsL2StockSnapshotBodyT), otherwise L1 (msgId 10, MdsStockSnapshotBodyT); a client that
// asks for both (vn.py's gateway did) gets L2, the fuller picture of the same book.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "channel.hpp"
#include "convert.hpp"
#include "vtcore/sim/replay.hpp"
#include "vtcore/sim/text.hpp"

#define OES_EXPORT extern "C" __attribute__((visibility("default")))

namespace abi = vtcore::oes::abi;
namespace sim = vtcore::sim;
using sim::oes::Channel;
using sim::oes::ChannelKind;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBatch = 256;  // snapshots per WaitOnMsg when the rate is unlimited

/// Applies one subscription request to the channel (its lock held).
void apply(Channel& channel, const abi::MdsMktDataRequestReqT& request, const abi::MdsMktDataRequestEntryT* entries) {
  const auto mode = request.subMode;
  if (mode == abi::MDS_SUB_MODE_SET) {
    channel.subscribed.clear();
    channel.next = 0;
  }
  if (request.dataTypes != 0) channel.data_types = request.dataTypes;
  for (abi::int32 i = 0; entries != nullptr && i < request.subSecurityCnt; ++i) {
    char code[16];
    std::snprintf(code, sizeof code, "%06d", entries[i].instrId);
    const std::string_view exchange = entries[i].exchId == abi::MDS_EXCH_SSE    ? "SSE"
                                      : entries[i].exchId == abi::MDS_EXCH_SZSE ? "SZSE"
                                                                                : "";
    const auto record = channel.exchange->instrument(code);
    if (!record || record->spec.exchange != exchange) continue;  // unknown: subscribed, never sent (as MDS does)
    const int index = channel.exchange->instrument_index(code);
    const auto at = std::find(channel.subscribed.begin(), channel.subscribed.end(), index);
    if (mode == abi::MDS_SUB_MODE_DELETE) {
      if (at != channel.subscribed.end()) channel.subscribed.erase(at);
      continue;
    }
    if (at == channel.subscribed.end()) channel.subscribed.push_back(index);
    if (request.isRequireInitialMktData) {
      for (const sim::Tick& tick : channel.exchange->depth_snapshots(code)) channel.initial.push_back(tick);
    }
  }
  channel.wake.notify_all();
}

bool wants_level2(const Channel& channel) noexcept {
  return (channel.data_types & abi::MDS_SUB_DATA_TYPE_L2_SNAPSHOT) != 0;
}

/// The replay's next tick of a subscribed security (its lock held); nullptr when the file is exhausted.
const sim::Tick* next_replayed(Channel& channel) {
  while (channel.replay_next < channel.replay->size()) {
    const sim::Tick& tick = (*channel.replay)[channel.replay_next++];
    const int index = channel.exchange->instrument_index(sim::field_view(tick.instrument));
    if (std::find(channel.subscribed.begin(), channel.subscribed.end(), index) != channel.subscribed.end())
      return &tick;
  }
  return nullptr;
}

abi::int32 deliver(abi::MdsApiSessionInfoT* session, const sim::Tick& tick, bool level2, abi::F_MDSAPI_ONMSG_T callback,
                   void* params) {
  abi::MdsMktRspMsgBodyT body{};
  abi::SMsgHeadT head{};
  head.msgFlag = 0x50;
  if (level2) {
    sim::oes::fill_l2_snapshot(body.mktDataSnapshot, tick);
    head.msgId = abi::MDS_MSGTYPE_L2_MARKET_DATA_SNAPSHOT;
  } else {
    sim::oes::fill_snapshot(body.mktDataSnapshot, tick);
    head.msgId = abi::MDS_MSGTYPE_MARKET_DATA_SNAPSHOT_FULL_REFRESH;
  }
  head.msgSize = static_cast<abi::int32>(sizeof(abi::MdsMktDataSnapshotHeadT)) + body.mktDataSnapshot.head.bodyLength;
  sim::oes::count_tick();
  return callback != nullptr ? callback(session, &head, &body, params) : 0;
}

}  // namespace

OES_EXPORT const char* MdsApi_GetApiVersion() { return sim::oes::kApiVersion; }
OES_EXPORT abi::BOOL __MdsApi_IsApiVersionMatched__1001705081() { return 1; }
OES_EXPORT abi::int32 MdsApi_GetLastError() { return sim::oes::last_error(); }
OES_EXPORT const char* MdsApi_GetErrorMsg(abi::int32 code) { return sim::oes::error_text(code); }
OES_EXPORT void MdsApi_SetThreadUsername(const char* username) { sim::oes::set_thread_login(username, nullptr); }
OES_EXPORT void MdsApi_SetThreadPassword(const char* password) { sim::oes::set_thread_login(nullptr, password); }
OES_EXPORT abi::BOOL MdsApi_SetCustomizedIp(const char*) { return 1; }
OES_EXPORT abi::BOOL MdsApi_SetCustomizedMac(const char*) { return 1; }
OES_EXPORT abi::BOOL MdsApi_SetCustomizedDriverId(const char*) { return 1; }

OES_EXPORT abi::BOOL MdsApi_InitTcpChannel2(abi::MdsApiSessionInfoT* session, const abi::MdsApiRemoteCfgT* config,
                                            const abi::MdsApiSubscribeInfoT* subscription) {
  Channel* channel = sim::oes::open_channel(session, config, ChannelKind::market);
  if (channel == nullptr) return 0;
  std::lock_guard guard(channel->mutex);
  const sim::MarketDataConfig& market = channel->exchange->config().market_data;
  if (!market.replay.empty()) {
    try {
      channel->replay = sim::load_replay(market.replay);
    } catch (const std::exception& e) {  // a bad file is reported; the walk runs instead
      std::fprintf(stderr, "%s\n", e.what());
    }
  }
  channel->rate = market.rate;
  channel->budget = market.count;
  channel->pace_start = Clock::now();
  if (subscription != nullptr) apply(*channel, subscription->mktDataRequestReq, subscription->entries);
  return 1;
}

OES_EXPORT abi::BOOL MdsApi_SubscribeMarketData(abi::MdsApiSessionInfoT* session,
                                                const abi::MdsMktDataRequestReqT* request,
                                                const abi::MdsMktDataRequestEntryT* entries) {
  Channel* channel = sim::oes::channel_of(session, ChannelKind::market);
  if (channel == nullptr || request == nullptr) {
    sim::oes::set_error(EINVAL);
    return 0;
  }
  if (sim::oes::broken(*channel)) return 0;
  std::lock_guard guard(channel->mutex);
  apply(*channel, *request, entries);
  return 1;
}

OES_EXPORT abi::int32 MdsApi_WaitOnMsg(abi::MdsApiSessionInfoT* session, abi::int32 timeout_ms,
                                       abi::F_MDSAPI_ONMSG_T callback, void* params) {
  Channel* channel = sim::oes::channel_of(session, ChannelKind::market);
  if (channel == nullptr) return -EINVAL;
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  abi::int32 count = 0;
  std::unique_lock lock(channel->mutex);
  while (count < kBatch) {
    if (channel->broken) return -ECONNRESET;
    if (!channel->initial.empty()) {
      const sim::Tick tick = channel->initial.front();
      channel->initial.pop_front();
      const bool level2 = wants_level2(*channel);
      lock.unlock();
      const abi::int32 result = deliver(session, tick, level2, callback, params);
      lock.lock();
      if (result < 0) return result;
      ++count;
      continue;
    }
    if (count > 0) break;  // what was due is sent
    const bool idle = channel->subscribed.empty() || channel->budget == 0 ||
                      (channel->replay && channel->replay_next >= channel->replay->size());
    auto due = deadline;
    if (!idle && channel->rate > 0) {
      due = channel->pace_start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                      static_cast<double>(channel->sent) / channel->rate));
    } else if (!idle) {
      due = Clock::now();
    }
    if (idle || due > deadline) {
      channel->wake.wait_until(lock, deadline, [channel] { return channel->broken || !channel->initial.empty(); });
      if (channel->broken) return -ECONNRESET;
      if (!channel->initial.empty()) continue;
      return -ETIMEDOUT;
    }
    if (due > Clock::now()) {
      channel->wake.wait_until(lock, due, [channel] { return channel->broken || !channel->initial.empty(); });
      continue;
    }
    ++channel->sent;
    if (channel->budget > 0) --channel->budget;
    const bool unlimited = channel->rate <= 0;
    const bool level2 = wants_level2(*channel);
    if (channel->replay) {  // the recorded ticks of subscribed securities, as recorded, trading hours or not
      const sim::Tick* replayed = next_replayed(*channel);
      lock.unlock();
      if (replayed != nullptr) {
        channel->exchange->apply_replayed_tick(*replayed);
        const abi::int32 result = deliver(session, *replayed, level2, callback, params);
        if (result < 0) return result;
        ++count;
      }
      lock.lock();
      if (!unlimited) break;
      continue;
    }
    const int index = channel->subscribed[channel->next++ % channel->subscribed.size()];
    lock.unlock();
    sim::Tick tick{};
    if (channel->exchange->next_tick(index, tick)) {
      const abi::int32 result = deliver(session, tick, level2, callback, params);
      if (result < 0) return result;
      ++count;
    } else if (!channel->exchange->skip_closed_hours({index})) {  // closed: nothing until the session opens
      std::this_thread::sleep_until(deadline);
      return count > 0 ? count : -ETIMEDOUT;
    }
    lock.lock();
    if (!unlimited) break;
  }
  return count;
}

OES_EXPORT abi::BOOL MdsApi_Logout(abi::MdsApiSessionInfoT* session, abi::BOOL) {
  sim::oes::close_channel(session);
  return 1;
}
