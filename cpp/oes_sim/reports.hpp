// An account's report flow as the OES counter numbers it (rptSeqNum = position + 1): the order and trade reports
// of the exchange's private flow, the business rejects of requests refused before the exchange, and the cash
// asset and stock holding variation reports of what an order's freeze, its release or a fill changed. Report
// channels read it from the sequence number they resumed after, so a reconnect loses nothing and repeats nothing
// (a reject made while no report channel was open included), and every channel of the account sees one numbering.
//
// One log per (exchange, account), fed by a flow subscription of its own from the start of the day. The flow is
// delivered under the exchange's lock, where nothing may ask the exchange anything: an entry that may have moved
// cash or holdings leaves a note, and settle() (report channels call it, under no lock) reads the account and
// the noted holdings then and appends a variation report for each that differs from the last one reported.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "channel.hpp"

namespace vtcore::sim::oes {

class ReportLog {
 public:
  /// The log of `account` on `exchange`, started (and subscribed to the flow) on first use.
  static std::shared_ptr<ReportLog> of(const std::shared_ptr<Exchange>& exchange, int account);

  /// Queues the reports after sequence number `after` (< 0: none so far) into `channel`, then every new one.
  void attach(Channel& channel, std::int64_t after);
  void detach(Channel& channel);
  /// Numbers `message` and hands it to the attached channels.
  void append(abi::OesRptMsgT message);
  /// Appends the variation reports the noted flow entries call for.
  void settle();
  /// The counter saw request `cl_seq_no` of client environment `env` (an order or a cancel, refused or not);
  /// the highest one, which a new order channel's logon answers (rejects and cancels are not orders of the
  /// exchange, yet their numbers are used: a client must not number an order with one).
  void saw_request(int env, std::int32_t cl_seq_no);
  std::int32_t last_request(int env);

  ReportLog(std::weak_ptr<Exchange> exchange, int account) : exchange_(std::move(exchange)), account_(account) {}

 private:
  void on_flow(const FlowEntry& entry);  // the exchange's lock held
  void append_locked(abi::OesRptMsgT& message);
  void baseline(Exchange& exchange);

  const std::weak_ptr<Exchange> exchange_;
  const int account_;
  std::mutex settling_;  // one settle() at a time, so variations follow each other in the order read
  std::mutex mutex_;     // guards what follows
  std::vector<abi::OesRptMsgT> reports_;
  std::set<Channel*> channels_;
  std::map<std::string, std::shared_ptr<const Order>> orders_;  // by clSeqNo text: a trade report repeats its order
  bool cash_due_ = false;
  std::set<std::string> holdings_due_;
  abi::OesCashAssetItemT last_cash_{};
  std::map<std::string, abi::OesStkHoldingItemT> last_holdings_;
  std::map<int, std::int32_t> last_requests_;  // per clEnvId
};

}  // namespace vtcore::sim::oes
