// Fuzzes the Loki protobuf push decoder: the input compressed with snappy (so mutations reach the
// PushRequest), the input as the body itself (the snappy reader), and as a LogQL label set.
// Invariants: errors have a message; rejections are listed in entry order with a reason naming
// streams[i], at most kMaxListedRejections; every event's stream parses back as canonical labels
// and its time is after 1970; a parsed label set has valid, distinct names.
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/loki/loki.h"

namespace {

void Check(const sawlog::Result<sawlog::DecodedBatch>& batch) {
  if (!batch.ok()) {
    if (batch.status().message().empty()) __builtin_trap();
    return;
  }
  if (batch->rejected.size() > sawlog::kMaxListedRejections || batch->rejected.size() > batch->rejected_count) __builtin_trap();
  for (size_t i = 0; i < batch->rejected.size(); ++i) {
    if (batch->rejected[i].line == 0 || batch->rejected[i].reason.find("streams[") != 0) __builtin_trap();
    if (i > 0 && batch->rejected[i].line <= batch->rejected[i - 1].line) __builtin_trap();
  }
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& e : batch->events)
    if (!sawlog::ParseCanonicalStream(e.stream, &labels) || e.time < 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kNow = 1'793'491'200'000'000'000;
  constexpr size_t kMaxBytes = 1u << 20;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string compressed;
  snappy::Compress(input.data(), input.size(), &compressed);
  Check(sawlog::loki::DecodePushProto(compressed, kMaxBytes, kNow));
  Check(sawlog::loki::DecodePushProto(input, kMaxBytes, kNow));
  auto labels = sawlog::loki::ParseLabelSet(input);
  if (labels.ok()) {
    for (size_t i = 0; i < labels->size(); ++i) {
      if (!sawlog::loki::IsLabelName((*labels)[i].first)) __builtin_trap();
      for (size_t j = 0; j < i; ++j)
        if ((*labels)[j].first == (*labels)[i].first) __builtin_trap();
    }
  } else if (labels.status().message().rfind("labels, column ", 0) != 0) {
    __builtin_trap();
  }
  return 0;
}
