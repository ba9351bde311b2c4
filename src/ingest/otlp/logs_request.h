// Inside the OTLP receiver: both encodings are read into the generated ExportLogsServiceRequest,
// and one mapping turns that into events (otlp.h lists the rules).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/ingest.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace sawlog::otlp {

using ExportLogsServiceRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;
using RepeatedKeyValue = google::protobuf::RepeatedPtrField<KeyValue>;

// The lengths of a record's ids; empty means none.
inline constexpr size_t kTraceIdBytes = 16, kSpanIdBytes = 8;

// Reads OTLP JSON into *out. A record that cannot be read is added empty, in its place, and listed
// in *rejected (its 1-based position among all records); other errors fail the whole body.
Status ReadLogsJson(std::string_view body, size_t padding, ExportLogsServiceRequest* out,
                    std::vector<RejectedLine>* rejected);

// How a rejection names a record's place: in the names of the request's encoding.
struct RecordPath {
  std::string_view resource_logs, scope_logs, log_records;
};
inline constexpr RecordPath kProtoNames{"resource_logs", "scope_logs", "log_records"};
inline constexpr RecordPath kJsonNames{"resourceLogs", "scopeLogs", "logRecords"};

// The events of a request. `rejected`: records already refused (ReadLogsJson), in order; they
// are skipped and reported with the ones the mapping refuses.
DecodedBatch MapLogs(const ExportLogsServiceRequest& request, const std::vector<RejectedLine>& rejected,
                     const RecordPath& names, int64_t now_ns);

}  // namespace sawlog::otlp
