// `auto`: the structured formats tried in a sensible order, each only when the line looks like
// it (a cheap test of its first bytes), falling back to plain text; the format that read the
// line is recorded in a `parser` field.
#include <algorithm>
#include <array>

#include "parse/parsers.h"

namespace sawlog {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool StartsWithMonth(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
                                                               "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "};
  for (auto m : kMonths)
    if (s.starts_with(m)) return true;
  return false;
}

// `I0101 12:00:00.123456 …`
bool LooksLikeKlog(std::string_view s) {
  return s.size() > 6 && (s[0] == 'I' || s[0] == 'W' || s[0] == 'E' || s[0] == 'F') && IsDigit(s[1]) && IsDigit(s[2]) &&
         IsDigit(s[3]) && IsDigit(s[4]) && s[5] == ' ';
}

// `2016-10-06T00:17:09.669794202Z stdout F …`
bool LooksLikeCri(std::string_view s) {
  size_t sp = s.find(' ');
  if (sp < 20 || sp == std::string_view::npos || !IsDigit(s[0]) || s[4] != '-') return false;
  std::string_view rest = s.substr(sp + 1);
  return rest.starts_with("stdout ") || rest.starts_with("stderr ");
}

// An address or host, then ` - ` or ` ident user [`: Apache/nginx access logs.
bool LooksLikeAccessLog(std::string_view s) {
  size_t sp = s.find(' ');
  return sp != std::string_view::npos && sp > 0 && s.find(" [", sp) != std::string_view::npos &&
         s.find("] \"", sp) != std::string_view::npos;
}

// `ERROR:name:`, Python logging's default.
bool LooksLikePythonDefault(std::string_view s) {
  for (std::string_view level : {"DEBUG:", "INFO:", "WARNING:", "ERROR:", "CRITICAL:"})
    if (s.starts_with(level)) return true;
  return false;
}

class AutoParser final : public LineParser {
 public:
  AutoParser()
      : json_(MakeJsonLineParser()),
        syslog_(MakeSyslogParser(SyslogFormat::kAuto)),
        combined_(MakeAccessLogParser(AccessLogFormat::kCombined)),
        common_(MakeAccessLogParser(AccessLogFormat::kCommon)),
        cri_(MakeCriParser()),
        klog_(MakeKlogParser()),
        java_(MakeJavaParser()),
        python_(MakePythonParser()),
        go_(MakeGoParser()),
        logfmt_(MakeLogfmtParser()) {}

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    std::string_view s = line;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    if (s.starts_with('{') && Try("json", *json_, line, ctx, out)) return Status::Ok();
    if (s.size() > 2 && s[0] == '<' && IsDigit(s[1]) && Try("syslog", *syslog_, line, ctx, out)) return Status::Ok();
    if (LooksLikeCri(s) && Try("cri", *cri_, line, ctx, out)) return Status::Ok();
    if (LooksLikeKlog(s) && Try("klog", *klog_, line, ctx, out)) return Status::Ok();
    if (LooksLikeAccessLog(s) &&
        (Try("apache_combined", *combined_, line, ctx, out) || Try("apache_common", *common_, line, ctx, out)))
      return Status::Ok();
    // Application layouts start with their time (or Python's level): each parser is strict about
    // the header after it, so they cannot take each other's lines.
    if (!s.empty() && IsDigit(s[0]) && (Try("java", *java_, line, ctx, out) || Try("python", *python_, line, ctx, out) ||
                                         Try("go", *go_, line, ctx, out)))
      return Status::Ok();
    if (LooksLikePythonDefault(s) && Try("python", *python_, line, ctx, out)) return Status::Ok();
    if (StartsWithMonth(s) && s.substr(4, 4).find(", ") != std::string_view::npos &&  // `Nov 26, 2026`
        Try("java", *java_, line, ctx, out))
      return Status::Ok();
    if (StartsWithMonth(s) && Try("syslog", *syslog_, line, ctx, out)) return Status::Ok();
    // logfmt only when it starts like it (`key=`) and every word is a pair, at least two of
    // them: a sentence with one `=` in it stays text.
    size_t eq = s.find('='), sp = s.find(' ');
    if (eq != std::string_view::npos && eq > 0 && eq < sp && Try("logfmt", *logfmt_, line, ctx, out) &&
        out->fields.size() >= 3 &&
        std::none_of(out->fields.begin(), out->fields.end(), [](const Field& f) { return f.value.empty(); }))
      return Status::Ok();
    out->Clear();
    out->msg = std::string(line);
    out->fields.push_back({"parser", "text"});
    return Status::Ok();
  }

 private:
  static bool Try(std::string_view name, LineParser& p, std::string_view line, const ParseContext& ctx, ParsedLine* out) {
    if (!p.Parse(line, ctx, out).ok()) return false;
    out->fields.push_back({"parser", std::string(name)});
    return true;
  }

  std::unique_ptr<LineParser> json_, syslog_, combined_, common_, cri_, klog_, java_, python_, go_, logfmt_;
};

}  // namespace

std::unique_ptr<LineParser> MakeAutoParser() { return std::make_unique<AutoParser>(); }

}  // namespace sawlog
