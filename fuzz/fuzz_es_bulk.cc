// Fuzzes the Elasticsearch _bulk decoder and its response.
// Invariants: a decoded request lists one item per action, stores exactly the items with status
// 201, names the item and line in every item error, and every stored event has a stream that
// parses back to the single label `index`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/elasticsearch/elasticsearch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const int64_t now = 1'793'491'200'000'000'000;  // 2026-11-01
  for (std::string_view index : {std::string_view(), std::string_view("logs")}) {
    auto batch = sawlog::elasticsearch::DecodeBulk(body, 0, index, now);
    if (!batch.ok()) {
      if (batch.status().message().find("line ") == std::string::npos) __builtin_trap();  // "line [N]" or "line N"
      continue;
    }
    size_t created = 0;
    bool errors = false;
    for (const auto& item : batch->items) {
      if (item.status == 201) {
        ++created;
        if (item.id.empty() || item.index.empty()) __builtin_trap();
      } else {
        errors = true;
        if (item.error_type.empty() || item.error_reason.find(", line ") == std::string::npos) __builtin_trap();
      }
    }
    if (created != batch->events.size() || errors != batch->errors) __builtin_trap();
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& e : batch->events)
      if (!sawlog::ParseCanonicalStream(e.stream, &labels) || labels.size() != 1 || labels[0].first != "index")
        __builtin_trap();
    std::string json = sawlog::elasticsearch::BulkResponseJson(*batch, 1);
    if (json.empty() || json.front() != '{' || json.back() != '}') __builtin_trap();
  }
  return 0;
}
