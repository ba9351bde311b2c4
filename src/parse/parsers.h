// The line parsers, one per file of src/parse/, each behind LineParser (line_parser.h). Field
// names, accepted input and error behaviour: docs/parsers.md. MakeLineParser() picks one of these
// by name with default options; callers that need other options make one here.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "parse/line_parser.h"

namespace sawlog {

// json_parser.cc: one JSON object, flattened by JsonParser (parse.h). Sets fields only.
std::unique_ptr<LineParser> MakeJsonLineParser();

// logfmt.cc: `key=value key="quoted \"value\"" flag`, as go-logfmt decodes it (a bare key has an
// empty value).
std::unique_ptr<LineParser> MakeLogfmtParser();

// kv.cc: key/value pairs with configurable delimiters, as Vector's parse_key_value.
struct KvOptions {
  char field_delimiter = ' ';  // between pairs; spaces around pairs are dropped
  char value_delimiter = '=';  // between a key and its value
  bool standalone_keys = true; // a word without a value becomes key="true"; else it is an error
};
std::unique_ptr<LineParser> MakeKvParser(const KvOptions& options = {});

// syslog.cc
enum class SyslogFormat { kAuto, kRfc3164, kRfc5424 };
std::unique_ptr<LineParser> MakeSyslogParser(SyslogFormat format);

// access_log.cc: Apache/nginx access logs.
enum class AccessLogFormat { kCommon, kCombined };
std::unique_ptr<LineParser> MakeAccessLogParser(AccessLogFormat format);

// container.cc: container runtime log files. Both mark split lines as ParsedLine::partial.
std::unique_ptr<LineParser> MakeCriParser();     // CRI (containerd, CRI-O)
std::unique_ptr<LineParser> MakeDockerParser();  // Docker json-file

// klog.cc: Kubernetes klog / glog.
std::unique_ptr<LineParser> MakeKlogParser();

// app_layouts.cc: the default text layouts of application logging libraries (docs/parsers.md):
// Log4j, Logback, Spring Boot and java.util.logging; Python's logging; Go's log and zap.
std::unique_ptr<LineParser> MakeJavaParser();
std::unique_ptr<LineParser> MakePythonParser();
std::unique_ptr<LineParser> MakeGoParser();

// Tries the structured formats in turn (json, syslog, cri, klog, access logs, logfmt) when the
// line looks like each; plain text otherwise. Adds a `parser` field naming the one that read it.
std::unique_ptr<LineParser> MakeAutoParser();

// Which named values become the event time and message (regex, grok, csv). A value named in
// time_fields is parsed with time_format (strptime-style, core/time_format.h) or, when empty,
// detected (ParseAnyTimestamp); one named in msg_fields becomes _msg. The first of each wins.
struct CaptureOptions {
  std::vector<std::string> time_fields = {"timestamp", "time", "@timestamp"};
  std::string time_format;
  std::vector<std::string> msg_fields = {"message", "msg"};
};

// regex.cc: an RE2 regex with named groups, searched in the line.
struct RegexOptions {
  std::string pattern;
  CaptureOptions capture;
};
Result<std::unique_ptr<LineParser>> MakeRegexParser(const RegexOptions& options);

// grok.cc: grok patterns over pattern libraries (directories of "NAME regex" files).
struct GrokOptions {
  std::vector<std::string> pattern_dirs;                      // loaded in order; later names win
  std::vector<std::pair<std::string, std::string>> patterns;  // NAME, regex: after the directories
  std::vector<std::string> match;                             // tried in order, each the whole line
  CaptureOptions capture;
  // Which matcher runs the expanded regex (grok.cc): kAuto the backtracker where it can, else
  // RE2. Tests compare the other two: kRe2 only RE2, kBacktracker refuses patterns the
  // backtracker cannot compile.
  enum class Engine { kAuto, kRe2, kBacktracker } engine = Engine::kAuto;
};
Result<std::unique_ptr<LineParser>> MakeGrokParser(const GrokOptions& options);

// csv.cc: comma-separated values with RFC 4180 quoting, named by a header.
struct CsvOptions {
  std::string header;    // the field names as a CSV line; empty: the first line parsed is the header
  char delimiter = ',';
  CaptureOptions capture;
};
Result<std::unique_ptr<LineParser>> MakeCsvParser(const CsvOptions& options);

}  // namespace sawlog
