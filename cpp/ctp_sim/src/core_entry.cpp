// The shared core library's entry points, called by the two vendor-named libraries' factories.
#include <cstdio>

#include "ThostFtdcMdApi.h"
#include "ThostFtdcTraderApi.h"
#include "api_common.hpp"
#include "core_entry.h"
#include "simulator.hpp"

namespace ctpsim {

CThostFtdcMdApi* create_md_api(const char* flow_path);
CThostFtdcTraderApi* create_trader_api(const char* flow_path);

void create_flow_files(const char* prefix, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const std::string path = std::string(prefix) + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
      // The real library crashes here; the simulator says so and carries on without flow files.
      std::fprintf(stderr, "ctpsim: RuntimeError:can not open CFlow file %s\n", path.c_str());
      continue;
    }
    static const char header[6] = {0, 0, 0, 0, 0, 0};
    std::fwrite(header, 1, sizeof header, f);
    std::fclose(f);
  }
}

}  // namespace ctpsim

extern "C" {

CTPSIM_CORE_EXPORT void* vtcore_ctpsim_create_md_api(const char* flow_path, bool, bool, bool) {
  return ctpsim::create_md_api(flow_path);
}

CTPSIM_CORE_EXPORT void* vtcore_ctpsim_create_trader_api(const char* flow_path, bool) {
  return ctpsim::create_trader_api(flow_path);
}

CTPSIM_CORE_EXPORT const char* vtcore_ctpsim_version() { return ctpsim::simulator_version(); }

}
