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
// A part that will be merged again soon (small inputs) gets a middle zstd level; one that lasts
// (large inputs, or `lasting`: a settled partition's, PickSettledMerge) gets the strong level, and
// with it templates and token pairs (part_format.h).
Result<PartSummary> MergeParts(Env* env, const std::vector<const PartReader*>& inputs, const std::string& path,
                               bool lasting = false);

// Which parts of one partition to merge next, by size tiers: parts within a factor of two of
// each other form a tier, and a tier of at least kMinMergeParts is merged, at most
// kMaxMergeParts at a time. Each event is thus rewritten about log4(partition / flush size)
// times. Returns indexes into parts; empty when nothing needs merging.
std::vector<size_t> PickMerge(const std::vector<PartMeta>& parts);

inline constexpr size_t kMinMergeParts = 4;
inline constexpr size_t kMaxMergeParts = 16;

// Which parts of a settled partition (no part added for StoreOptions::settle_ns: a past day, or a
// pause in ingest) to merge into one that lasts: the parts written for a short life (flushed or
// small merges, which size tiers leave behind when fewer than kMinMergeParts are alike) — those
// without `lasting[i]` and under kSmallMergeBytes — the smallest kMaxMergeParts of them, even one
// alone. Otherwise they would stay as written, at a fast zstd level, without templates or token
// pairs, for every later search of the day. Empty when there are none.
std::vector<size_t> PickSettledMerge(const std::vector<PartMeta>& parts, const std::vector<bool>& lasting);

}  // namespace sawlog
