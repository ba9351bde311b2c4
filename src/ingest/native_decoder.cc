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

void Reject(DecodedBatch* batch, size_t line, std::string reason) {
  if (batch->rejected.size() < kMaxListedRejections) batch->rejected.push_back({line, std::move(reason)});
  ++batch->rejected_count;
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

NdjsonLineDecoder::NdjsonLineDecoder(IngestParams params)
    : params_(std::move(params)), parser_(std::make_unique<JsonParser>()) {}

NdjsonLineDecoder::~NdjsonLineDecoder() = default;

Status NdjsonLineDecoder::Decode(std::string_view line, size_t padding, int64_t now_ns, Event* out) {
  fields_.clear();
  RETURN_IF_ERROR(parser_->ParseObject(line, padding, &fields_));
  Event& e = *out;
  e.ingest_time = now_ns;
  e.time = now_ns;
  bool have_time = false, have_msg = false;
  labels_.clear();
  e.msg.clear();
  e.fields.clear();
  e.fields.reserve(fields_.size());
  auto listed = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (auto& f : fields_) {
    if (!have_time && listed(params_.time_fields, f.name)) {
      auto t = ParseTimestamp(f.value);
      if (!t.ok()) return Status::InvalidArgument("field '" + f.name + "': " + t.status().message());
      e.time = t.value();
      have_time = true;
      continue;
    }
    if (!have_msg && listed(params_.msg_fields, f.name)) {
      e.msg = std::move(f.value);
      have_msg = true;
      continue;
    }
    if (listed(params_.stream_fields, f.name)) labels_.emplace_back(f.name, f.value);
    e.fields.push_back(std::move(f));
  }
  e.stream = CanonicalStream(labels_);
  return Status::Ok();
}

DecodedBatch DecodeNdjson(std::string_view body, size_t padding, const IngestParams& params) {
  DecodedBatch batch;
  NdjsonLineDecoder decoder(params);
  ForEachLine(body, [&](size_t number, std::string_view line, size_t after) {
    if (line.size() > kMaxEventBytes) return Reject(&batch, number, TooBig(line.size()));
    Event e;
    Status st = decoder.Decode(line, after + padding, params.now_ns, &e);
    if (!st.ok()) return Reject(&batch, number, st.message());
    batch.events.push_back(std::move(e));
  });
  return batch;
}

DecodedBatch DecodeTextLines(std::string_view body, const IngestParams& params) {
  DecodedBatch batch;
  const std::string stream = CanonicalStream({});
  ForEachLine(body, [&](size_t number, std::string_view line, size_t) {
    if (line.size() > kMaxEventBytes) return Reject(&batch, number, TooBig(line.size()));
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
