// Recorded ticks to replay: a JSON-lines file, one object per tick whose keys are CThostFtdcDepthMarketDataField
// member names ("InstrumentID", "LastPrice", "UpdateTime", "BidPrice1", ...). Missing prices are DBL_MAX.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ThostFtdcUserApiStruct.h"

namespace ctpsim {

// Throws std::runtime_error naming the file, the line and the bad key.
std::shared_ptr<const std::vector<CThostFtdcDepthMarketDataField>> load_replay(const std::string& path);

}  // namespace ctpsim
