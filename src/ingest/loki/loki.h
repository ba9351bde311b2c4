// The Loki receiver: POST /loki/api/v1/push with a JSON body (docs/api.md). A stream's labels
// become the event's stream, each value [ns, line, {structured metadata}] one event: the line is
// _msg and the metadata fields.
#pragma once

#include <cstdint>
#include <string_view>

#include "ingest/ingest.h"

namespace sawlog::loki {

// Decodes {"streams":[{"stream":{labels},"values":[["<unix ns>","line"(,{metadata})],...]}]}.
// A bad entry is rejected (RejectedLine.line: its 1-based number in the request, the reason
// naming streams[i].values[j]); a body that is not such an object is an InvalidArgument.
Result<DecodedBatch> DecodePushJson(std::string_view body, int64_t now_ns);

}  // namespace sawlog::loki
