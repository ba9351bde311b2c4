// The bloom filter (store/bloom_filter.h) of one text column of a block, as the part writer
// builds it for every column of every block it writes: the column's hot path at the merges.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/column.h"

namespace sawlog {

// Builds the filters of a writer's text columns one after another, keeping its tables between
// them: a block's columns are many, and their values few (a block holds one stream).
class TokenFilterBuilder {
 public:
  TokenFilterBuilder();
  ~TokenFilterBuilder();
  // The filter of every case-folded token of the present values. `known`: the column's distinct
  // values when its encoder found them all (EncodeColumn), else empty. `pairs`: the filter also
  // holds each pair of neighbouring tokens without digits (part footer flag kPartFlagMsgPairs),
  // so that a phrase rules out blocks that hold its words apart.
  std::string Build(const std::vector<std::optional<std::string_view>>& values, const DistinctValues& known,
                    bool pairs);

 private:
  struct Tables;
  std::unique_ptr<Tables> tables_;
};

}  // namespace sawlog
