// OTLP JSON (the protobuf JSON mapping with OTLP's rules) into an ExportLogsServiceRequest.
// Unknown keys are ignored and null is an absent value, as the OpenTelemetry Collector reads it.
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "ingest/otlp/base64.h"
#include "ingest/otlp/logs_request.h"

namespace sawlog::otlp {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Values nest (kvlists of arrays of kvlists...); deeper ones are refused to bound the recursion.
constexpr int kMaxValueDepth = 64;

// OTLP JSON uses lowerCamelCase keys; the proto field names are accepted too.
bool Is(std::string_view key, std::string_view json_name, std::string_view proto_name) {
  return key == json_name || key == proto_name;
}

std::string Path(std::string_view name, size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

// int64 and fixed64 values: a string of digits (the OTLP encoding) or a number.
template <class T>
bool ReadInteger(element e, T* out) {
  std::string_view s;
  if (!e.get_string().get(s)) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  }
  if constexpr (std::is_signed_v<T>) return !e.get_int64().get(*out);
  else return !e.get_uint64().get(*out);
}

bool ReadUint32(element e, uint32_t* out) {
  uint64_t v = 0;
  if (!ReadInteger(e, &v) || v > std::numeric_limits<uint32_t>::max()) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ReadDouble(element e, double* out) {
  std::string_view s;
  if (e.get_string().get(s)) return !e.get_double().get(*out);
  if (s == "NaN") *out = std::nan("");
  else if (s == "Infinity") *out = std::numeric_limits<double>::infinity();
  else if (s == "-Infinity") *out = -std::numeric_limits<double>::infinity();
  else {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  }
  return true;
}

// trace and span ids: hex (either case), not base64 as protobuf's JSON mapping would have it.
bool ReadHexId(element e, size_t bytes, std::string* out) {
  std::string_view s;
  if (e.get_string().get(s)) return false;
  if (s.empty()) return true;
  if (s.size() != 2 * bytes) return false;
  out->resize(bytes);
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return false;
    (*out)[i / 2] = static_cast<char>(i % 2 == 0 ? v << 4 : ((*out)[i / 2] | v));
  }
  return true;
}

std::string ReadKeyValues(element e, RepeatedKeyValue* out, int depth);

// An AnyValue, {"stringValue":"..."} and its kin; the empty string, or what is wrong.
std::string ReadAnyValue(element e, AnyValue* v, int depth) {
  object o;
  if (e.get_object().get(o)) return "expected an AnyValue object such as {\"stringValue\":\"text\"}";
  if (depth > kMaxValueDepth) return "values nested deeper than " + std::to_string(kMaxValueDepth) + " levels";
  for (auto [key, x] : o) {
    if (x.is_null()) continue;
    std::string_view s;
    if (Is(key, "stringValue", "string_value")) {
      if (x.get_string().get(s)) return "stringValue: expected a string";
      v->set_string_value(std::string(s));
    } else if (Is(key, "boolValue", "bool_value")) {
      bool b = false;
      if (x.get_bool().get(b)) return "boolValue: expected true or false";
      v->set_bool_value(b);
    } else if (Is(key, "intValue", "int_value")) {
      int64_t n = 0;
      if (!ReadInteger(x, &n)) return "intValue: expected an integer (a string of digits or a number)";
      v->set_int_value(n);
    } else if (Is(key, "doubleValue", "double_value")) {
      double d = 0;
      if (!ReadDouble(x, &d)) return "doubleValue: expected a number";
      v->set_double_value(d);
    } else if (Is(key, "bytesValue", "bytes_value")) {
      std::string bytes;
      if (x.get_string().get(s) || !Base64Decode(s, &bytes)) return "bytesValue: expected base64 text";
      v->set_bytes_value(std::move(bytes));
    } else if (Is(key, "arrayValue", "array_value")) {
      auto* values = v->mutable_array_value()->mutable_values();
      object a;
      array items;
      element list;
      if (x.get_object().get(a)) return "arrayValue: expected an object {\"values\":[...]}";
      if (a["values"].get(list) || list.is_null()) continue;
      if (list.get_array().get(items)) return "arrayValue.values: expected an array";
      size_t i = 0;
      for (element item : items) {
        std::string error = ReadAnyValue(item, values->Add(), depth + 1);
        if (!error.empty()) return "arrayValue." + Path("values", i) + ": " + error;
        ++i;
      }
    } else if (Is(key, "kvlistValue", "kvlist_value")) {
      object kv;
      element list;
      if (x.get_object().get(kv)) return "kvlistValue: expected an object {\"values\":[...]}";
      auto* values = v->mutable_kvlist_value()->mutable_values();
      if (kv["values"].get(list) || list.is_null()) continue;
      std::string error = ReadKeyValues(list, values, depth + 1);
      if (!error.empty()) return "kvlistValue.values" + error;
    }
  }
  return {};
}

// [{"key":"k","value":{AnyValue}},...]; errors start with the failing item's "[i]".
std::string ReadKeyValues(element e, RepeatedKeyValue* out, int depth) {
  array items;
  if (e.get_array().get(items)) return ": expected an array of {\"key\":...,\"value\":{...}}";
  size_t i = 0;
  for (element item : items) {
    object o;
    if (item.get_object().get(o)) return "[" + std::to_string(i) + "]: expected an object {\"key\":...,\"value\":{...}}";
    KeyValue* kv = out->Add();
    for (auto [key, x] : o) {
      if (x.is_null()) continue;
      if (key == "key") {
        std::string_view s;
        if (x.get_string().get(s)) return "[" + std::to_string(i) + "].key: expected a string";
        kv->set_key(std::string(s));
      } else if (key == "value") {
        std::string error = ReadAnyValue(x, kv->mutable_value(), depth);
        if (!error.empty()) return "[" + std::to_string(i) + "].value: " + error;
      }
    }
    ++i;
  }
  return {};
}

std::string ReadRecord(element e, LogRecord* r) {
  object o;
  if (e.get_object().get(o)) return "expected a log record object";
  for (auto [key, x] : o) {
    if (x.is_null()) continue;
    std::string_view s;
    if (Is(key, "timeUnixNano", "time_unix_nano")) {
      uint64_t t = 0;
      if (!ReadInteger(x, &t)) return "timeUnixNano: expected unix nanoseconds (a string of digits or a number)";
      r->set_time_unix_nano(t);
    } else if (Is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
      uint64_t t = 0;
      if (!ReadInteger(x, &t)) return "observedTimeUnixNano: expected unix nanoseconds (a string of digits or a number)";
      r->set_observed_time_unix_nano(t);
    } else if (Is(key, "severityNumber", "severity_number")) {
      int64_t n = 0;
      opentelemetry::proto::logs::v1::SeverityNumber named;
      if (!x.get_string().get(s) && opentelemetry::proto::logs::v1::SeverityNumber_Parse(std::string(s), &named)) n = named;
      else if (x.get_int64().get(n) || n < 0 || n > std::numeric_limits<int32_t>::max())
        return "severityNumber: expected a number (1-24) or a name such as SEVERITY_NUMBER_INFO";
      r->set_severity_number(static_cast<opentelemetry::proto::logs::v1::SeverityNumber>(n));
    } else if (Is(key, "severityText", "severity_text")) {
      if (x.get_string().get(s)) return "severityText: expected a string";
      r->set_severity_text(std::string(s));
    } else if (key == "body") {
      std::string error = ReadAnyValue(x, r->mutable_body(), 0);
      if (!error.empty()) return "body: " + error;
    } else if (key == "attributes") {
      std::string error = ReadKeyValues(x, r->mutable_attributes(), 0);
      if (!error.empty()) return "attributes" + error;
    } else if (key == "flags") {
      uint32_t flags = 0;
      if (!ReadUint32(x, &flags)) return "flags: expected an unsigned 32-bit number";
      r->set_flags(flags);
    } else if (Is(key, "traceId", "trace_id")) {
      if (!ReadHexId(x, kTraceIdBytes, r->mutable_trace_id())) return "traceId: expected 32 hex digits";
    } else if (Is(key, "spanId", "span_id")) {
      if (!ReadHexId(x, kSpanIdBytes, r->mutable_span_id())) return "spanId: expected 16 hex digits";
    } else if (Is(key, "eventName", "event_name")) {
      if (x.get_string().get(s)) return "eventName: expected a string";
      r->set_event_name(std::string(s));
    }
  }
  return {};
}

// The array under a key; absent (or null) is an empty one.
Status ArrayMember(object o, std::string_view json_name, std::string_view proto_name, const std::string& where,
                   array* out, bool* present) {
  *present = false;
  for (auto [key, x] : o) {
    if (!Is(key, json_name, proto_name) || x.is_null()) continue;
    if (x.get_array().get(*out)) return Status::InvalidArgument(where + std::string(json_name) + ": expected an array");
    *present = true;
  }
  return Status::Ok();
}

Status ReadAttributesOf(element owner, const std::string& where, RepeatedKeyValue* out) {
  object o;
  if (owner.get_object().get(o)) return Status::InvalidArgument(where + ": expected an object");
  element attributes;
  if (o["attributes"].get(attributes) || attributes.is_null()) return Status::Ok();
  std::string error = ReadKeyValues(attributes, out, 0);
  if (!error.empty()) return Status::InvalidArgument(where + ".attributes" + error);
  return Status::Ok();
}

}  // namespace

Status ReadLogsJson(std::string_view body, size_t padding, ExportLogsServiceRequest* out,
                    std::vector<RejectedLine>* rejected) {
  simdjson::dom::parser parser;
  element root;
  if (auto e = parser.parse(body.data(), body.size(), padding < simdjson::SIMDJSON_PADDING).get(root))
    return Status::InvalidArgument(std::string("body is not JSON: ") + simdjson::error_message(e));
  object top;
  if (root.get_object().get(top))
    return Status::InvalidArgument("body must be an object {\"resourceLogs\":[...]} (OTLP JSON)");
  array resource_logs, scope_logs, records;
  bool present = false;
  RETURN_IF_ERROR(ArrayMember(top, "resourceLogs", "resource_logs", "", &resource_logs, &present));
  if (!present) return Status::Ok();
  size_t record = 0, ri = 0;
  for (element rl_json : resource_logs) {
    const std::string rl_where = Path("resourceLogs", ri++);
    object rl;
    if (rl_json.get_object().get(rl)) return Status::InvalidArgument(rl_where + ": expected an object");
    auto* rl_proto = out->add_resource_logs();
    element resource;
    if (!rl["resource"].get(resource) && !resource.is_null())
      RETURN_IF_ERROR(ReadAttributesOf(resource, rl_where + ".resource", rl_proto->mutable_resource()->mutable_attributes()));
    RETURN_IF_ERROR(ArrayMember(rl, "scopeLogs", "scope_logs", rl_where + ".", &scope_logs, &present));
    if (!present) continue;
    size_t si = 0;
    for (element sl_json : scope_logs) {
      const std::string sl_where = rl_where + "." + Path("scopeLogs", si++);
      object sl;
      if (sl_json.get_object().get(sl)) return Status::InvalidArgument(sl_where + ": expected an object");
      auto* sl_proto = rl_proto->add_scope_logs();
      element scope;
      if (!sl["scope"].get(scope) && !scope.is_null()) {
        auto* scope_proto = sl_proto->mutable_scope();
        RETURN_IF_ERROR(ReadAttributesOf(scope, sl_where + ".scope", scope_proto->mutable_attributes()));
        std::string_view s;
        element x;
        if (!scope["name"].get(x) && !x.is_null()) {
          if (x.get_string().get(s)) return Status::InvalidArgument(sl_where + ".scope.name: expected a string");
          scope_proto->set_name(std::string(s));
        }
        if (!scope["version"].get(x) && !x.is_null()) {
          if (x.get_string().get(s)) return Status::InvalidArgument(sl_where + ".scope.version: expected a string");
          scope_proto->set_version(std::string(s));
        }
      }
      RETURN_IF_ERROR(ArrayMember(sl, "logRecords", "log_records", sl_where + ".", &records, &present));
      if (!present) continue;
      size_t li = 0;
      for (element r : records) {
        ++record;
        auto* r_proto = sl_proto->add_log_records();
        std::string error = ReadRecord(r, r_proto);
        if (!error.empty()) {
          r_proto->Clear();
          rejected->push_back({record, sl_where + "." + Path("logRecords", li) + ": " + error});
        }
        ++li;
      }
    }
  }
  return Status::Ok();
}

}  // namespace sawlog::otlp
