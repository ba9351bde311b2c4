// The Elasticsearch receiver: POST /_bulk and /<index>/_bulk, and the endpoints shippers probe
// first (docs/api.md). Documents follow the Filebeat/Logstash convention: `@timestamp` (or
// `timestamp`) is the event time, `message` is _msg, the index is the stream label `index`, and
// every other field is kept, flattened to dotted names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog::elasticsearch {

// The version shippers are told; 8.x makes Beats, Logstash and the 8.x clients proceed.
inline constexpr std::string_view kVersion = "8.11.0";

// One action of a bulk request and its outcome, as ES lists it in the response.
struct BulkItem {
  std::string action;  // "index", "create", or an unsupported one ("delete", "update")
  std::string index;
  std::string id;
  int status = 201;
  std::string error_type;  // when status is not 201
  std::string error_reason;
};

struct BulkBatch {
  std::vector<Event> events;    // the accepted documents, in order
  std::vector<BulkItem> items;  // one per action, in order
  bool errors = false;          // some item failed
};

// Decodes an NDJSON bulk body. `default_index` comes from the URL (/<index>/_bulk), empty for
// /_bulk. Reads up to 64 bytes past a line when `padding` allows (see JsonParser). A line that is
// not an action where one is expected fails the whole request (InvalidArgument naming the line),
// as in Elasticsearch; a bad document is a per-item error.
Result<BulkBatch> DecodeBulk(std::string_view body, size_t padding, std::string_view default_index, int64_t now_ns);

// {"took":N,"errors":bool,"items":[{"index":{"_index":..,"_id":..,"status":201,...}},...]}
std::string BulkResponseJson(const BulkBatch& batch, int64_t took_ms);

}  // namespace sawlog::elasticsearch
