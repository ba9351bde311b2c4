// From an ExportLogsServiceRequest to events, the protobuf body, and the responses.
#include <google/protobuf/arena.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "core/json_writer.h"
#include "ingest/otlp/base64.h"
#include "ingest/otlp/logs_request.h"
#include "ingest/otlp/otlp.h"
#include "ingest/protobuf_parse.h"

namespace sawlog::otlp {

namespace {

// The resource attributes that name where logs come from, with few distinct values: the stream.
constexpr std::string_view kStreamAttributes[] = {"service.name", "service.namespace", "service.instance.id"};
// How many rejected records the response's error_message names.
constexpr size_t kRejectionsInMessage = 10;

void AppendDouble(std::string* out, double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out->append(buf, end);
}

// A scalar's text; false for arrays, kvlists and unset values.
bool ScalarText(const AnyValue& v, std::string* out) {
  switch (v.value_case()) {
    case AnyValue::kStringValue: *out = v.string_value(); return true;
    case AnyValue::kBoolValue: *out = v.bool_value() ? "true" : "false"; return true;
    case AnyValue::kIntValue: *out = std::to_string(v.int_value()); return true;
    case AnyValue::kDoubleValue: out->clear(); AppendDouble(out, v.double_value()); return true;
    case AnyValue::kBytesValue: *out = Base64Encode(v.bytes_value()); return true;
    default: return false;
  }
}

void AppendJson(const AnyValue& v, std::string* out) {
  switch (v.value_case()) {
    case AnyValue::kStringValue: AppendJsonString(out, v.string_value()); return;
    case AnyValue::kBoolValue: *out += v.bool_value() ? "true" : "false"; return;
    case AnyValue::kIntValue: *out += std::to_string(v.int_value()); return;
    case AnyValue::kDoubleValue:
      if (std::isfinite(v.double_value())) AppendDouble(out, v.double_value());
      else *out += std::isnan(v.double_value()) ? "\"NaN\"" : v.double_value() > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      return;
    case AnyValue::kBytesValue: AppendJsonString(out, Base64Encode(v.bytes_value())); return;
    case AnyValue::kArrayValue: {
      *out += '[';
      for (int i = 0; i < v.array_value().values_size(); ++i) {
        if (i) *out += ',';
        AppendJson(v.array_value().values(i), out);
      }
      *out += ']';
      return;
    }
    case AnyValue::kKvlistValue: {
      *out += '{';
      for (int i = 0; i < v.kvlist_value().values_size(); ++i) {
        if (i) *out += ',';
        AppendJsonString(out, v.kvlist_value().values(i).key());
        *out += ':';
        AppendJson(v.kvlist_value().values(i).value(), out);
      }
      *out += '}';
      return;
    }
    default: *out += "null"; return;
  }
}

// Sets a field, replacing an earlier one of the same name (a record's attribute overrides its
// scope's and resource's).
void SetField(std::vector<Field>* fields, std::string name, std::string value) {
  for (auto& f : *fields)
    if (f.name == name) {
      f.value = std::move(value);
      return;
    }
  fields->push_back({std::move(name), std::move(value)});
}

// An attribute as fields: kvlists flattened with dots, arrays as JSON text, unset values dropped
// (as JSON nulls are).
void AddAttribute(const std::string& name, const AnyValue& v, std::vector<Field>* fields) {
  std::string text;
  if (ScalarText(v, &text)) return SetField(fields, name, std::move(text));
  if (v.has_kvlist_value()) {
    for (const KeyValue& kv : v.kvlist_value().values()) AddAttribute(name + "." + kv.key(), kv.value(), fields);
  } else if (v.has_array_value()) {
    AppendJson(v, &text);
    SetField(fields, name, std::move(text));
  }
}

void AddAttributes(const RepeatedKeyValue& attributes, std::vector<Field>* fields) {
  for (const KeyValue& kv : attributes) AddAttribute(kv.key(), kv.value(), fields);
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[static_cast<uint8_t>(bytes[i]) >> 4];
    out[2 * i + 1] = kDigits[static_cast<uint8_t>(bytes[i]) & 15];
  }
  return out;
}

// The event of one record, or the reason it is refused. `common`: the resource's and scope's fields.
std::string MapRecord(const LogRecord& r, const std::vector<Field>& common, int64_t now_ns, Event* e) {
  if (!r.trace_id().empty() && r.trace_id().size() != kTraceIdBytes)
    return "trace_id of " + std::to_string(r.trace_id().size()) + " bytes, expected 16";
  if (!r.span_id().empty() && r.span_id().size() != kSpanIdBytes)
    return "span_id of " + std::to_string(r.span_id().size()) + " bytes, expected 8";
  const uint64_t t = r.time_unix_nano() != 0 ? r.time_unix_nano() : r.observed_time_unix_nano();
  if (t > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return "time of " + std::to_string(t) + " ns is past the year 2262";
  e->time = t != 0 ? static_cast<int64_t>(t) : now_ns;
  e->ingest_time = now_ns;
  if (r.body().has_string_value()) e->msg = r.body().string_value();
  else if (!ScalarText(r.body(), &e->msg) && r.has_body() && r.body().value_case() != AnyValue::VALUE_NOT_SET)
    AppendJson(r.body(), &e->msg);
  if (e->msg.size() > kMaxEventBytes)
    return "body of " + std::to_string(e->msg.size()) + " bytes exceeds the limit of " + std::to_string(kMaxEventBytes) + " bytes";
  e->fields.reserve(common.size() + r.attributes_size() + 6);
  e->fields = common;
  if (!r.severity_text().empty()) SetField(&e->fields, "severity", r.severity_text());
  if (r.severity_number() != 0) SetField(&e->fields, "severity_number", std::to_string(r.severity_number()));
  if (!r.trace_id().empty()) SetField(&e->fields, "trace_id", Hex(r.trace_id()));
  if (!r.span_id().empty()) SetField(&e->fields, "span_id", Hex(r.span_id()));
  if (r.flags() != 0) SetField(&e->fields, "flags", std::to_string(r.flags()));
  if (!r.event_name().empty()) SetField(&e->fields, "event_name", r.event_name());
  AddAttributes(r.attributes(), &e->fields);
  return {};
}

}  // namespace

DecodedBatch MapLogs(const ExportLogsServiceRequest& request, const std::vector<RejectedLine>& rejected,
                     const RecordPath& names, int64_t now_ns) {
  DecodedBatch batch;
  size_t record = 0;
  auto pre = rejected.begin();
  std::vector<Field> common;
  std::vector<std::pair<std::string, std::string>> labels;
  for (int ri = 0; ri < request.resource_logs_size(); ++ri) {
    const auto& rl = request.resource_logs(ri);
    std::vector<Field> resource_fields;
    AddAttributes(rl.resource().attributes(), &resource_fields);
    labels.clear();
    for (auto name : kStreamAttributes)
      for (const auto& f : resource_fields)
        if (f.name == name) labels.emplace_back(f.name, f.value);
    const std::string stream = CanonicalStream(labels);
    for (int si = 0; si < rl.scope_logs_size(); ++si) {
      const auto& sl = rl.scope_logs(si);
      common = resource_fields;
      if (!sl.scope().name().empty()) SetField(&common, "scope.name", sl.scope().name());
      if (!sl.scope().version().empty()) SetField(&common, "scope.version", sl.scope().version());
      AddAttributes(sl.scope().attributes(), &common);
      for (int li = 0; li < sl.log_records_size(); ++li) {
        ++record;
        if (pre != rejected.end() && pre->line == record) {
          batch.Reject(record, (pre++)->reason);
          continue;
        }
        Event e;
        std::string error = MapRecord(sl.log_records(li), common, now_ns, &e);
        if (!error.empty()) {
          batch.Reject(record, std::string(names.resource_logs) + "[" + std::to_string(ri) + "]." +
                                     std::string(names.scope_logs) + "[" + std::to_string(si) + "]." +
                                     std::string(names.log_records) + "[" + std::to_string(li) + "]: " + error);
          continue;
        }
        e.stream = stream;
        batch.events.push_back(std::move(e));
      }
    }
  }
  return batch;
}

Result<DecodedBatch> DecodeLogsProto(std::string_view body, int64_t now_ns) {
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<ExportLogsServiceRequest>(&arena);
  RETURN_IF_ERROR(ParseProtobuf(body, "an OTLP ExportLogsServiceRequest", request));
  return MapLogs(*request, {}, kProtoNames, now_ns);
}

Result<DecodedBatch> DecodeLogsJson(std::string_view body, size_t padding, int64_t now_ns) {
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<ExportLogsServiceRequest>(&arena);
  std::vector<RejectedLine> rejected;
  RETURN_IF_ERROR(ReadLogsJson(body, padding, request, &rejected));
  return MapLogs(*request, rejected, kJsonNames, now_ns);
}

namespace {

std::string ErrorMessage(const DecodedBatch& batch) {
  std::string text = std::to_string(batch.rejected_count) + " of " +
                     std::to_string(batch.rejected_count + batch.events.size()) + " log records rejected";
  for (size_t i = 0; i < batch.rejected.size() && i < kRejectionsInMessage; ++i)
    text += "; record " + std::to_string(batch.rejected[i].line) + ": " + batch.rejected[i].reason;
  if (batch.rejected_count > kRejectionsInMessage) text += "; ...";
  return text;
}

}  // namespace

std::string ResponseProto(const DecodedBatch& batch) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse response;
  if (batch.rejected_count > 0) {
    response.mutable_partial_success()->set_rejected_log_records(static_cast<int64_t>(batch.rejected_count));
    response.mutable_partial_success()->set_error_message(ErrorMessage(batch));
  }
  return response.SerializeAsString();
}

std::string ResponseJson(const DecodedBatch& batch) {
  if (batch.rejected_count == 0) return "{}";
  std::string out = "{\"partialSuccess\":{\"rejectedLogRecords\":\"" + std::to_string(batch.rejected_count) +
                    "\",\"errorMessage\":";
  AppendJsonString(&out, ErrorMessage(batch));
  out += "}}";
  return out;
}

}  // namespace sawlog::otlp
