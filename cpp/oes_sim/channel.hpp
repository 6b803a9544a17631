// The OES simulator's channels. The OES API is synchronous and caller-owned: the caller allocates each channel's
// session struct (OesApiSessionInfoT, 768 bytes), the Init*2 functions connect and log in before they return,
// WaitReportMsg / MdsApi_WaitOnMsg call the caller's callback on the caller's thread, and queries call theirs per
// record before they return. So this front-end keeps no API thread: each open channel is a `Channel` the session
// struct points at (its `__contextPtr`, which only the library touches), over the core's exchange.
//
// Addresses: "tcp://<host>:<port>[?config=<file>]". Port 0 is the simulator itself, in this process (no socket);
// any other port is dialled for real, as the real library does: a refused port fails at once with ENOENT ("no
// usable node", what the reference measured), and a server that accepts but never answers the logon fails with
// ETIMEDOUT after the logon wait (15 s like the real library; $VTCORE_OESSIM_LOGON_WAIT_MS shortens it).
//
// The control socket sees two fronts: "td" (every trading channel) and "md" (every market-data channel); a
// disconnect breaks every channel of that front (their next call answers ECONNRESET) and refuses new logons for
// the reconnect delay.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "oes_declared.h"
#include "vtcore/sim/exchange.hpp"
#include "vtcore/sim/simulator.hpp"

namespace vtcore::sim::oes {

namespace abi = vtcore::oes::abi;

inline constexpr const char* kApiVersion = "0.17.5.8_vtcore-oessim " VTCORE_SIM_VERSION;

enum class ChannelKind { order, report, query, market };

/// The thread's last error (errno too), as OesApi_GetLastError / MdsApi_GetLastError answer it.
void set_error(int error) noexcept;
int last_error() noexcept;
/// The text of an error number (OES's own error codes and errno values).
const char* error_text(int error) noexcept;

/// SetThreadUsername / SetThreadPassword: the login a remote config without one uses.
void set_thread_login(const char* username, const char* password) noexcept;

class ReportLog;

/// A report queued for a report channel at `queued`; handed over once the trading front's response delay
/// (control socket "delay": a stalled report server) has passed since, the delay as it is then.
struct QueuedReport {
  std::chrono::steady_clock::time_point queued;
  abi::OesRptMsgT message;
};

std::chrono::milliseconds report_delay() noexcept;

struct Channel {
  ChannelKind kind = ChannelKind::order;
  std::shared_ptr<Exchange> exchange;
  int account = -1;
  int env = 0;  // clEnvId
  std::string user;

  std::mutex mutex;  // guards what follows
  std::condition_variable wake;
  bool broken = false;  // the front was dropped: the next call answers ECONNRESET

  // order and report channels: the account's report log; report channel: its reports not yet handed over
  // (the log's, from the sequence number it resumed after), the types subscribed
  std::shared_ptr<ReportLog> log;
  std::deque<QueuedReport> reports;
  std::int32_t report_types = 0;

  // market-data channel: subscribed instrument indexes (round robin, or the configuration's replay file in its
  // order), initial snapshots still to send, the data types asked for, pacing
  std::vector<int> subscribed;
  std::shared_ptr<const std::vector<Tick>> replay;
  std::size_t replay_next = 0;
  std::size_t next = 0;
  std::deque<Tick> initial;
  std::int32_t data_types = 0;
  std::int64_t sent = 0;
  std::int64_t budget = -1;
  double rate = 0;
  std::chrono::steady_clock::time_point pace_start{};
};

/// Opens a channel of `kind` for `session` from `config`: the address, the exchange of its configuration, the
/// logon (the remote config's username/password, else the thread's). nullptr with the error set when it fails.
Channel* open_channel(abi::SGeneralClientChannelT* session, const abi::SGeneralClientRemoteCfgT* config,
                      ChannelKind kind);
/// The open channel of `session` (nullptr: never opened, logged out, or another kind).
Channel* channel_of(abi::SGeneralClientChannelT* session, ChannelKind kind) noexcept;
/// Logout: forgets the channel and leaves the session struct as the NULLOBJ initialiser does.
void close_channel(abi::SGeneralClientChannelT* session) noexcept;

/// One market-data snapshot sent (the md front's tick count).
void count_tick() noexcept;

/// Whether the channel's front was dropped (then the error is set to ECONNRESET).
bool broken(Channel& channel);

/// YYYYMMDD of a core date text ("20261130"); HHMMSSsss of "HH:MM:SS" + milliseconds.
std::int32_t date_number(const std::string& date) noexcept;
std::int32_t time_number(const std::string& time, int millis = 0) noexcept;

}  // namespace vtcore::sim::oes
