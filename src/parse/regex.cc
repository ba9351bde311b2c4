// A regular expression with named capture groups (RE2 syntax): each group that matched becomes a
// field named as the group; the time and message groups (CaptureOptions) become the event's.
// Oniguruma's and .NET's `(?<name>...)`, which Fluent Bit and Logstash users write, is read as
// RE2's `(?P<name>...)`; `__` in a group name becomes '.' (`(?P<http__method>\S+)` → http.method),
// as RE2 allows only letters, digits and '_' in names. The regex is searched for anywhere in the
// line, as Fluent Bit's; anchor it with ^ and $ to match whole lines.
#include <string>

#include "parse/capture.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

constexpr std::string_view kName = "regex";

// `(?<name>` → `(?P<name>`, outside character classes and escapes.
std::string ToRe2NamedGroups(std::string_view s) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      out += s.substr(i, 2);
      ++i;
      continue;
    }
    if (c == '[') in_class = true;
    else if (c == ']') in_class = false;
    if (!in_class && s.substr(i).starts_with("(?<") && i + 3 < s.size() && s[i + 3] != '=' && s[i + 3] != '!') {
      out += "(?P<";
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string FieldName(const std::string& group) {
  std::string out;
  for (size_t i = 0; i < group.size(); ++i) {
    if (group.compare(i, 2, "__") == 0) {
      out.push_back('.');
      ++i;
    } else {
      out.push_back(group[i]);
    }
  }
  return out;
}

class RegexParser final : public LineParser {
 public:
  RegexParser(CaptureSink sink, RegexProgram program, std::string pattern)
      : sink_(std::move(sink)), program_(std::move(program)), pattern_(std::move(pattern)) {}

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    ASSIGN_OR_RETURN(bool matched, program_.Match(line, ctx, sink_, out));
    if (!matched) return LineError(kName, 0, "the line does not match '" + pattern_.substr(0, 80) + "'");
    return Status::Ok();
  }

 private:
  CaptureSink sink_;
  RegexProgram program_;
  std::string pattern_;
};

}  // namespace

Result<std::unique_ptr<LineParser>> MakeRegexParser(const RegexOptions& options) {
  if (options.pattern.empty()) return Status::InvalidArgument("regex: the 'pattern' option is missing");
  const std::string re2_text = ToRe2NamedGroups(options.pattern);
  ASSIGN_OR_RETURN(CaptureSink sink, CaptureSink::Make(kName, options.capture));
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 probe(re2_text, opts);
  if (!probe.ok())
    return Status::InvalidArgument("regex: bad pattern '" + options.pattern + "': " + probe.error() +
                                   (probe.error_arg().empty() ? "" : " at '" + probe.error_arg() + "'"));
  std::vector<std::string> names(probe.NumberOfCapturingGroups());
  for (const auto& [name, index] : probe.NamedCapturingGroups()) names[index - 1] = FieldName(name);
  if (names.empty() || std::all_of(names.begin(), names.end(), [](const auto& n) { return n.empty(); }))
    return Status::InvalidArgument("regex: pattern '" + options.pattern +
                                   "' has no named group ((?P<name>...) or (?<name>...)): it would give no field");
  ASSIGN_OR_RETURN(RegexProgram program, RegexProgram::Make(kName, re2_text, std::move(names), RE2::UNANCHORED, sink));
  return std::unique_ptr<LineParser>(std::make_unique<RegexParser>(std::move(sink), std::move(program), options.pattern));
}

}  // namespace sawlog
