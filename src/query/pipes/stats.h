// The grouping fold behind `stats`, `top` and `uniq` (stats.cc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/pipe.h"

namespace sawlog::query::pipes {

enum class Func { kCount, kCountUniq, kSum, kAvg, kMin, kMax, kMedian, kQuantile, kRate };

struct FuncSpec {
  Func func = Func::kCount;
  std::string field;  // empty: count() / rate() of rows
  double q = 0.5;     // quantile
  std::string name;   // the result's field name
};

struct GroupKey {
  std::string field;
  int64_t step = 0;  // _time:STEP buckets
};

struct StatsSpec {
  std::vector<GroupKey> keys;
  std::vector<FuncSpec> funcs;
  // top: order groups by the first function's result, descending, and keep this many.
  bool by_count = false;
  size_t max_groups = static_cast<size_t>(-1);
};

std::unique_ptr<Fold> StartStatsFold(const StatsSpec& spec, const PipeContext& ctx);

}  // namespace sawlog::query::pipes
