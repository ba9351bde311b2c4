// The native endpoint's line formats: NDJSON and plain text.
#include <algorithm>
#include <cstring>

#include "core/json_writer.h"
#include "core/timestamp.h"
#include "ingest/for_each_line.h"
#include "ingest/ingest.h"
#include "parse/parse.h"

namespace sawlog {

namespace {

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string TooBig(size_t size) {
  return "event of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(kMaxEventBytes) + " bytes";
}

}  // namespace

Result<IngestParams> ParseIngestParams(const std::vector<std::pair<std::string, std::string>>& query) {
  IngestParams p;
  for (const auto& [key, value] : query) {
    if (key == "_time_field") p.time_fields = SplitList(value);
    else if (key == "_msg_field") p.msg_fields = SplitList(value);
    else if (key == "_stream_fields") p.stream_fields = SplitList(value);
    else return Status::InvalidArgument("unknown query parameter '" + key + "' (known: _time_field, _msg_field, _stream_fields)");
  }
  if (p.time_fields.empty()) p.time_fields = {"_time"};
  if (p.msg_fields.empty()) p.msg_fields = {"_msg"};
  return p;
}

DecodedBatch DecodeNdjson(std::string_view body, size_t padding, const IngestParams& params) {
  DecodedBatch batch;
  JsonParser parser;
  std::vector<Field> fields;
  std::vector<std::pair<std::string, std::string>> labels;
  ForEachLine(body, [&](size_t number, std::string_view line, size_t after) {
    if (line.size() > kMaxEventBytes) return batch.Reject(number, TooBig(line.size()));
    fields.clear();
    Status st = parser.ParseObject(line, after + padding, &fields);
    if (!st.ok()) return batch.Reject(number, st.message());
    Event e;
    e.ingest_time = params.now_ns;
    e.time = params.now_ns;
    bool have_time = false, have_msg = false;
    labels.clear();
    e.fields.reserve(fields.size());
    for (auto& f : fields) {
      if (!have_time && std::find(params.time_fields.begin(), params.time_fields.end(), f.name) != params.time_fields.end()) {
        auto t = ParseTimestamp(f.value);
        if (!t.ok()) return batch.Reject(number, "field '" + f.name + "': " + t.status().message());
        e.time = t.value();
        have_time = true;
        continue;
      }
      if (!have_msg && std::find(params.msg_fields.begin(), params.msg_fields.end(), f.name) != params.msg_fields.end()) {
        e.msg = std::move(f.value);
        have_msg = true;
        continue;
      }
      if (std::find(params.stream_fields.begin(), params.stream_fields.end(), f.name) != params.stream_fields.end())
        labels.emplace_back(f.name, f.value);
      e.fields.push_back(std::move(f));
    }
    e.stream = CanonicalStream(labels);
    batch.events.push_back(std::move(e));
  });
  return batch;
}

DecodedBatch DecodeTextLines(std::string_view body, const IngestParams& params) {
  DecodedBatch batch;
  const std::string stream = CanonicalStream({});
  ForEachLine(body, [&](size_t number, std::string_view line, size_t) {
    if (line.size() > kMaxEventBytes) return batch.Reject(number, TooBig(line.size()));
    Event e;
    e.time = e.ingest_time = params.now_ns;
    e.stream = stream;
    e.msg = std::string(line);
    batch.events.push_back(std::move(e));
  });
  return batch;
}

std::string IngestResponseJson(size_t accepted, const DecodedBatch& batch, std::optional<size_t> dropped) {
  std::string out = "{\"accepted\":" + std::to_string(accepted);
  if (dropped) out += ",\"dropped\":" + std::to_string(*dropped);
  out += ",\"rejected_count\":" + std::to_string(batch.rejected_count) + ",\"rejected\":[";
  for (size_t i = 0; i < batch.rejected.size(); ++i) {
    if (i) out += ',';
    out += "{\"line\":" + std::to_string(batch.rejected[i].line) + ",\"reason\":";
    AppendJsonString(&out, batch.rejected[i].reason);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace sawlog
