// Merging parts: k-way merge of parts of one tenant and day into one, streaming, so memory is
// one decoded block per input whatever the parts' sizes.
#pragma once

#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/manifest.h"
#include "store/part.h"

namespace sawlog {

// Writes the events of inputs, in (stream, time) order, as one part at path (synced, closed).
Result<PartSummary> MergeParts(Env* env, const std::vector<const PartReader*>& inputs, const std::string& path);

// Which parts of one partition to merge next, by size tiers: parts within a factor of two of
// each other form a tier, and a tier of at least kMinMergeParts is merged, at most
// kMaxMergeParts at a time. Each event is thus rewritten about log4(partition / flush size)
// times. Returns indexes into parts; empty when nothing needs merging.
std::vector<size_t> PickMerge(const std::vector<PartMeta>& parts);

inline constexpr size_t kMinMergeParts = 4;
inline constexpr size_t kMaxMergeParts = 16;

}  // namespace sawlog
