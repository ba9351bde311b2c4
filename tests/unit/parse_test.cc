// The line parsers: the data-driven cases of tests/data/parse/*.test (format: README.md there),
// the acceptance vectors of ../shared/data (rsyslog's parse1 suite, Fluent Bit's Docker partial
// lines), the partial-line joiner and the registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/timestamp.h"
#include "parse/line_parser.h"
#include "parse/multiline.h"
#include "parse/partial_line_joiner.h"
#include "testing/read_lines.h"

namespace sawlog {
namespace {

namespace fs = std::filesystem;

using testing::ReadLines;

// ---------------------------------------------------------------------------------------------
// tests/data/parse/*.test

// \\, \t, \n, \r and \xHH.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    if (c == 't') out.push_back('\t');
    else if (c == 'n') out.push_back('\n');
    else if (c == 'r') out.push_back('\r');
    else if (c == 'x' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else out.push_back(c);
  }
  return out;
}

struct Case {
  size_t line = 0;
  std::string parser;
  ParserOptions options;
  ParseContext ctx;
  std::string input;
  ParsedLine expected;
  bool expect_error = false;
  std::string error_column;  // "-": the message names no column
  std::string error_text;
};

std::vector<Case> LoadCases(const fs::path& path) {
  std::vector<Case> cases;
  std::string parser = path.stem().string();
  ParserOptions options;
  ParseContext ctx;
  ctx.now = ParseRfc3339("2026-06-15T12:00:00Z").value();
  bool open = false;
  size_t n = 0;
  for (std::string line : ReadLines(path)) {
    ++n;
    if (line.empty()) {
      open = false;
      continue;
    }
    if (line[0] == '#') continue;
    size_t space = line.find(' ');
    std::string directive = line.substr(0, space);
    std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
    if (directive.ends_with("-esc")) {
      directive.resize(directive.size() - 4);
      arg = Unescape(arg);
    }
    auto where = [&] { return path.filename().string() + ":" + std::to_string(n); };
    if (directive == "parser") {
      parser = arg;
      options.clear();
    } else if (directive == "option") {
      size_t eq = arg.find('=');
      EXPECT_NE(eq, std::string::npos) << where();
      std::string value = arg.substr(eq + 1);
      if (value.starts_with("$SHARED/")) value = SAWLOG_SHARED_DATA_DIR + value.substr(7);
      options.emplace_back(arg.substr(0, eq), value);
    } else if (directive == "now") {
      auto t = ParseRfc3339(arg);
      EXPECT_TRUE(t.ok()) << where();
      if (t.ok()) ctx.now = t.value();
    } else if (directive == "offset") {
      // +HH:MM
      EXPECT_EQ(arg.size(), 6u) << where();
      int secs = std::stoi(arg.substr(1, 2)) * 3600 + std::stoi(arg.substr(4, 2)) * 60;
      ctx.utc_offset_seconds = arg[0] == '-' ? -secs : secs;
    } else if (directive == "input") {
      cases.push_back(Case{n, parser, options, ctx, arg, {}, false, "", ""});
      open = true;
    } else if (!open) {
      ADD_FAILURE() << where() << ": '" << directive << "' outside a case";
    } else if (directive == "field") {
      size_t eq = arg.find('=');
      EXPECT_NE(eq, std::string::npos) << where();
      cases.back().expected.fields.push_back({arg.substr(0, eq), arg.substr(eq + 1)});
    } else if (directive == "time") {
      cases.back().expected.time = ParseRfc3339(arg).value();
    } else if (directive == "msg") {
      cases.back().expected.msg = arg;
    } else if (directive == "partial") {
      cases.back().expected.partial = true;
    } else if (directive == "suspicious") {
      cases.back().expected.time_suspicious = true;
    } else if (directive == "error") {
      size_t sp = arg.find(' ');
      cases.back().expect_error = true;
      cases.back().error_column = arg.substr(0, sp);
      cases.back().error_text = sp == std::string::npos ? "" : arg.substr(sp + 1);
    } else {
      ADD_FAILURE() << where() << ": unknown directive '" << directive << "'";
    }
  }
  return cases;
}

std::string Describe(const ParsedLine& p) {
  std::string s;
  for (const auto& f : p.fields) s += "  field " + f.name + "=" + f.value + "\n";
  if (p.time) s += "  time " + FormatRfc3339Nano(*p.time) + "\n";
  if (p.msg) s += "  msg " + *p.msg + "\n";
  if (p.partial) s += "  partial\n";
  if (p.time_suspicious) s += "  suspicious\n";
  return s;
}

class ParseFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseFiles, Run) {
  auto cases = LoadCases(GetParam());
  ASSERT_FALSE(cases.empty());
  std::map<std::string, std::unique_ptr<LineParser>> parsers;
  for (const auto& c : cases) {
    SCOPED_TRACE(fs::path(GetParam()).filename().string() + ":" + std::to_string(c.line) + ": " + c.input);
    std::string key = c.parser;
    for (const auto& [k, v] : c.options) {
      key += "\n" + k + "=" + v;
      if (v.starts_with(SAWLOG_SHARED_DATA_DIR) && !fs::exists(v)) GTEST_SKIP() << v << " is missing";
    }
    auto& parser = parsers[key];
    if (!parser) {
      auto made = MakeLineParser(c.parser, c.options);
      ASSERT_TRUE(made.ok()) << made.status().ToString();
      parser = std::move(made).value();
    }
    ParsedLine got;
    Status st = parser->Parse(c.input, c.ctx, &got);
    if (c.expect_error) {
      ASSERT_FALSE(st.ok()) << "expected an error, got:\n" << Describe(got);
      EXPECT_EQ(st.code(), Code::kInvalidArgument);
      if (c.error_column != "-") {
        EXPECT_NE(st.message().find(": column " + c.error_column + ": "), std::string::npos) << st.message();
      }
      EXPECT_NE(st.message().find(c.error_text), std::string::npos) << st.message();
      continue;
    }
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(Describe(got), Describe(c.expected));
  }
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(SAWLOG_TEST_DATA "/parse"))
    if (entry.path().extension() == ".test") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Data, ParseFiles, ::testing::ValuesIn(TestFiles()),
                         [](const auto& info) { return fs::path(info.param).stem().string(); });

// ---------------------------------------------------------------------------------------------
// ../shared/data/vectors/syslog/rsyslog-parse1: every case.
//
// A .parse1 file holds cases of two lines: the input (after comment lines starting with '#')
// and what rsyslog prints for it with parse1.conf's template
//   %PRI%,%syslogfacility-text%,%syslogseverity-text%,%timestamp%,%hostname%,%programname%,%syslogtag%,%msg%
// The harness prints sawlog's result with the same template:
//   PRI, facility, severity   priority, facility, severity (empty when the line has no PRI)
//   timestamp                 the event time as the sender's wall clock, "Mmm dd hh:mm:ss": the
//                             offset written in an RFC 3339 timestamp, else UTC (the context's)
//   hostname                  hostname; "~H" (rsyslog's placeholder for its own name) when none
//   programname               app_name
//   syslogtag                 app_name[proc_id], plus the ':' that followed the TAG in an RFC 3164
//                             line (sawlog keeps the TAG's parts, not its punctuation)
//   msg                       msg; for RFC 3164 preceded by the space that separated it from the
//                             TAG, which rsyslog keeps in %msg% and sawlog drops
// and escapes control characters as rsyslog does on receipt ('\t' → "#011").

// rsyslog's test driver (nettester.c) unescapes the input: \\, \n, \r, \t and 1-3 digit octal.
std::string NettesterUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out.push_back(s[i++]);
      continue;
    }
    if (++i >= s.size()) break;  // a trailing backslash disappears
    char c = s[i];
    if (c == '\\') out.push_back('\\'), ++i;
    else if (c == 'n') out.push_back('\n'), ++i;
    else if (c == 'r') out.push_back('\r'), ++i;
    else if (c == 't') out.push_back('\t'), ++i;
    else if (c >= '0' && c <= '3') {
      int v = 0;
      for (int k = 0; k < 3 && i < s.size() && s[i] >= '0' && s[i] <= '9'; ++k) v = v * 8 + (s[i++] - '0');
      out.push_back(static_cast<char>(v));
    }
  }
  return out;
}

std::string EscapeControl(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "#%03o", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const std::string* FindField(const ParsedLine& p, std::string_view name) {
  for (const auto& f : p.fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

// The UTC offset an RFC 5424 / RFC 3339 timestamp token ends with, in seconds.
int OffsetOfToken(std::string_view token) {
  if (token.ends_with('Z') || token.size() < 6) return 0;
  std::string_view o = token.substr(token.size() - 6);
  int secs = std::stoi(std::string(o.substr(1, 2))) * 3600 + std::stoi(std::string(o.substr(4, 2))) * 60;
  return o[0] == '-' ? -secs : secs;
}

std::string RenderParse1(std::string_view input, const ParsedLine& p) {
  auto field = [&](std::string_view name) {
    const std::string* v = FindField(p, name);
    return v ? *v : std::string();
  };
  size_t after_pri = input.starts_with('<') ? input.find('>') + 1 : 0;
  const bool rfc5424 = input.substr(after_pri, 2) == "1 ";
  std::string out = field("priority") + "," + field("facility") + "," + field("severity") + ",";
  if (p.time) {
    int offset = 0;
    if (rfc5424) {
      std::string_view token = input.substr(after_pri + 2);
      offset = OffsetOfToken(token.substr(0, token.find(' ')));
    } else if (input.size() > after_pri + 4 && input[after_pri + 4] == '-') {
      std::string_view token = input.substr(after_pri);
      offset = OffsetOfToken(token.substr(0, token.find(' ')));
    }
    std::string iso = FormatRfc3339Nano(*p.time + int64_t{offset} * kNanosPerSecond);
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    out += std::string(kMonths[std::stoi(iso.substr(5, 2)) - 1]) + " " + (iso[8] == '0' ? " " : iso.substr(8, 1)) +
           iso.substr(9, 1) + " " + iso.substr(11, 8);
  }
  out += ",";
  const std::string* host = FindField(p, "hostname");
  out += host ? *host : "~H";
  std::string app = field("app_name");
  std::string tag = app;
  if (const std::string* pid = FindField(p, "proc_id")) tag += "[" + *pid + "]";
  if (!rfc5424 && !tag.empty() && input.find(tag + ":") != std::string_view::npos) tag += ":";
  out += "," + EscapeControl(app) + "," + EscapeControl(tag) + ",";
  std::string msg = p.msg.value_or("");
  size_t msg_at = input.size() - msg.size();
  if (!rfc5424 && !msg.empty() && msg_at > 0 && input[msg_at - 1] == ' ') msg = " " + msg;
  return out + EscapeControl(msg);
}

// Where sawlog parses differently from rsyslog on purpose: in case `case_number` (1-based, in file
// order) of `file`, rsyslog's output holds `rsyslog`, and sawlog's holds `sawlog` there instead.
struct Difference {
  std::string_view file;
  int case_number;
  std::string_view rsyslog;
  std::string_view sawlog;
  std::string_view reason;
};

constexpr std::string_view kNoPri =
    "no PRI: rsyslog fills in 13 (user.notice) as RFC 3164 4.3.3 asks of a relay; sawlog reads files "
    "such as auth.log that never have one, where a made-up facility and severity would mislead, so "
    "it leaves priority, facility and severity out";
constexpr std::string_view kProgramName5424 =
    "RFC 5424: rsyslog fills %programname% only from an RFC 3164 TAG; sawlog's app_name is the "
    "APP-NAME, the same field for both formats";

constexpr Difference kDifferences[] = {
    {"mark.parse1", 2, "13,user,notice,", ",,,", kNoPri},
    {"snare.parse1", 2, "13,user,notice,", ",,,", kNoPri},
    {"rfc5424-1.parse1", 1, "mymachine.example.com,,su,", "mymachine.example.com,su,su,", kProgramName5424},
    {"rfc5424-2.parse1", 1, "192.0.2.1,,myproc[8710],", "192.0.2.1,myproc,myproc[8710],", kProgramName5424},
    {"rfc5424-3.parse1", 1, "mymachine.example.com,,evntslog,", "mymachine.example.com,evntslog,evntslog,",
     kProgramName5424},
    {"rfc5424-4.parse1", 1, "mymachine.example.com,,evntslog,", "mymachine.example.com,evntslog,evntslog,",
     kProgramName5424},
};

TEST(RsyslogParse1, EveryCase) {
  const fs::path dir = SAWLOG_SHARED_DATA_DIR "/vectors/syslog/rsyslog-parse1";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is missing";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".parse1") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u);

  auto parser = MakeLineParser("syslog").value();
  ParseContext ctx;
  ctx.now = ParseRfc3339("2026-11-26T12:00:00Z").value();
  int cases = 0, same = 0;
  std::set<std::pair<std::string, int>> differences_seen;
  for (const auto& path : files) {
    std::vector<std::string> lines = ReadLines(path);
    int case_number = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].starts_with('#')) continue;
      ASSERT_LT(i + 1, lines.size()) << path << ": input without an expected line";
      const std::string input = NettesterUnescape(lines[i]);
      std::string expected = lines[++i];
      ++case_number;
      ++cases;
      const std::string file = path.filename().string();
      SCOPED_TRACE(file + " case " + std::to_string(case_number) + ": " + input);
      for (const auto& d : kDifferences) {
        if (d.file != file || d.case_number != case_number) continue;
        size_t at = expected.find(d.rsyslog);
        ASSERT_NE(at, std::string::npos) << "the listed difference is not in rsyslog's output";
        expected.replace(at, d.rsyslog.size(), d.sawlog);
        differences_seen.insert({file, case_number});
      }
      ParsedLine got;
      Status st = parser->Parse(input, ctx, &got);
      ASSERT_TRUE(st.ok()) << st.ToString();
      std::string rendered = RenderParse1(input, got);
      EXPECT_EQ(rendered, expected);
      if (rendered == expected && !differences_seen.contains({file, case_number})) ++same;
    }
  }
  EXPECT_EQ(differences_seen.size(), std::size(kDifferences)) << "a listed difference matched no case";
  std::printf("rsyslog parse1: %d cases, %d as rsyslog, %zu listed differences\n", cases, same,
              differences_seen.size());
  EXPECT_GE(cases, 45);
}

// ---------------------------------------------------------------------------------------------
// ../shared/data/containers/dockermode: Docker lines split into partial records. The folder has
// no expected output; these are the application's lines as the splits add up.

TEST(DockerMode, PartialLinesJoined) {
  const fs::path dir = SAWLOG_SHARED_DATA_DIR "/containers/dockermode";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is missing";
  const std::vector<std::string> bullets = {"2020-03-24 Multiple lines: ", "first bullet point", "second bullet point",
                                            "third bullet point", "fourth bullet point", "2020-03-24 Single line"};
  std::vector<std::string> first_line_detection = {"Single log", "Second log", "Third log"};
  first_line_detection.insert(first_line_detection.end(), bullets.begin(), bullets.end());
  const std::map<std::string, std::vector<std::string>> expected = {
      {"dockermode.log", {"Single log", "Second log", "Third log"}},
      {"dockermode_firstline_detection.log", first_line_detection},
      {"dockermode_multiple_lines.log", bullets},
      {"dockermode_splitted_line.log", {"2020-03-24 Single line", "2020-03-24 Another single line"}},
      {"dockermode_splitted_multiple_lines.log", bullets},
  };
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".log") continue;
    ++files;
    SCOPED_TRACE(name);
    auto want = expected.find(name);
    ASSERT_NE(want, expected.end()) << "a new file: add its expected lines here";
    auto parser = MakeLineParser("docker").value();
    PartialLineJoiner joiner;
    std::vector<ParsedLine> events;
    for (const auto& line : ReadLines(e.path())) {
      ParsedLine parsed;
      ASSERT_TRUE(parser->Parse(line, {}, &parsed).ok()) << line;
      joiner.Add(std::move(parsed), &events);
    }
    EXPECT_EQ(joiner.held_bytes(), 0u);
    joiner.Flush(&events);
    std::vector<std::string> got;
    for (const auto& ev : events) {
      EXPECT_FALSE(ev.partial);
      got.push_back(ev.msg.value_or("<no msg>"));
    }
    EXPECT_EQ(got, want->second);
  }
  EXPECT_EQ(files, expected.size());
}

// ---------------------------------------------------------------------------------------------
// PartialLineJoiner

ParsedLine Piece(std::string stream, std::string msg, bool partial, int64_t time = 0) {
  ParsedLine p;
  p.fields.push_back({"stream", std::move(stream)});
  p.msg = std::move(msg);
  p.partial = partial;
  p.time = time;
  return p;
}

TEST(PartialLineJoiner, JoinsPerStreamAndKeepsTheFirstPiecesTime) {
  PartialLineJoiner joiner;
  std::vector<ParsedLine> out;
  joiner.Add(Piece("stdout", "hel", true, 1), &out);
  joiner.Add(Piece("stderr", "err", true, 2), &out);
  joiner.Add(Piece("stdout", "lo", false, 3), &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].msg, "hello");
  EXPECT_EQ(out[0].time, 1);
  EXPECT_FALSE(out[0].partial);
  EXPECT_EQ(joiner.held_bytes(), 3u);
  joiner.Add(Piece("stderr", "or", false, 4), &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].msg, "error");
  EXPECT_EQ(out[1].fields, (std::vector<Field>{{"stream", "stderr"}}));
}

TEST(PartialLineJoiner, SizeLimitEmitsWhatIsHeldWithoutLosingBytes) {
  PartialLineJoiner joiner(8);
  std::vector<ParsedLine> out;
  joiner.Add(Piece("stdout", "aaaa", true), &out);
  joiner.Add(Piece("stdout", "bbbb", true), &out);
  EXPECT_TRUE(out.empty());
  joiner.Add(Piece("stdout", "cc", false), &out);  // 10 bytes > 8: "aaaabbbb" goes alone
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].msg, "aaaabbbb");
  EXPECT_EQ(out[0].fields.back(), (Field{"partial", "true"}));
  EXPECT_EQ(out[1].msg, "cc");
  EXPECT_EQ(joiner.held_bytes(), 0u);
  joiner.Add(Piece("stdout", "0123456789", true), &out);  // one piece over the limit: emitted as is
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].msg, "0123456789");
}

TEST(PartialLineJoiner, FlushEmitsHeldPieces) {
  PartialLineJoiner joiner;
  std::vector<ParsedLine> out;
  joiner.Add(Piece("stdout", "no end", true), &out);
  joiner.Flush(&out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].msg, "no end");
  EXPECT_EQ(out[0].fields.back(), (Field{"partial", "true"}));
  EXPECT_EQ(joiner.held_bytes(), 0u);
}

TEST(PartialLineJoiner, CriPiecesFromTheParser) {
  auto cri = MakeLineParser("cri").value();
  PartialLineJoiner joiner;
  std::vector<ParsedLine> out;
  for (std::string_view line : {"2026-01-01T00:00:00.000000001Z stdout P {\"a\":", "2026-01-01T00:00:00.5Z stdout P 1",
                                "2026-01-01T00:00:01Z stdout F }"}) {
    ParsedLine p;
    ASSERT_TRUE(cri->Parse(line, {}, &p).ok()) << line;
    joiner.Add(std::move(p), &out);
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].msg, "{\"a\":1}");
  EXPECT_EQ(out[0].time, ParseRfc3339("2026-01-01T00:00:00.000000001Z").value());
}

// ---------------------------------------------------------------------------------------------
// MultilineJoiner

void ExpectMessage(const Status& st, std::string_view text) {
  EXPECT_NE(st.message().find(text), std::string::npos) << "'" << text << "' not in: " << st.message();
}

std::unique_ptr<MultilineJoiner> Joiner(MultilineRule rule, size_t max_bytes = kDefaultMaxMultilineBytes) {
  MultilineOptions o;
  o.rule = std::move(rule);
  o.max_bytes = max_bytes;
  o.flush_timeout = 5 * kNanosPerSecond;
  auto j = MultilineJoiner::Make(o);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return std::move(j).value();
}

std::vector<std::string> JoinAll(MultilineJoiner* j, const std::vector<std::string>& lines) {
  std::vector<MultilineEvent> events;
  for (const auto& l : lines) j->Add(l, 0, &events);
  j->FlushAll(&events);
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.text + (e.truncated ? " <truncated>" : ""));
  return out;
}

TEST(Multiline, StartPatternAndBuiltinRules) {
  auto by_start = Joiner({R"(^\d{4}-)", ""});
  EXPECT_EQ(JoinAll(by_start.get(), {"2026-01-01 a", "  more", "x", "2026-01-02 b"}),
            (std::vector<std::string>{"2026-01-01 a\n  more\nx", "2026-01-02 b"}));
  auto python = Joiner(BuiltinMultilineRule("python").value());
  EXPECT_EQ(JoinAll(python.get(), {"ERROR:root:failed", "Traceback (most recent call last):",
                                   "  File \"a.py\", line 1, in <module>", "    f()", "ValueError: bad",
                                   "INFO:root:next"}),
            (std::vector<std::string>{
                "ERROR:root:failed\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    f()\n"
                "ValueError: bad",
                "INFO:root:next"}));
  auto go = Joiner(BuiltinMultilineRule("go").value());
  EXPECT_EQ(JoinAll(go.get(), {"panic: boom", "", "goroutine 1 [running]:", "main.main()", "\t/tmp/x.go:8 +0x1d",
                               "exit status 2", "next run"}),
            (std::vector<std::string>{"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:8 +0x1d\nexit status 2",
                                      "next run"}));
  ExpectMessage(BuiltinMultilineRule("cobol").status(), "unknown built-in rule 'cobol' (known: java, python, go)");
  ExpectMessage(MultilineJoiner::Make({{"(", ""}}).status(), "bad start pattern '('");
  ExpectMessage(MultilineJoiner::Make({{"a", "b"}}).status(), "exactly one");
}

TEST(Multiline, FlushTimeoutIsTheCallersClock) {
  auto j = Joiner(BuiltinMultilineRule("java").value());
  std::vector<MultilineEvent> out;
  j->Add("first", 10 * kNanosPerSecond, &out);
  j->Add("\tat x", 11 * kNanosPerSecond, &out);
  j->Flush(15 * kNanosPerSecond, &out);  // 4 s after the last line: held
  EXPECT_TRUE(out.empty());
  j->Flush(16 * kNanosPerSecond, &out);  // 5 s: out
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "first\n\tat x");
  EXPECT_EQ(j->held_bytes(), 0u);
}

TEST(Multiline, MaximumSizeTruncatesWithoutLosingBytes) {
  auto j = Joiner(BuiltinMultilineRule("java").value(), 10);
  EXPECT_EQ(JoinAll(j.get(), {"head", "\tat 1234567", "next"}),
            (std::vector<std::string>{"head\n\tat 1 <truncated>", "234567", "next"}));
}

// The app layouts after their language's multiline rule: each record, stack trace included, is
// one event whose header is parsed and whose message keeps the trace.
TEST(Multiline, AppLayoutsParseTheJoinedEvents) {
  struct Case {
    std::string_view rule;
    std::vector<std::string> lines;
    std::vector<std::string> severities;  // of each event, in order
    std::string last_msg;                 // the message of the last event
  };
  const Case cases[] = {
      {"java",
       {"2026-11-26 14:03:07,123 ERROR [main] com.example.App - Request failed",
        "java.lang.IllegalStateException: pool closed", "\tat com.example.Pool.get(Pool.java:42)",
        "\t... 3 more", "Caused by: java.io.IOException: broken pipe", "\tat com.example.Net.write(Net.java:7)",
        "2026-11-26 14:03:08,001 INFO  [main] com.example.App - Retrying",
        "Nov 26, 2026 2:03:09 PM com.example.Jul connect", "WARNING: Slow: 2 s",
        "java.net.SocketTimeoutException: read timed out", "\tat java.base/java.net.Socket.read(Socket.java:1)"},
       {"error", "info", "warning"},
       "Slow: 2 s\njava.net.SocketTimeoutException: read timed out\n\tat java.base/java.net.Socket.read(Socket.java:1)"},
      {"python",
       {"2026-11-26 14:03:07,123 - app - ERROR - Request failed", "Traceback (most recent call last):",
        "  File \"app.py\", line 3, in <module>", "    1 / 0", "ZeroDivisionError: division by zero",
        "WARNING:app.db:Slow query"},
       {"error", "warning"},
       "Slow query"},
      {"go",
       {"2026/11/26 14:03:07 main.go:12: starting", "2026-11-26T14:03:07.123Z\tERROR\tmain.go:20\tpanic ahead",
        "goroutine 1 [running]:", "main.main()", "\t/src/main.go:20 +0x1d"},
       {"", "error"},
       "panic ahead\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:20 +0x1d"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rule);
    auto joiner = Joiner(BuiltinMultilineRule(c.rule).value());
    const std::vector<std::string> events = JoinAll(joiner.get(), c.lines);
    ASSERT_EQ(events.size(), c.severities.size());
    auto parser = MakeLineParser(c.rule).value();
    ParseContext ctx{.now = ParseRfc3339("2026-11-26T15:00:00Z").value()};
    ParsedLine parsed;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_TRUE(parser->Parse(events[i], ctx, &parsed).ok()) << events[i];
      std::string severity;
      for (const auto& f : parsed.fields)
        if (f.name == "severity") severity = f.value;
      EXPECT_EQ(severity, c.severities[i]) << events[i];
    }
    EXPECT_EQ(parsed.msg, c.last_msg);
  }
}

// ../shared/data/multiline/kafka: with the built-in java rule every stack trace is inside the
// event of the log record it belongs to: the events are exactly the records, which start with
// "[20" in the broker logs.
TEST(Multiline, KafkaStackTracesAreOneEventEach) {
  const fs::path dir = SAWLOG_SHARED_DATA_DIR "/multiline/kafka";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is missing";
  size_t files = 0, traces = 0, events_total = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    SCOPED_TRACE(name);
    ++files;
    auto j = Joiner(BuiltinMultilineRule("java").value());
    const auto lines = ReadLines(e.path());
    const auto events = JoinAll(j.get(), lines);
    events_total += events.size();
    for (const auto& ev : events) {
      ASSERT_FALSE(ev.starts_with("\tat ") || ev.starts_with("Caused by:") || ev.starts_with("\t...")) << ev;
      if (ev.find("\n\tat ") != std::string::npos) ++traces;
    }
    if (name.starts_with("kafkaServer-gc")) continue;  // the GC log's records have their own shape
    size_t records = std::count_if(lines.begin(), lines.end(), [](const auto& l) { return l.starts_with("[20"); });
    EXPECT_EQ(events.size(), records);
    for (const auto& ev : events) EXPECT_TRUE(ev.starts_with("[20")) << ev.substr(0, 200);
  }
  EXPECT_EQ(files, 26u);
  EXPECT_GT(traces, 40u);
  std::printf("kafka multiline: %zu files, %zu events, %zu with a stack trace\n", files, events_total, traces);
}

// ---------------------------------------------------------------------------------------------
// Registry

TEST(LineParserRegistry, EveryNameMakesAParserAndUnknownNamesAreRefused) {
  EXPECT_EQ(LineParserNames().size(), 18u);
  for (auto name : LineParserNames()) {
    auto made = MakeLineParser(name);
    if (name != "regex" && name != "grok") {
      EXPECT_TRUE(made.ok()) << name;
    } else {  // regex and grok have no default pattern
      ASSERT_FALSE(made.ok()) << name;
      EXPECT_NE(made.status().message().find("option is missing"), std::string::npos) << made.status().message();
    }
  }
  auto bad = MakeLineParser("sislog");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("syslog3164"), std::string::npos) << "lists the known names";
}

Status MakeError(std::string_view name, const ParserOptions& options) {
  auto made = MakeLineParser(name, options);
  EXPECT_FALSE(made.ok()) << name;
  if (!made.ok()) EXPECT_EQ(made.status().code(), Code::kInvalidArgument);
  return made.ok() ? Status::Ok() : made.status();
}

TEST(LineParserRegistry, UserErrorsNameWhatAndWhere) {
  ExpectMessage(MakeError("json", {{"pattern", "x"}}),
                "parser 'json': unknown option 'pattern' (known: time_field, time_format, msg_field)");
  ExpectMessage(MakeError("syslog", {{"pattern", "x"}}), "parser 'syslog': unknown option 'pattern' (it takes none)");
  ExpectMessage(MakeError("json", {{"time_format", "%Q"}}), "json: option 'time_format'");
  ExpectMessage(MakeError("regex", {{"patern", "x"}}), "unknown option 'patern' (known: pattern,");
  ExpectMessage(MakeError("regex", {{"pattern", "(?P<a>x"}}), "regex: bad pattern '(?P<a>x': missing ): (?P<a>x");
  ExpectMessage(MakeError("regex", {{"pattern", "x+"}}), "has no named group");
  ExpectMessage(MakeError("regex", {{"pattern", "(?P<a>x)"}, {"time_format", "%Q"}}),
                "regex: option 'time_format': time format '%Q': column 1: unknown directive '%Q'");
  ExpectMessage(MakeError("grok", {{"match", "%{NOPE:x}"}}), "grok: match '%{NOPE:x}': unknown pattern 'NOPE'");
  ExpectMessage(MakeError("grok", {{"pattern", "A x%{B}"}, {"pattern", "B %{NOPE}"}, {"match", "%{A}"}}),
                "unknown pattern 'NOPE' (in pattern B in A)");
  ExpectMessage(MakeError("grok", {{"pattern", "A x%{B}"}, {"pattern", "B y%{A}"}, {"match", "%{A:a}"}}),
                "cycle: A → B → A");
  ExpectMessage(MakeError("grok", {{"pattern", "A [a-"}, {"match", "%{A}"}}), "unterminated '['");
  ExpectMessage(MakeError("grok", {{"pattern", "A (x"}, {"match", "%{A}"}}), "grok: match '%{A}': grok: bad regex: missing )");
  ExpectMessage(MakeError("grok", {{"pattern", "a-b x"}, {"match", "x"}}), "bad pattern name 'a-b'");
  ExpectMessage(MakeError("csv", {{"header", "a,\"b"}}), "csv: option 'header': csv: column 3: no closing '\"'");
  ExpectMessage(MakeError("csv", {{"delimiter", ";;"}}), "csv: option 'delimiter': expected one character");
  ExpectMessage(MakeError("grok", {{"patterns_dir", "/nonexistent/dir"}, {"match", "x"}}),
                "cannot read the pattern directory '/nonexistent/dir'");
}

// Every file of both standard libraries expands, and every pattern the libraries define compiles
// to an RE2 (through the rewrites of grok.cc), except those listed with their reason.
TEST(Grok, EveryStandardPatternCompiles) {
  const fs::path root = SAWLOG_SHARED_DATA_DIR "/vectors/grok/patterns";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is missing";
  // Oniguruma constructs RE2 cannot express and grok.cc does not rewrite.
  const std::set<std::string> kUnsupported = {};
  int compiled = 0;
  for (std::string lib : {"legacy", "ecs-v1"}) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(root / lib)) {
      for (const auto& line : ReadLines(e.path())) {
        size_t sp = line.find(' ');
        if (line.empty() || line[0] == '#' || sp == std::string::npos) continue;
        names.insert(line.substr(0, sp));
      }
    }
    ASSERT_GT(names.size(), 100u) << lib;
    for (const auto& name : names) {
      if (kUnsupported.contains(lib + "/" + name)) continue;
      auto made = MakeLineParser("grok", {{"patterns_dir", (root / lib).string()}, {"match", "%{" + name + "}"}});
      EXPECT_TRUE(made.ok()) << lib << "/" << name << ": " << made.status().ToString();
      compiled += made.ok();
    }
  }
  std::printf("grok: %d standard patterns compiled\n", compiled);
}

// The JSON adapter gives exactly JsonParser's fields.
TEST(LineParserRegistry, JsonIsJsonParser) {
  auto json = MakeLineParser("json").value();
  ParsedLine p;
  ASSERT_TRUE(json->Parse(R"({"a":{"b":1},"_msg":"x"})", {}, &p).ok());
  EXPECT_EQ(p.fields, (std::vector<Field>{{"a.b", "1"}, {"_msg", "x"}}));
  EXPECT_FALSE(p.msg);
  EXPECT_FALSE(p.time);
}

}  // namespace
}  // namespace sawlog
