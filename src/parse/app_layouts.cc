// The text layouts application logging libraries write by default, one parser per language:
//
//   java    Log4j 1/2, Logback and Spring Boot pattern layouts, in the orders they come in:
//             2026-11-26 14:03:07,123 ERROR [main] com.example.App - message      (Log4j)
//             14:03:07.123 [main] INFO  com.example.App - message                 (Logback, Log4j2)
//             2026-11-26 14:03:07.123  INFO 4242 --- [  main] c.e.App  : message  (Spring Boot)
//             17/06/09 20:10:40 INFO executor.Backend: message                    (Spark, Hadoop)
//             2015-07-29 17:41:44,747 - INFO  [thread:Class@774] - message        (ZooKeeper)
//           (Spring Boot 3.2 puts `[application]` before the thread), and java.util.logging's
//           SimpleFormatter, whose two lines a multiline rule joins:
//             Nov 26, 2026 2:03:07 PM com.example.App main\nSEVERE: message
//   python  the logging module's default and its most copied format:
//             ERROR:app.db:message
//             2026-11-26 14:03:07,123 - app.db - ERROR - message
//   go      the standard log package (date, time, optional microseconds and file:line) and zap's
//           console encoder (tab-separated, a JSON object of context last):
//             2026/11/26 14:03:07.123456 main.go:42: message
//             2026-11-26T14:03:07.123Z\tINFO\tpkg/file.go:42\tmessage\t{"k":"v"}
//           (logrus's text format is logfmt: the `logfmt` parser reads it.)
//
// The fields share names across the three and with klog: `severity` (the level in lower case,
// WARN as `warning`), `logger`, `thread.name`, `process.pid`, `code.filepath`, `code.lineno`,
// `code.function`. Times without a zone are read in the context's zone; a time without a date
// (Logback's default) is on the day that puts it at most kMaxTimeOfDayFuture (time_format.h)
// after `now`.
#include <algorithm>
#include <array>
#include <string>

#include "parse/capture.h"
#include "parse/parse.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

// `word` is one of `names` as written (Java and Python print levels in capitals), or in any case.
bool IsOneOf(std::string_view word, std::span<const std::string_view> names, bool any_case = false) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return any_case ? EqualsIgnoreCase(word, n) : word == n; });
}

// The level in lower case, WARN spelled `warning` as klog and syslog spell it.
std::string Severity(std::string_view level) {
  std::string s(level);
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c += 32;
  return s == "warn" ? "warning" : s;
}

// Whether s[pos, pos + n) are digits.
bool DigitsAt(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i)
    if (!IsDigit(s[i])) return false;
  return true;
}

size_t SkipSpaces(std::string_view s, size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  return pos;
}

size_t WordEnd(std::string_view s, size_t pos) {
  while (pos < s.size() && s[pos] != ' ' && s[pos] != '\t' && s[pos] != '\n') ++pos;
  return pos;
}

// `text` (at byte `at` of the line) read by ParseAnyTimestamp or `format`, into out->time.
Status ReadTime(std::string_view parser, std::string_view text, size_t at, const TimeFormat* format,
                const ParseContext& ctx, ParsedLine* out) {
  auto t = format ? format->Parse(text, TimeContextOf(ctx)) : ParseAnyTimestamp(text, TimeContextOf(ctx));
  if (!t.ok()) return LineError(parser, at, t.status().message());
  out->time = t.value().nanos;
  out->time_suspicious = t.value().suspicious;
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------------
// java

constexpr std::string_view kJava = "java";
constexpr std::string_view kJavaLevels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
constexpr std::string_view kJulLevels[] = {"SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER", "FINEST"};
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsLoggerChar(char c) {
  return (c >= 'a' && c <= 'z') || IsUpper(c) || IsDigit(c) || c == '_' || c == '$' || c == '.' || c == '-';
}

class JavaParser final : public LineParser {
 public:
  JavaParser()
      : two_digit_year_(TimeFormat::Compile("%y/%m/%d %H:%M:%S").value()),
        time_of_day_(TimeFormat::Compile("%H:%M:%S").value()),
        time_of_day_dot_(TimeFormat::Compile("%H:%M:%S.%f").value()),
        time_of_day_comma_(TimeFormat::Compile("%H:%M:%S,%f").value()) {}

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    if (line.size() > 4 && line[3] == ' ' && IsOneOf(line.substr(0, 3), kMonths)) return ParseJul(line, ctx, out);
    if (line.empty()) return LineError(kJava, 0, "empty line");
    size_t pos = 0;
    RETURN_IF_ERROR(ReadHeaderTime(line, ctx, &pos, out));
    pos = SkipSpaces(line, pos);
    if (line.substr(pos).starts_with("- ")) pos += 2;  // ZooKeeper's `%d - %p`
    bool level = false, thread = false, logger = false, pid = false;
    for (;;) {
      pos = SkipSpaces(line, pos);
      if (pos >= line.size()) return LineError(kJava, pos, "expected ' - ' or ': ' and the message");
      const char c = line[pos];
      const char next = pos + 1 < line.size() ? line[pos + 1] : ' ';
      if ((c == '-' || c == ':') && (next == ' ' || next == '\n')) {  // ` - msg`, Spring's padded ` : msg`
        if (!level || !(logger || thread))
          return LineError(kJava, pos, "expected the level and the logger or thread before the message");
        return Message(line, pos + 1, out);
      }
      if (line.substr(pos).starts_with("--- ")) {  // Spring Boot: `PID --- [thread] logger : msg`
        pos += 4;
        continue;
      }
      if (c == '[') {
        // Spring Boot 3.2 writes `[application] [thread]`; elsewhere one `[...]` is the thread.
        if (thread && (!pid || logger || out->fields.back().name != "thread.name"))
          return LineError(kJava, pos, "a second '[...]': only Spring Boot's [application] [thread] has two");
        if (thread) out->fields.back().name = "service.name";
        size_t close = pos + 1;
        for (int depth = 1; close < line.size() && line[close] != '\n'; ++close) {
          depth += line[close] == '[' ? 1 : line[close] == ']' ? -1 : 0;
          if (depth == 0) break;
        }
        if (close >= line.size() || line[close] != ']') return LineError(kJava, pos, "no ']' closes the thread name");
        std::string_view name = line.substr(pos + 1, close - pos - 1);
        name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));  // Spring pads it
        out->fields.push_back({"thread.name", std::string(name)});
        thread = true;
        pos = close + 1;
        continue;
      }
      const size_t end = WordEnd(line, pos);
      if (end == pos) return LineError(kJava, pos, "unexpected control character in the header");
      std::string_view word = line.substr(pos, end - pos);
      if (!level && IsOneOf(word, kJavaLevels)) {
        out->fields.push_back({"severity", Severity(word)});
        level = true;
      } else if (level && !logger && !thread && std::all_of(word.begin(), word.end(), IsDigit) &&
                 line.substr(SkipSpaces(line, end)).starts_with("--- ")) {
        out->fields.push_back({"process.pid", std::string(word)});
        pid = true;
      } else if (!logger && !word.empty() && std::all_of(word.begin(), word.end() - (word.back() == ':'), IsLoggerChar) &&
                 word.size() > (word.back() == ':' ? 1u : 0u)) {
        const bool colon = word.back() == ':';  // Spark, Hadoop: `logger: msg`
        out->fields.push_back({"logger", std::string(word.substr(0, word.size() - colon))});
        logger = true;
        if (colon) {
          if (!level) return LineError(kJava, pos, "expected the level before the logger");
          return Message(line, end, out);
        }
      } else {
        return LineError(kJava, pos, "unexpected '" + std::string(word.substr(0, 40)) + "' in the header");
      }
      pos = end;
    }
  }

 private:
  // The message after the separator at `pos` - 1 and one space.
  static Status Message(std::string_view line, size_t pos, ParsedLine* out) {
    if (pos < line.size() && line[pos] == ' ') ++pos;
    out->msg.emplace(line.substr(pos));
    return Status::Ok();
  }

  // `yyyy-MM-dd HH:mm:ss[,.]SSS`, ISO 8601 with `T` and an offset (Spring Boot 3), `yy/MM/dd
  // HH:mm:ss` (Spark's log4j), or `HH:mm:ss.SSS` without a date (Logback).
  Status ReadHeaderTime(std::string_view line, const ParseContext& ctx, size_t* pos, ParsedLine* out) const {
    const size_t first = WordEnd(line, 0);
    if (first >= 10 && DigitsAt(line, 0, 4) && line[4] == '-' && line[7] == '-') {
      const size_t end = first == line.size() || line[10] == 'T' ? first : WordEnd(line, first + 1);
      *pos = end;
      return ReadTime(kJava, line.substr(0, end), 0, nullptr, ctx, out);
    }
    if (first == 8 && DigitsAt(line, 0, 2) && line[2] == '/' && line[5] == '/') {
      *pos = WordEnd(line, first + 1);
      return ReadTime(kJava, line.substr(0, *pos), 0, &two_digit_year_, ctx, out);
    }
    if (first >= 8 && line[2] == ':') {  // TimeFormat puts a time without a date on today or yesterday
      *pos = first;
      const TimeFormat& f = first == 8 ? time_of_day_ : line[8] == ',' ? time_of_day_comma_ : time_of_day_dot_;
      return ReadTime(kJava, line.substr(0, first), 0, &f, ctx, out);
    }
    return LineError(kJava, 0, "expected the time: yyyy-MM-dd HH:mm:ss, yy/MM/dd HH:mm:ss or HH:mm:ss");
  }

  // `Nov 26, 2026 2:03:07 PM source\nLEVEL: message`: source is `class method` or the logger.
  static Status ParseJul(std::string_view line, const ParseContext& ctx, ParsedLine* out) {
    size_t end = 0;
    for (int i = 0; i < 5; ++i) end = WordEnd(line, SkipSpaces(line, end));
    RETURN_IF_ERROR(ReadTime(kJava, line.substr(0, end), 0, nullptr, ctx, out));
    const size_t newline = line.find('\n');
    if (newline == std::string_view::npos)
      return LineError(kJava, line.size(),
                       "expected java.util.logging's second line 'LEVEL: message' (join them with the java multiline rule)");
    std::string_view source = line.substr(SkipSpaces(line, end), newline - SkipSpaces(line, end));
    if (!source.empty() && source.back() == '\r') source.remove_suffix(1);
    const size_t space = source.find(' ');
    out->fields.push_back({"logger", std::string(source.substr(0, space))});
    if (space != std::string_view::npos) out->fields.push_back({"code.function", std::string(source.substr(space + 1))});
    const size_t colon = line.find(": ", newline);
    std::string_view level = line.substr(newline + 1, colon == std::string_view::npos ? 0 : colon - newline - 1);
    if (!IsOneOf(level, kJulLevels))
      return LineError(kJava, newline + 1, "expected the level (SEVERE, WARNING, INFO, CONFIG, FINE...) and ': '");
    out->fields.push_back({"severity", Severity(level)});
    out->msg.emplace(line.substr(colon + 2));
    return Status::Ok();
  }

  TimeFormat two_digit_year_, time_of_day_, time_of_day_dot_, time_of_day_comma_;
};

// ------------------------------------------------------------------------------------------------
// python

constexpr std::string_view kPython = "python";
constexpr std::string_view kPythonLevels[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};

bool IsPythonLevel(std::string_view w) { return IsOneOf(w, kPythonLevels); }

class PythonParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    if (DigitsAt(line, 0, 4)) return ParseAsctime(line, ctx, out);
    // %(levelname)s:%(name)s:%(message)s
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsPythonLevel(line.substr(0, colon)))
      return LineError(kPython, 0, "expected 'LEVEL:name:' or the time and ' - name - LEVEL - '");
    const size_t second = line.find(':', colon + 1);
    std::string_view name = line.substr(colon + 1, second == std::string_view::npos ? 0 : second - colon - 1);
    if (name.empty() || name.find_first_of(" \t\n") != std::string_view::npos)
      return LineError(kPython, colon + 1, "expected the logger name and ':'");
    out->fields.push_back({"severity", Severity(line.substr(0, colon))});
    out->fields.push_back({"logger", std::string(name)});
    out->msg.emplace(line.substr(second + 1));
    return Status::Ok();
  }

 private:
  // %(asctime)s - %(name)s - %(levelname)s - %(message)s
  static Status ParseAsctime(std::string_view line, const ParseContext& ctx, ParsedLine* out) {
    const size_t dash = line.find(" - ");
    const size_t eol = line.find('\n');
    if (dash == std::string_view::npos || dash > eol) return LineError(kPython, 0, "expected the time and ' - '");
    RETURN_IF_ERROR(ReadTime(kPython, line.substr(0, dash), 0, nullptr, ctx, out));
    const size_t name_at = dash + 3;
    const size_t name_end = line.find(" - ", name_at);
    if (name_end == std::string_view::npos || name_end > eol) return LineError(kPython, name_at, "expected the logger name and ' - '");
    const size_t level_at = name_end + 3;
    const size_t level_end = line.find(" - ", level_at);
    if (level_end == std::string_view::npos || !IsPythonLevel(line.substr(level_at, level_end - level_at)))
      return LineError(kPython, level_at, "expected the level (DEBUG, INFO, WARNING, ERROR, CRITICAL) and ' - '");
    out->fields.push_back({"logger", std::string(line.substr(name_at, name_end - name_at))});
    out->fields.push_back({"severity", Severity(line.substr(level_at, level_end - level_at))});
    out->msg.emplace(line.substr(level_end + 3));
    return Status::Ok();
  }
};

// ------------------------------------------------------------------------------------------------
// go

constexpr std::string_view kGo = "go";
constexpr std::string_view kZapLevels[] = {"DEBUG", "INFO", "WARN", "ERROR", "DPANIC", "PANIC", "FATAL"};

// `path/file.go:42` as code.filepath and code.lineno; false when `s` is not one.
bool AddCaller(std::string_view s, ParsedLine* out) {
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon < 4 || s.substr(colon - 3, 3) != ".go" || colon + 1 == s.size() ||
      !std::all_of(s.begin() + colon + 1, s.end(), IsDigit) || s.find(' ') != std::string_view::npos)
    return false;
  out->fields.push_back({"code.filepath", std::string(s.substr(0, colon))});
  out->fields.push_back({"code.lineno", std::string(s.substr(colon + 1))});
  return true;
}

class GoParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    if (!DigitsAt(line, 0, 4) || line.size() < 10) return LineError(kGo, 0, "expected the date yyyy/mm/dd or yyyy-mm-dd");
    if (line[4] == '/') return ParseStdLog(line, ctx, out);
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return LineError(kGo, 0, "expected zap's tab-separated time, level and message");
    return ParseZap(line, tab, ctx, out);
  }

 private:
  // log.LstdFlags [| log.Lmicroseconds] [| log.Lshortfile or log.Llongfile].
  static Status ParseStdLog(std::string_view line, const ParseContext& ctx, ParsedLine* out) {
    if (line.size() < 19 || line[7] != '/' || line[10] != ' ')
      return LineError(kGo, 0, "expected the date and time yyyy/mm/dd hh:mm:ss");
    const size_t end = WordEnd(line, 11);
    RETURN_IF_ERROR(ReadTime(kGo, line.substr(0, end), 0, nullptr, ctx, out));
    size_t pos = end < line.size() && line[end] == ' ' ? end + 1 : end;
    const size_t caller_end = line.find(": ", pos);
    if (caller_end != std::string_view::npos && AddCaller(line.substr(pos, caller_end - pos), out)) pos = caller_end + 2;
    out->msg.emplace(line.substr(pos));
    return Status::Ok();
  }

  // time \t LEVEL [\t logger] [\t caller] \t message [\t {context}], then maybe more lines (a
  // stack trace, a goroutine dump) that belong to the message.
  Status ParseZap(std::string_view text, size_t tab, const ParseContext& ctx, ParsedLine* out) {
    const std::string_view line = text.substr(0, text.find('\n'));
    if (tab > line.size()) return LineError(kGo, 0, "expected zap's tab-separated time, level and message");
    RETURN_IF_ERROR(ReadTime(kGo, line.substr(0, tab), 0, nullptr, ctx, out));
    std::vector<std::string_view> parts;
    for (size_t pos = tab + 1;;) {
      const size_t next = line.find('\t', pos);
      parts.push_back(line.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
      if (next == std::string_view::npos) break;
      pos = next + 1;
    }
    if (!IsOneOf(parts[0], kZapLevels, true)) return LineError(kGo, tab + 1, "expected zap's level (DEBUG, INFO, WARN, ERROR...)");
    out->fields.push_back({"severity", Severity(parts[0])});
    size_t first = 1, last = parts.size();  // the parts after the level: [first, last)
    std::vector<Field> context;
    if (last - first >= 2 && parts[last - 1].starts_with('{') && parts[last - 1].ends_with('}') &&
        json_.ParseObject(parts[last - 1], 0, &context).ok())
      --last;
    if (last - first >= 2 && !AddCaller(parts[first], out)) {
      // A logger name, then maybe the caller.
      const size_t logger_at = out->fields.size();
      if (last - first >= 3 && AddCaller(parts[first + 1], out)) {
        out->fields.insert(out->fields.begin() + logger_at, {"logger", std::string(parts[first])});
        first += 2;
      } else if (last - first == 2) {
        out->fields.push_back({"logger", std::string(parts[first])});
        ++first;
      }
    } else if (last - first >= 2) {
      ++first;  // the caller, added
    }
    if (first == last) return LineError(kGo, line.size(), "expected the message");
    // The message is the rest up to the context: tabs in it are kept.
    const size_t msg_at = static_cast<size_t>(parts[first].data() - line.data());
    const size_t msg_end = static_cast<size_t>(parts[last - 1].data() + parts[last - 1].size() - line.data());
    out->msg.emplace(line.substr(msg_at, msg_end - msg_at));
    out->msg->append(text.substr(line.size()));
    for (auto& f : context) out->fields.push_back(std::move(f));
    return Status::Ok();
  }

  JsonParser json_;
};

}  // namespace

std::unique_ptr<LineParser> MakeJavaParser() { return std::make_unique<JavaParser>(); }
std::unique_ptr<LineParser> MakePythonParser() { return std::make_unique<PythonParser>(); }
std::unique_ptr<LineParser> MakeGoParser() { return std::make_unique<GoParser>(); }

}  // namespace sawlog
