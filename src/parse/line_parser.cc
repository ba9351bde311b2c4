// The registry of line parsers: an explicit list, one row per name a configuration may use.
#include "parse/line_parser.h"

#include <algorithm>
#include <array>

#include "parse/capture.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

using Made = Result<std::unique_ptr<LineParser>>;

struct Entry {
  std::string_view name;
  std::span<const std::string_view> keys;  // the options it takes (docs/parsers.md)
  Made (*make)(const ParserOptions& options);
};

constexpr std::span<const std::string_view> kNoKeys;
constexpr std::string_view kRegexKeys[] = {"pattern", "time_field", "time_format", "msg_field"};
constexpr std::string_view kCsvKeys[] = {"header", "delimiter", "time_field", "time_format", "msg_field"};
constexpr std::string_view kGrokKeys[] = {"match", "patterns_dir", "pattern", "time_field", "time_format", "msg_field"};
constexpr std::string_view kCaptureKeys[] = {"time_field", "time_format", "msg_field"};

// Reads the options of `parser` that are not CaptureOptions with `take`; keys were checked.
template <typename Take>
Status ReadOptions(std::string_view parser, const ParserOptions& options, CaptureOptions* capture, Take take) {
  bool replaced_time = false, replaced_msg = false;
  for (const auto& [key, value] : options) {
    Status st;
    if (!TakeCaptureOption(key, value, capture, &replaced_time, &replaced_msg, &st)) st = take(key, value);
    if (!st.ok()) return Status::InvalidArgument(std::string(parser) + ": option '" + key + "': " + st.message());
  }
  return Status::Ok();
}

Made MakeRegex(const ParserOptions& options) {
  RegexOptions o;
  RETURN_IF_ERROR(ReadOptions("regex", options, &o.capture, [&](const std::string&, const std::string& v) {
    o.pattern = v;  // the only other key
    return Status::Ok();
  }));
  return MakeRegexParser(o);
}

Made MakeGrok(const ParserOptions& options) {
  GrokOptions o;
  RETURN_IF_ERROR(ReadOptions("grok", options, &o.capture, [&](const std::string& k, const std::string& v) {
    if (k == "match") o.match.push_back(v);
    else if (k == "patterns_dir") o.pattern_dirs.push_back(v);
    else {  // pattern: "NAME regex"
      size_t sp = v.find(' ');
      if (sp == std::string::npos) return Status::InvalidArgument("expected 'NAME regex'");
      o.patterns.emplace_back(v.substr(0, sp), v.substr(sp + 1));
    }
    return Status::Ok();
  }));
  return MakeGrokParser(o);
}

Made MakeCsv(const ParserOptions& options) {
  CsvOptions o;
  RETURN_IF_ERROR(ReadOptions("csv", options, &o.capture, [&](const std::string& k, const std::string& v) {
    if (k == "header") {
      o.header = v;
    } else {
      if (v != "\\t" && v.size() != 1) return Status::InvalidArgument("expected one character or \\t, got '" + v + "'");
      o.delimiter = v == "\\t" ? '\t' : v[0];
    }
    return Status::Ok();
  }));
  return MakeCsvParser(o);
}

template <auto kMake, auto... kArgs>
Made NoOptions(const ParserOptions&) {
  return Made(kMake(kArgs...));
}

// A parser of fields only (json, logfmt, kv) whose configuration names the fields that hold the
// event's time and message, as Fluent Bit's Time_Key and Filebeat's message_key do: those fields
// become _time and _msg instead of staying fields. The first present one of each wins.
class NamedRoles final : public LineParser {
 public:
  NamedRoles(std::unique_ptr<LineParser> inner, CaptureSink sink) : inner_(std::move(inner)), sink_(std::move(sink)) {}

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    RETURN_IF_ERROR(inner_->Parse(line, ctx, out));
    fields_.swap(out->fields);
    out->fields.clear();
    for (auto& f : fields_) {
      const auto role = sink_.RoleOf(f.name);
      if (role == CaptureSink::Role::kField) {
        out->fields.push_back(std::move(f));
        continue;
      }
      // The value's place in the line, for a time that does not parse (the first occurrence;
      // an escaped JSON string has none).
      size_t at = line.find(f.value);
      RETURN_IF_ERROR(sink_.Add(f.name, role, f.value, at == std::string_view::npos ? 0 : at, ctx, out));
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<LineParser> inner_;
  CaptureSink sink_;
  std::vector<Field> fields_;
};

// Without options the parser gives fields only; with time_field, msg_field or time_format
// (CaptureOptions' defaults for what is not given) it names _time and _msg.
Made WithNamedRoles(std::string_view parser, std::unique_ptr<LineParser> inner, const ParserOptions& options) {
  if (options.empty()) return Made(std::move(inner));
  CaptureOptions capture;
  RETURN_IF_ERROR(ReadOptions(parser, options, &capture, [](const std::string&, const std::string&) {
    return Status::Ok();  // keys were checked: only the capture options reach here
  }));
  auto sink = CaptureSink::Make(parser, capture);
  if (!sink.ok()) return sink.status();
  return Made(std::make_unique<NamedRoles>(std::move(inner), std::move(sink).value()));
}

constexpr std::array kParsers = {
    Entry{"json", kCaptureKeys, [](const ParserOptions& o) { return WithNamedRoles("json", MakeJsonLineParser(), o); }},
    Entry{"logfmt", kCaptureKeys,
          [](const ParserOptions& o) { return WithNamedRoles("logfmt", MakeLogfmtParser(), o); }},
    Entry{"kv", kCaptureKeys, [](const ParserOptions& o) { return WithNamedRoles("kv", MakeKvParser(), o); }},
    Entry{"syslog", kNoKeys, NoOptions<MakeSyslogParser, SyslogFormat::kAuto>},
    Entry{"syslog3164", kNoKeys, NoOptions<MakeSyslogParser, SyslogFormat::kRfc3164>},
    Entry{"syslog5424", kNoKeys, NoOptions<MakeSyslogParser, SyslogFormat::kRfc5424>},
    Entry{"apache_common", kNoKeys, NoOptions<MakeAccessLogParser, AccessLogFormat::kCommon>},
    Entry{"apache_combined", kNoKeys, NoOptions<MakeAccessLogParser, AccessLogFormat::kCombined>},
    Entry{"cri", kNoKeys, NoOptions<MakeCriParser>},
    Entry{"docker", kNoKeys, NoOptions<MakeDockerParser>},
    Entry{"klog", kNoKeys, NoOptions<MakeKlogParser>},
    Entry{"java", kNoKeys, NoOptions<MakeJavaParser>},
    Entry{"python", kNoKeys, NoOptions<MakePythonParser>},
    Entry{"go", kNoKeys, NoOptions<MakeGoParser>},
    Entry{"auto", kNoKeys, NoOptions<MakeAutoParser>},
    Entry{"regex", kRegexKeys, MakeRegex},
    Entry{"grok", kGrokKeys, MakeGrok},
    Entry{"csv", kCsvKeys, MakeCsv},
};

constexpr auto kNames = [] {
  std::array<std::string_view, kParsers.size()> names{};
  for (size_t i = 0; i < kParsers.size(); ++i) names[i] = kParsers[i].name;
  return names;
}();

}  // namespace

Result<std::unique_ptr<LineParser>> MakeLineParser(std::string_view name, const ParserOptions& options) {
  for (const auto& e : kParsers) {
    if (e.name != name) continue;
    for (const auto& [key, value] : options) {
      if (std::find(e.keys.begin(), e.keys.end(), key) != e.keys.end()) continue;
      std::string known;
      for (auto k : e.keys) known += (known.empty() ? "" : ", ") + std::string(k);
      return Status::InvalidArgument("parser '" + std::string(name) + "': unknown option '" + key + "' (" +
                                     (known.empty() ? "it takes none" : "known: " + known) + ")");
    }
    return e.make(options);
  }
  std::string known;
  for (auto n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return Status::InvalidArgument("unknown parser '" + std::string(name) + "' (known: " + known + ")");
}

std::span<const std::string_view> LineParserNames() { return kNames; }

std::span<const std::string_view> LineParserKeys(std::string_view name) {
  for (const auto& e : kParsers)
    if (e.name == name) return e.keys;
  return {};
}

Status LineError(std::string_view parser, size_t offset, std::string_view reason) {
  return Status::InvalidArgument(std::string(parser) + ": column " + std::to_string(offset + 1) + ": " +
                                 std::string(reason));
}

}  // namespace sawlog
