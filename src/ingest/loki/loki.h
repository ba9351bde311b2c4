// The Loki receiver: POST /loki/api/v1/push with a JSON body, or protobuf compressed with snappy
// (docs/api.md). A stream's labels become the event's stream, each entry (ns, line, structured
// metadata) one event: the line is _msg and the metadata fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/ingest.h"

namespace sawlog::loki {

// Decodes {"streams":[{"stream":{labels},"values":[["<unix ns>","line"(,{metadata})],...]}]}.
// A bad entry is rejected (RejectedLine.line: its 1-based number in the request, the reason
// naming streams[i].values[j]); a body that is not such an object is an InvalidArgument.
Result<DecodedBatch> DecodePushJson(std::string_view body, int64_t now_ns);

// Decodes a snappy-compressed logproto.PushRequest (proto/loki/push.proto), as Promtail and Alloy
// send it; entries are numbered and rejected as in DecodePushJson. A body that is not snappy or
// not such a message, or inflates past max_bytes, is an error.
Result<DecodedBatch> DecodePushProto(std::string_view body, size_t max_bytes, int64_t now_ns);

// Loki's (and Prometheus') label names: [a-zA-Z_][a-zA-Z0-9_]*. Keeps the canonical stream
// string unambiguous too.
bool IsLabelName(std::string_view s);

// A LogQL label set, `{job="api", host="web-1"}` (values in Go's quoting, or `raw`), as Promtail
// writes a stream's labels; the error names the column.
Result<std::vector<std::pair<std::string, std::string>>> ParseLabelSet(std::string_view text);

}  // namespace sawlog::loki
