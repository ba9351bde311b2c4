// Fuzzes the OTLP logs decoders: the input as a protobuf ExportLogsServiceRequest and as OTLP JSON
// (copied, and read in place with padding).
// Invariants: decoded_batch_check.h's, rejections naming the record's path in the body's
// encoding; errors are InvalidArgument; both responses are well-formed (the protobuf one parses as an
// ExportLogsServiceResponse whose count matches, the JSON one is JSON); the padded JSON read gives
// what the copied one gives.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoded_batch_check.h"
#include "ingest/otlp/otlp.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace {

constexpr int64_t kNow = 1'793'491'200'000'000'000;

void Check(const sawlog::Result<sawlog::DecodedBatch>& batch, std::string_view path_prefix) {
  sawlog::fuzz::CheckDecodedBatch(batch, path_prefix);
  if (!batch.ok()) {
    if (batch.status().code() != sawlog::Code::kInvalidArgument) __builtin_trap();
    return;
  }
  const auto& b = batch.value();
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse response;
  if (!response.ParseFromString(sawlog::otlp::ResponseProto(b)) ||
      response.partial_success().rejected_log_records() != static_cast<int64_t>(b.rejected_count))
    __builtin_trap();
  simdjson::dom::parser parser;
  if (parser.parse(sawlog::otlp::ResponseJson(b)).error()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Check(sawlog::otlp::DecodeLogsProto(input, kNow), "resource_logs[");
  auto copied = sawlog::otlp::DecodeLogsJson(input, 0, kNow);
  Check(copied, "resourceLogs[");
  std::string padded(input);
  padded.reserve(size + 64);
  auto in_place = sawlog::otlp::DecodeLogsJson(padded, padded.capacity() - padded.size(), kNow);
  if (copied.ok() != in_place.ok()) __builtin_trap();
  if (copied.ok() && (copied->events != in_place->events || copied->rejected_count != in_place->rejected_count))
    __builtin_trap();
  return 0;
}
