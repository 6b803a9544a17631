// The OES trading session: the order, report and query channels of one account, and the one thread that owns
// the report and query channels.
//
// The OES API is synchronous: OesApi_WaitReportMsg calls its callback on the caller's thread, and queries call
// theirs per record before they return. So the session runs one thread (the "report thread") that connects the
// three channels, waits for reports and pushes each one straight into its producer's ring (no Python), runs the
// queries the gateway asked for between waits, and reconnects after a failure: the report channel resumes after
// the last report sequence number it delivered (lastRptSeqNum), so no report is lost or repeated; a refused
// login (EACCES) is not retried until reconnect() (a wrong password must not lock the account). Orders are sent
// from the caller's thread on the order channel, under its own lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "session.hpp"

namespace vtcore::oes {

/// Query kinds (the Python side names them); each maps to one OesApi_Query* call, filter and item struct.
enum QueryKind : std::int32_t {
  kQueryCash = 1,
  kQueryHolding = 2,
  kQueryOrder = 3,
  kQueryTrade = 4,
  kQueryStock = 5,
};

struct TradingConfig {
  Endpoint order, report, query;
  std::string customize_ip, customize_mac, driver_id;  // "" = let the library find them
  std::int32_t report_types = 0;                       // OES_SUB_RPT_TYPE_* bits, 0 = the default set
  std::int64_t last_report = 0;  // 0: replay the day's reports on the first connection; then resume after
};

class TradingSession : public std::enable_shared_from_this<TradingSession> {
 public:
  TradingSession(std::shared_ptr<const OesLibrary> library, std::shared_ptr<Producer> producer, TradingConfig config);
  TradingSession(const TradingSession&) = delete;
  TradingSession& operator=(const TradingSession&) = delete;
  ~TradingSession();

  void start();
  /// Ends the thread (logging out every channel) and waits up to `timeout_ms` for it; a thread still inside
  /// the library then (a silent server holds a connect for ~15 s) finishes on its own, holding this session.
  void stop(int timeout_ms);
  /// Forget a refused login and connect again now.
  void reconnect();

  /// 0, or -errno (-ENOTCONN before the order channel is up). The request is the caller's, checked.
  int send_order(const abi::OesOrdReqT& request);
  int send_cancel(const abi::OesOrdCancelReqT& request);
  /// Queues a query of `kind` with its filter bytes; its records and end arrive as messages with `query_id`.
  void query(std::int32_t query_id, std::int32_t kind, const std::string& filter);

  [[nodiscard]] bool connected() const noexcept { return connected_.load(); }
  /// The library's text for an OES error code or errno (OesApi_GetErrorMsg).
  [[nodiscard]] std::string error_message(int code) const {
    const char* text = fn_.OesApi_GetErrorMsg(code);
    return text != nullptr ? text : "";
  }
  [[nodiscard]] std::int64_t last_report() const noexcept { return last_report_.load(); }

 private:
  struct PendingQuery {
    std::int32_t id;
    std::int32_t kind;
    std::string filter;
  };

  void run();
  bool connect_all();
  void close_all();
  void run_queries();
  void wait_for_retry(int milliseconds);
  int send(bool cancel, const void* request);
  static abi::int32 on_report(abi::OesApiSessionInfoT* session, abi::SMsgHeadT* head, void* item, void* self);
  static abi::int32 on_query_item(abi::OesApiSessionInfoT* session, abi::SMsgHeadT* head, void* item,
                                  abi::OesQryCursorT* cursor, void* context);
  void fail(std::int32_t channel, std::int32_t state, int error);
  bool init_failed(std::int32_t channel);  // says why (a refusal also stops the retries); false

  std::shared_ptr<const OesLibrary> library_;
  const abi::Functions& fn_;
  std::shared_ptr<Producer> producer_;
  TradingConfig config_;

  std::mutex order_lock_;  // the order channel: send_* from any thread, (re)connect from the thread
  abi::OesApiSessionInfoT order_{};
  bool order_open_ = false;
  std::atomic<bool> order_broken_{false};
  abi::OesApiSessionInfoT report_{};
  abi::OesApiSessionInfoT query_channel_{};
  bool report_open_ = false, query_open_ = false;

  std::atomic<bool> connected_{false};
  std::atomic<std::int64_t> last_report_{0};
  SessionThread thread_;  // its mutex also guards the three below
  std::deque<PendingQuery> queries_;
  bool rejected_ = false;
  bool retry_now_ = false;
};

}  // namespace vtcore::oes
