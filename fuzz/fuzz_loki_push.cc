// Fuzzes the Loki JSON push decoder.
// Invariants: rejections are listed in entry order with a reason naming streams[i], at most
// kMaxListedRejections of them, and every event's stream parses back as canonical labels.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/loki/loki.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto batch = sawlog::loki::DecodePushJson(body, 1'793'491'200'000'000'000);
  if (!batch.ok()) {
    if (batch.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (batch->rejected.size() > sawlog::kMaxListedRejections || batch->rejected.size() > batch->rejected_count) __builtin_trap();
  for (size_t i = 0; i < batch->rejected.size(); ++i) {
    if (batch->rejected[i].line == 0 || batch->rejected[i].reason.find("streams[") != 0) __builtin_trap();
    if (i > 0 && batch->rejected[i].line <= batch->rejected[i - 1].line) __builtin_trap();
  }
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& e : batch->events)
    if (!sawlog::ParseCanonicalStream(e.stream, &labels) || e.time < 0) __builtin_trap();
  return 0;
}
