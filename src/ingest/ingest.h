// The ingest subsystem: receivers turn what shippers send into events.
// This version has the native endpoint's decoders: NDJSON and plain text lines, and the
// request body's Content-Encoding.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog {

// How lines become events; set by the request's query parameters.
struct IngestParams {
  std::vector<std::string> time_fields = {"_time"};  // the first present one is the event's time
  std::vector<std::string> msg_fields = {"_msg"};    // the first present one is _msg
  std::vector<std::string> stream_fields;            // their values name the stream
  int64_t now_ns = 0;                                // the receive time
};

// Limits of the native endpoint. An event larger than this is refused (line by line), like
// Loki's and VictoriaLogs' line limits, so one runaway line cannot exhaust memory.
inline constexpr size_t kMaxEventBytes = 2u << 20;
// Request bodies, after decompression.
inline constexpr size_t kMaxBodyBytes = 256u << 20;
// The response lists the first rejected lines and counts the rest.
inline constexpr size_t kMaxListedRejections = 100;

struct RejectedLine {
  size_t line = 0;  // 1-based
  std::string reason;
};

struct DecodedBatch {
  std::vector<Event> events;
  std::vector<RejectedLine> rejected;  // the first kMaxListedRejections
  size_t rejected_count = 0;

  // Counts a rejected item (1-based), listing it while fewer than kMaxListedRejections are.
  void Reject(size_t item, std::string reason) {
    if (rejected.size() < kMaxListedRejections) rejected.push_back({item, std::move(reason)});
    ++rejected_count;
  }
};

// Parses parameters such as `_time_field`, `_msg_field` and `_stream_fields` (comma-separated).
Result<IngestParams> ParseIngestParams(const std::vector<std::pair<std::string, std::string>>& query);

class JsonParser;

// One line of NDJSON as DecodeNdjson reads it, for the receivers that get lines one at a time.
// Keeps its parser's buffers between lines: one per thread.
class NdjsonLineDecoder {
 public:
  explicit NdjsonLineDecoder(IngestParams params);
  ~NdjsonLineDecoder();
  NdjsonLineDecoder(const NdjsonLineDecoder&) = delete;
  NdjsonLineDecoder& operator=(const NdjsonLineDecoder&) = delete;

  // The event of one line (received at now_ns), or InvalidArgument saying why not. `padding`:
  // how many readable bytes follow the line in memory (see JsonParser).
  Status Decode(std::string_view line, size_t padding, int64_t now_ns, Event* out);

 private:
  IngestParams params_;
  std::unique_ptr<JsonParser> parser_;
  std::vector<Field> fields_;
  std::vector<std::pair<std::string, std::string>> labels_;
};

// One JSON object per line; blank lines are skipped. Reads up to 64 bytes past the end of body
// when its capacity allows (see JsonParser), so callers reserve that.
DecodedBatch DecodeNdjson(std::string_view body, size_t padding, const IngestParams& params);
// One event per line, the line being _msg; a trailing '\r' is dropped and blank lines skipped.
DecodedBatch DecodeTextLines(std::string_view body, const IngestParams& params);

// Decodes a Content-Encoding (identity, gzip, deflate, zstd, or a comma-separated list of them);
// TooLarge past max_bytes, InvalidArgument for damaged or truncated data, Unsupported for other
// encodings. gzip and deflate each accept both gzip and zlib framing.
Result<std::string> DecodeContent(std::string_view encoding, std::string body, size_t max_bytes);
// Whether data starts with a gzip or a zlib header (how GELF tells compressed datagrams apart).
bool StartsLikeZlibOrGzip(std::string_view data);

// The response body: {"accepted":N,"rejected_count":M,"rejected":[{"line":L,"reason":"..."}]},
// with "dropped":D after "accepted" when the receiver has a pipeline (D: events it dropped).
std::string IngestResponseJson(size_t accepted, const DecodedBatch& batch, std::optional<size_t> dropped = {});

}  // namespace sawlog
