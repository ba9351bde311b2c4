// The registry of line parsers: an explicit list, one row per name a configuration may use.
#include "parse/line_parser.h"

#include <array>

#include "parse/parsers.h"

namespace sawlog {

namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<LineParser> (*make)();
};

constexpr std::array kParsers = {
    Entry{"json", [] { return MakeJsonLineParser(); }},
    Entry{"logfmt", [] { return MakeLogfmtParser(); }},
    Entry{"kv", [] { return MakeKvParser(); }},
    Entry{"syslog", [] { return MakeSyslogParser(SyslogFormat::kAuto); }},
    Entry{"syslog3164", [] { return MakeSyslogParser(SyslogFormat::kRfc3164); }},
    Entry{"syslog5424", [] { return MakeSyslogParser(SyslogFormat::kRfc5424); }},
    Entry{"apache_common", [] { return MakeAccessLogParser(AccessLogFormat::kCommon); }},
    Entry{"apache_combined", [] { return MakeAccessLogParser(AccessLogFormat::kCombined); }},
    Entry{"cri", [] { return MakeCriParser(); }},
    Entry{"docker", [] { return MakeDockerParser(); }},
    Entry{"klog", [] { return MakeKlogParser(); }},
};

constexpr auto kNames = [] {
  std::array<std::string_view, kParsers.size()> names{};
  for (size_t i = 0; i < kParsers.size(); ++i) names[i] = kParsers[i].name;
  return names;
}();

}  // namespace

Result<std::unique_ptr<LineParser>> MakeLineParser(std::string_view name) {
  for (const auto& e : kParsers)
    if (e.name == name) return e.make();
  std::string known;
  for (auto n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return Status::InvalidArgument("unknown parser '" + std::string(name) + "' (known: " + known + ")");
}

std::span<const std::string_view> LineParserNames() { return kNames; }

Status LineError(std::string_view parser, size_t offset, std::string_view reason) {
  return Status::InvalidArgument(std::string(parser) + ": column " + std::to_string(offset + 1) + ": " +
                                 std::string(reason));
}

}  // namespace sawlog
