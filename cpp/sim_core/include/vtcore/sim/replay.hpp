// Recorded ticks to replay: a JSON-lines file, one object per tick whose keys are the Thost family's
// DepthMarketData member names ("InstrumentID", "LastPrice", "UpdateTime", "BidPrice1", ...), the format every
// front-end reads. Missing prices are kNoPrice.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vtcore/sim/records.hpp"

namespace vtcore::sim {

// Throws std::runtime_error naming the file, the line and the bad key.
std::shared_ptr<const std::vector<Tick>> load_replay(const std::string& path);

}  // namespace vtcore::sim
