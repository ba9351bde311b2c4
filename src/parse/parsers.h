// The line parsers, one per file of src/parse/, each behind LineParser (line_parser.h). Field
// names, accepted input and error behaviour: docs/parsers.md. MakeLineParser() picks one of these
// by name with default options; callers that need other options make one here.
#pragma once

#include <memory>

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

}  // namespace sawlog
