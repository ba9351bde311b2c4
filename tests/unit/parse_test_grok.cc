// Grok's backtracker (src/parse/backtracker.h) against the one-RE2 path it replaces: every line
// of the shared access log, the Loghub files and the grok test vectors must give identical
// results — matched or not, and the same fields, time and message.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "parse/parsers.h"
#include "testing/read_lines.h"

namespace sawlog {
namespace {

namespace fs = std::filesystem;
using testing::ReadLines;

const fs::path kShared = SAWLOG_SHARED_DATA_DIR;
const fs::path kPatterns = kShared / "vectors/grok/patterns";

std::vector<std::string> SharedLines() {
  std::vector<std::string> lines = ReadLines(kShared / "access/apache_combined_10k.log");
  for (const auto& system : fs::directory_iterator(kShared / "loghub")) {
    if (!system.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(system.path()))
      if (f.path().extension() == ".log")
        for (auto& l : ReadLines(f.path())) lines.push_back(std::move(l));
  }
  for (auto& l : ReadLines(fs::path(SAWLOG_TEST_DATA) / "parse/grok.test"))
    if (l.starts_with("input ")) lines.push_back(l.substr(6));
  // Lines the backtracker leaves to RE2: longer than its visited bitmap, not ASCII.
  const std::string& access = lines[0];
  lines.push_back(access.substr(0, access.size() - 1) + std::string(20000, 'x') + "\"");
  lines.push_back(access.substr(0, access.size() - 1) + "é\"");
  return lines;
}

// One parser per engine over the same configuration.
struct Engines {
  std::unique_ptr<LineParser> re2, backtracker;
};

Engines Make(GrokOptions options) {
  Engines e;
  options.engine = GrokOptions::Engine::kRe2;
  e.re2 = MakeGrokParser(options).value();
  options.engine = GrokOptions::Engine::kBacktracker;
  if (auto b = MakeGrokParser(options); b.ok()) e.backtracker = std::move(b).value();
  return e;
}

// The number of lines that matched; a test failure for each line the engines disagree on.
int ExpectSame(Engines& e, const std::vector<std::string>& lines, const std::string& what) {
  ParseContext ctx;
  ParsedLine a, b;
  int matched = 0, differ = 0;
  for (const auto& line : lines) {
    Status sa = e.re2->Parse(line, ctx, &a);
    Status sb = e.backtracker->Parse(line, ctx, &b);
    matched += sa.ok();
    if (sa.ok() == sb.ok() && sa.message() == sb.message() && a == b) continue;
    if (++differ <= 3) {
      ADD_FAILURE() << what << ": the engines differ on '" << line << "': RE2 " << sa.ToString() << " with "
                    << a.fields.size() << " fields, backtracker " << sb.ToString() << " with " << b.fields.size()
                    << " fields";
      for (size_t i = 0; i < std::max(a.fields.size(), b.fields.size()); ++i)
        std::printf("  %s=%s | %s=%s\n", i < a.fields.size() ? a.fields[i].name.c_str() : "",
                    i < a.fields.size() ? a.fields[i].value.c_str() : "", i < b.fields.size() ? b.fields[i].name.c_str() : "",
                    i < b.fields.size() ? b.fields[i].value.c_str() : "");
    }
  }
  EXPECT_EQ(differ, 0) << what;
  return matched;
}

// Whole-line patterns of the libraries and the test vectors, over every shared line.
TEST(GrokBacktracker, SameAsRe2OnEverySharedLine) {
  if (!fs::is_directory(kPatterns)) GTEST_SKIP() << kPatterns << " is missing";
  const std::vector<std::string> lines = SharedLines();
  ASSERT_GT(lines.size(), 20000u);
  struct Case {
    std::string lib;
    std::vector<std::pair<std::string, std::string>> patterns;
    std::string match;
  };
  const std::vector<Case> kCases = {
      {"legacy", {}, "%{COMBINEDAPACHELOG}"},
      {"ecs-v1", {}, "%{COMBINEDAPACHELOG}"},
      {"legacy", {}, "%{COMMONAPACHELOG}"},
      {"ecs-v1", {}, "%{HTTPD_ERRORLOG}"},
      {"legacy", {}, "%{SYSLOGLINE}"},
      {"ecs-v1", {}, "%{SYSLOGLINE}"},
      {"legacy", {{"MYLEVEL", "(?:TRACE|DEBUG|INFO|WARN|ERROR)"}}, "%{TIMESTAMP_ISO8601:timestamp} %{MYLEVEL:level} %{GREEDYDATA:message}"},
      {"legacy", {}, "%{DATA:a} %{GREEDYDATA:b}"},
      {"legacy", {}, "%{NOTSPACE:a} %{NOTSPACE:b} %{WORD:c}%{GREEDYDATA:rest}"},
      {"legacy", {}, "%{DATA:pre}%{IP:ip}%{DATA:mid}(?:%{NUMBER:n}|%{QS:q})%{GREEDYDATA:post}"},
      {"legacy", {}, "%{DATA:pre}\\[%{HTTPDATE:t}\\]%{GREEDYDATA:post}"},
      {"legacy", {}, "(?:%{SYSLOGTIMESTAMP:t}|%{TIMESTAMP_ISO8601:t}|%{DATESTAMP:t}) %{GREEDYDATA:m}"},
      {"legacy", {}, "%{DATA:a}(?<num>[0-9]+)?%{LOGLEVEL:level}?%{DATA:b}(?:%{UUID:u}|%{URIPATH:p})?%{GREEDYDATA:z}"},
  };
  for (const auto& c : kCases) {
    GrokOptions options;
    options.pattern_dirs = {(kPatterns / c.lib).string()};
    options.patterns = c.patterns;
    options.match = {c.match};
    Engines e = Make(options);
    ASSERT_TRUE(e.backtracker) << c.lib << " " << c.match << ": beyond the backtracker";
    const int matched = ExpectSame(e, lines, c.lib + " " + c.match);
    std::printf("%s %s: %d of %zu lines match\n", c.lib.c_str(), c.match.c_str(), matched, lines.size());
  }
}

// Every pattern the libraries define, found anywhere in a sample of the lines (a lazy prefix
// before it tries it at every position).
TEST(GrokBacktracker, SameAsRe2ForEveryStandardPattern) {
  if (!fs::is_directory(kPatterns)) GTEST_SKIP() << kPatterns << " is missing";
  // Stride through the shared lines: RE2 with captures is slow, and all patterns × all lines
  // would take minutes.
  constexpr size_t kStride = 97;
  const std::vector<std::string> all = SharedLines();
  std::vector<std::string> lines;
  for (size_t i = 0; i < all.size(); i += kStride) lines.push_back(all[i]);
  // Left to RE2, with the reason.
  const std::set<std::string> kBeyond = {
      "legacy/RAILS3", "legacy/RAILS3HEAD", "ecs-v1/RAILS3", "ecs-v1/RAILS3HEAD",  // the flag (?m)
  };
  int compiled = 0;
  std::set<std::string> refused;
  for (std::string lib : {"legacy", "ecs-v1"}) {
    std::set<std::string> names;
    for (const auto& f : fs::directory_iterator(kPatterns / lib))
      for (const auto& line : ReadLines(f.path())) {
        size_t sp = line.find(' ');
        if (!line.empty() && line[0] != '#' && sp != std::string::npos) names.insert(line.substr(0, sp));
      }
    for (const auto& name : names) {
      GrokOptions options;
      options.pattern_dirs = {(kPatterns / lib).string()};
      options.match = {"%{DATA:pre}%{" + name + ":it}%{GREEDYDATA:post}", "%{" + name + ":whole}"};
      Engines e = Make(options);
      if (!e.backtracker) {
        refused.insert(lib + "/" + name);
        continue;
      }
      ++compiled;
      ExpectSame(e, lines, lib + "/" + name);
    }
  }
  std::printf("%d standard patterns compared, %zu beyond the backtracker\n", compiled, refused.size());
  EXPECT_EQ(refused, kBeyond);
}

// Constructs the backtracker implements, each against RE2 on lines made to exercise them.
TEST(GrokBacktracker, SameAsRe2OnConstructs) {
  const std::vector<std::string> kRegexes = {
      "(?<a>a*?)(?<b>a*)", "(?<a>(?:ab|a)+?)(?<b>b*)", "(?<x>[^\\]\\n-]{2,3})(?<y>.*)", "(?<x>\\w+)\\b(?<y>\\W*)",
      "\\A(?<x>\\d{1,2}?)(?<y>\\d*)\\z", "(?<a>x)?(?<b>(?:x|y){0,2})(?<c>.*)", "(?<a>[[:alpha:][:digit:]]+)(?<b>[\\x20-\\x{7e}]*)",
      "(?:(?<a>a)|(?<a>b))+(?<c>.*)", "(?<a>\\S+)\\s(?<b>\\s*)(?<c>[^\\s]*)", "(?<a>a{2,}b{0,}?)(?<b>.*?)(?<c>\\B.*)",
      // Exponential without visited marks: the quick search gives up and the marked one decides.
      "(?<a>(?:a|a)*)(?<b>b?)", "(?<a>.*?)(?<b>.*?)(?<c>.*?)(?<d>.*?)(?<e>.*?)x",
  };
  const std::vector<std::string> kLines = {"",      "a",     "aa",      "aab",     "abab",    "ab ba", "xxyx",
                                           "12",    "123",   "a b  c",  "a\nb",    "x]y-z",   "é",     "aaaab b",
                                           "ba a",  "~!@ ", "9 9\t9", "aaaabbbc", "-\n--\n", "xyxyxyxy",
                                           std::string(40, 'a') + "c", std::string(300, 'y'), std::string(300, 'y') + "x"};
  for (const auto& re : kRegexes) {
    GrokOptions options;
    options.match = {re};
    Engines e = Make(options);
    ASSERT_TRUE(e.backtracker) << re << ": beyond the backtracker";
    ExpectSame(e, kLines, re);
  }
}

}  // namespace
}  // namespace sawlog
