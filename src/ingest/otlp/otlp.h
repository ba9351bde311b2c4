// The OpenTelemetry receiver: OTLP/HTTP logs, POST /v1/logs, as protobuf or JSON (docs/api.md).
// Every log record becomes one event:
//   body → _msg (a string as is; any other kind as JSON text)
//   time_unix_nano → _time (observed_time_unix_nano when 0; the receive time when both are)
//   severity_text → severity, severity_number → severity_number, flags → flags,
//   trace_id / span_id → trace_id / span_id (lower-case hex), event_name → event_name
//   resource, scope and record attributes → fields (kvlists flattened with dots, arrays as JSON
//   text; on a clash the record's attribute wins over the scope's, the scope's over the resource's)
//   scope name / version → scope.name / scope.version
//   the resource's service.name, service.namespace, service.instance.id → stream labels (and fields)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/ingest.h"

namespace sawlog::otlp {

// Decodes an ExportLogsServiceRequest. A bad record (wrong trace id length, unusable time, body
// over kMaxEventBytes, a malformed value in JSON) is rejected alone (RejectedLine.line: its 1-based
// position among the request's records, the reason naming its path); a body that is not such a
// message, or is malformed outside the records, is an InvalidArgument naming where.
Result<DecodedBatch> DecodeLogsProto(std::string_view body, int64_t now_ns);
// The OTLP JSON encoding (lowerCamelCase keys, also the proto names; hex trace and span ids;
// int64 as strings or numbers; enums as numbers or names). Reads up to `padding` bytes past the
// body when that is at least 64 (simdjson's padding), copies it otherwise.
Result<DecodedBatch> DecodeLogsJson(std::string_view body, size_t padding, int64_t now_ns);

// The ExportLogsServiceResponse: empty, or partial_success with rejected_log_records and an
// error_message naming the first rejected records.
std::string ResponseProto(const DecodedBatch& batch);
std::string ResponseJson(const DecodedBatch& batch);

}  // namespace sawlog::otlp
