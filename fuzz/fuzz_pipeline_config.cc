// Fuzzes the pipeline configuration loader: YAML (yaml-cpp), the generic option checks of every
// processor type, and the processors' own checks; then runs each loaded pipeline over fixed events.
// Invariants: an error is InvalidArgument naming "fuzz.yaml:LINE:COLUMN: "; loading is
// deterministic (same pipelines, same receivers); running drops no live event silently (every
// event is kept or has dropped_by set).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/pipeline.h"

namespace {

using sawlog::pipeline::Record;

bool HasLocation(const std::string& message) {
  std::string_view m = message;
  if (!m.starts_with("fuzz.yaml:")) return false;
  m.remove_prefix(10);
  for (int part = 0; part < 2; ++part) {
    size_t digits = 0;
    while (digits < m.size() && m[digits] >= '0' && m[digits] <= '9') ++digits;
    if (digits == 0 || digits >= m.size() || m[digits] != ':') return false;
    m.remove_prefix(digits + 1);
  }
  return m.starts_with(" ");
}

std::vector<Record> MakeRecords() {
  std::vector<Record> records(3);
  records[0].event.msg = R"(83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 404 5 "-" "curl/7.1")";
  records[1].event.msg = "level=error user=ann@example.com Bearer abc 4111 1111 1111 1111";
  records[1].event.fields = {{"host", "web-1"}, {"client.address", "81.2.69.160"}};
  records[2].event.time = 1'793'534'400'000'000'000;
  for (auto& r : records) r.event.ingest_time = 1'793'534'400'000'000'000;
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // lookup and geoip read the files a configuration names; device files would block forever.
  if (text.find("/dev") != std::string_view::npos || text.find("/proc") != std::string_view::npos ||
      text.find("/sys") != std::string_view::npos)
    return 0;
  auto config = sawlog::pipeline::ParseConfig(text, "fuzz.yaml", ".");
  if (!config.ok()) {
    if (config.status().code() != sawlog::Code::kInvalidArgument || !HasLocation(config.status().message()))
      __builtin_trap();
    return 0;
  }
  auto again = sawlog::pipeline::ParseConfig(text, "fuzz.yaml", ".");
  if (!again.ok() || again->receivers != config->receivers || again->pipelines.size() != config->pipelines.size())
    __builtin_trap();
  for (const auto& [receiver, name] : config->receivers)
    if (config->ForReceiver(receiver) == nullptr) __builtin_trap();
  for (const auto& [name, pipeline] : config->pipelines) {
    std::vector<Record> records = MakeRecords();
    pipeline->Run(records, {.now_ns = 1'793'534'400'000'000'000});
    if (records.size() != 3) __builtin_trap();
  }
  return 0;
}
