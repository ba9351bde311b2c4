// LineParser: the one interface of every log-line format (JSON, logfmt, syslog, access logs,
// container runtimes, klog), and the registry that picks one by the name a configuration gives.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "core/time_zone.h"

namespace sawlog {

// What a parser needs to know beyond the line itself.
struct ParseContext {
  // The reference instant (UTC ns) for timestamps without a year (RFC 3164, klog): usually the
  // receive time. See WallTimeToInstant in core/timestamp.h.
  int64_t now = 0;
  // Seconds east of UTC at which timestamps without an offset are read (RFC 3164, klog).
  int utc_offset_seconds = 0;
  // The source's default time zone (IANA, from LoadTimeZone) for the parsers that read times
  // through core/time_format.h (regex, grok, csv, app layouts, auto); wins over
  // utc_offset_seconds there. nullptr: use utc_offset_seconds.
  const TimeZone* zone = nullptr;
};

// What a parser makes of one line. Parse() overwrites every member.
struct ParsedLine {
  std::vector<Field> fields;        // flat, dotted names, in the order of the line
  std::optional<int64_t> time;      // the line's own timestamp, UTC ns; none: use the receive time
  std::optional<std::string> msg;   // the free text (syslog MSG, klog message): becomes _msg
  // The runtime split the line (CRI tag "P", Docker "log" without a trailing newline): msg is
  // continued by the next line of the same stream. PartialLineJoiner puts the pieces together.
  bool partial = false;
  // The time is far in the future or past of ParseContext::now (core/time_format.h's
  // kSuspiciousFuture / kSuspiciousPast): kept as written, flagged for the pipeline to mark.
  bool time_suspicious = false;

  void Clear() {
    fields.clear();
    time.reset();
    msg.reset();
    partial = false;
    time_suspicious = false;
  }
  bool operator==(const ParsedLine&) const = default;
};

// Parses single lines of one format. Not thread-safe: one instance per thread (parsers keep
// buffers between calls). Parse() never keeps a view of `line`.
class LineParser {
 public:
  virtual ~LineParser() = default;
  // `line` is one line without its terminator. On error the Status is InvalidArgument, naming the
  // 1-based byte column where parsing failed and why; `out` is then unspecified.
  virtual Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) = 0;
};

// A parser's options as a configuration writes them: key/value pairs in order; a key may repeat
// where the parser says so (grok's `match`). Each parser declares the keys it takes
// (LineParserKeys); any other key is refused, naming it.
using ParserOptions = std::vector<std::pair<std::string, std::string>>;

// The parser registered under `name` (LineParserNames() lists them), with `options`.
// InvalidArgument for an unknown name, an unknown key or a bad value, naming it.
Result<std::unique_ptr<LineParser>> MakeLineParser(std::string_view name, const ParserOptions& options = {});
std::span<const std::string_view> LineParserNames();
// The option keys `name` takes (empty for an unknown name).
std::span<const std::string_view> LineParserKeys(std::string_view name);

// The error every parser returns: "<parser>: column <offset + 1>: <reason>".
Status LineError(std::string_view parser, size_t offset, std::string_view reason);

}  // namespace sawlog
