// The MDS market-data session: one TCP channel and the one thread that owns it.
//
// The thread connects (MdsApi_InitTcpChannel2, subscribing to every security already asked for), waits for
// messages (MdsApi_WaitOnMsg calls back on this thread) and turns each snapshot into a TickRecord pushed straight
// into its producer's ring (no Python); between waits it sends the subscription changes the gateway queued
// (the channel is used by this thread only) and, after a failure, reconnects and subscribes again.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "session.hpp"
#include "tick.hpp"

namespace vtcore::oes {

/// One security of a subscription: MDS names it by exchange, product type and integer code.
struct Security {
  std::uint8_t exchange = 0;      // MDS_EXCH_SSE / MDS_EXCH_SZSE
  std::uint8_t product_type = 1;  // MDS_MD_PRODUCT_TYPE_STOCK, _INDEX, _OPTION
  std::int32_t code = 0;          // 600000
  bool operator<(const Security& other) const noexcept {
    return std::tie(exchange, product_type, code) < std::tie(other.exchange, other.product_type, other.code);
  }
};

class MarketSession : public std::enable_shared_from_this<MarketSession> {
 public:
  MarketSession(std::shared_ptr<const OesLibrary> library, std::shared_ptr<Producer> producer, Endpoint endpoint,
                std::int32_t data_types);
  MarketSession(const MarketSession&) = delete;
  MarketSession& operator=(const MarketSession&) = delete;
  ~MarketSession();

  void start();
  void stop(int timeout_ms);
  void reconnect();
  void subscribe(const std::vector<Security>& securities, bool add);
  void set_limits(Security security, Limits limits);
  [[nodiscard]] bool connected() const noexcept { return connected_.load(); }
  [[nodiscard]] std::uint64_t snapshots() const noexcept { return snapshots_.load(); }
  [[nodiscard]] std::uint64_t unconverted() const noexcept { return unconverted_.load(); }

 private:
  void run();
  bool connect();
  void close();
  bool send_changes();
  bool send_subscription(const std::vector<Security>& securities, std::uint8_t mode);
  static abi::int32 on_message(abi::MdsApiSessionInfoT* session, abi::SMsgHeadT* head, void* item, void* self);

  std::shared_ptr<const OesLibrary> library_;
  const abi::Functions& fn_;
  std::shared_ptr<Producer> producer_;
  Endpoint endpoint_;
  std::int32_t data_types_;
  abi::MdsApiSessionInfoT channel_{};
  bool open_ = false;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> snapshots_{0}, unconverted_{0};

  SessionThread thread_;                            // its mutex also guards the four below
  std::set<Security> subscribed_;                   // what the gateway asked for
  std::vector<std::pair<Security, bool>> changes_;  // (security, add) not yet sent to MDS
  bool rejected_ = false, retry_now_ = false;
  std::mutex limits_mutex_;  // read per snapshot on the thread, written by the gateway
  std::map<std::pair<std::uint8_t, std::int32_t>, Limits> limits_;  // (exchange, code)
};

}  // namespace vtcore::oes
