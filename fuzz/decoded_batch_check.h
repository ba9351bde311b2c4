// For the receivers' decoders that return a DecodedBatch (fuzz_loki_push, fuzz_loki_proto,
// fuzz_otlp): an error has a message; rejections are listed in item order, at most
// kMaxListedRejections of them, each with a reason that starts with the item's path; every event's
// stream parses back as canonical labels and its time is after 1970.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/ingest.h"

namespace sawlog::fuzz {

inline void CheckDecodedBatch(const Result<DecodedBatch>& result, std::string_view path_prefix) {
  if (!result.ok()) {
    if (result.status().message().empty()) __builtin_trap();
    return;
  }
  const DecodedBatch& b = result.value();
  if (b.rejected.size() > kMaxListedRejections || b.rejected.size() > b.rejected_count) __builtin_trap();
  for (size_t i = 0; i < b.rejected.size(); ++i) {
    if (b.rejected[i].line == 0 || b.rejected[i].reason.rfind(path_prefix, 0) != 0) __builtin_trap();
    if (i > 0 && b.rejected[i].line <= b.rejected[i - 1].line) __builtin_trap();
  }
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& e : b.events)
    if (!ParseCanonicalStream(e.stream, &labels) || e.time < 0) __builtin_trap();
}

}  // namespace sawlog::fuzz
