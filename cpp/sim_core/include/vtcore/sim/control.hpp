// A loopback TCP server speaking JSON lines: one command object per line in, one answer object per line out.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "vtcore/sim/json.hpp"

namespace vtcore::sim {

class ControlServer {
 public:
  using Handler = std::function<Json(const Json&)>;
  // Binds 127.0.0.1:port (0 = any free port); writes the bound port to port_file (if not empty). Throws on failure.
  ControlServer(int port, const std::string& port_file, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  int port() const { return port_; }

 private:
  void run();
  Handler handler_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace vtcore::sim
