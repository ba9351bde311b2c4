// Fuzzes the native endpoint's line decoders, DecodeNdjson and DecodeTextLines.
// Invariants: every non-blank line becomes either an event or a rejection, and the listed
// rejections are the first ones, in line order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/ingest.h"

namespace {

// Counts lines the way the decoders document it: split on '\n', a trailing '\r' dropped, lines of
// only spaces and tabs are blank.
size_t CountNonBlankLines(std::string_view body) {
  size_t count = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool blank = true;
    for (char c : line)
      if (c != ' ' && c != '\t') blank = false;
    if (!blank) ++count;
    pos = end + 1;
  }
  return count;
}

void CheckBatch(const sawlog::DecodedBatch& batch, size_t lines) {
  if (batch.events.size() + batch.rejected_count != lines) __builtin_trap();
  if (batch.rejected.size() > sawlog::kMaxListedRejections) __builtin_trap();
  if (batch.rejected.size() > batch.rejected_count) __builtin_trap();
  if (batch.rejected_count <= sawlog::kMaxListedRejections && batch.rejected.size() != batch.rejected_count)
    __builtin_trap();
  for (size_t i = 0; i < batch.rejected.size(); ++i) {
    if (batch.rejected[i].line == 0 || batch.rejected[i].reason.empty()) __builtin_trap();
    if (i > 0 && batch.rejected[i].line <= batch.rejected[i - 1].line) __builtin_trap();
  }
  for (const auto& e : batch.events)
    if (e.stream.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Exactly the input's bytes with no slack after them, so reading past the body is an ASan error
  // (DecodeNdjson is told there is no padding).
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const size_t lines = CountNonBlankLines(body);

  sawlog::IngestParams params;
  params.now_ns = 1'793'491'200'000'000'000;  // 2026-11-01
  sawlog::DecodedBatch ndjson = sawlog::DecodeNdjson(body, 0, params);
  CheckBatch(ndjson, lines);

  // Other field choices: a list of time fields, a renamed message, stream labels.
  sawlog::IngestParams custom = params;
  custom.time_fields = {"ts", "@timestamp", "time"};
  custom.msg_fields = {"message", "msg", "log"};
  custom.stream_fields = {"host", "app", "kubernetes.pod"};
  CheckBatch(sawlog::DecodeNdjson(body, 0, custom), lines);

  sawlog::DecodedBatch text = sawlog::DecodeTextLines(body, params);
  CheckBatch(text, lines);
  // Plain text accepts every line within the size limit.
  if (size <= sawlog::kMaxEventBytes && text.rejected_count != 0) __builtin_trap();

  std::string response = sawlog::IngestResponseJson(ndjson.events.size(), ndjson);
  if (response.empty() || response.front() != '{' || response.back() != '}') __builtin_trap();
  return 0;
}
