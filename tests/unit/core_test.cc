#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include "core/coding.h"
#include "core/event.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "core/timestamp.h"
#include "core/tokenizer.h"

namespace sawlog {
namespace {

TEST(Status, EveryCodeHasOneHttpStatus) {
  EXPECT_EQ(HttpStatus(Code::kOk), 200);
  EXPECT_EQ(HttpStatus(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatus(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatus(Code::kTooLarge), 413);
  EXPECT_EQ(HttpStatus(Code::kUnsupported), 415);
  EXPECT_EQ(HttpStatus(Code::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatus(Code::kCorruption), 500);
  EXPECT_EQ(HttpStatus(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatus(Code::kNoSpace), 507);
}

TEST(Status, AnnotateKeepsCodeAndAddsContext) {
  Status st = Status::Corruption("checksum mismatch").Annotate("wal 1.wal offset 24");
  EXPECT_EQ(st.code(), Code::kCorruption);
  EXPECT_EQ(st.message(), "wal 1.wal offset 24: checksum mismatch");
  EXPECT_TRUE(Status::Ok().Annotate("x").ok());
}

TEST(Status, ErrnoDiskFullIsNoSpace) {
  EXPECT_EQ(Status::FromErrno(ENOSPC, "write", "/x").code(), Code::kNoSpace);
  EXPECT_EQ(Status::FromErrno(ENOENT, "open", "/x").code(), Code::kNotFound);
  EXPECT_EQ(Status::FromErrno(EACCES, "open", "/x").code(), Code::kIOError);
}

TEST(Coding, VarintsRoundTrip) {
  std::string buf;
  const int64_t values[] = {0, 1, -1, 127, 128, -129, INT64_MAX, INT64_MIN, 1'700'000'000'000'000'000};
  for (int64_t v : values) PutVarsint64(&buf, v);
  PutLengthPrefixed(&buf, "hello");
  Decoder in(buf);
  for (int64_t v : values) {
    int64_t got;
    ASSERT_TRUE(in.GetVarsint64(&got));
    EXPECT_EQ(got, v);
  }
  std::string s;
  ASSERT_TRUE(in.GetLengthPrefixed(&s));
  EXPECT_EQ(s, "hello");
  EXPECT_TRUE(in.empty());
  uint64_t extra;
  EXPECT_FALSE(in.GetVarint64(&extra));
}

TEST(Coding, TruncatedInputFails) {
  std::string buf;
  PutLengthPrefixed(&buf, "abcdef");
  buf.resize(4);
  Decoder in(buf);
  std::string_view s;
  EXPECT_FALSE(in.GetLengthPrefixed(&s));
}

TEST(Tokenizer, SplitsOnNonWordBytesAndFoldsCase) {
  EXPECT_EQ(Tokenize("GET /index.html HTTP/1.1"), (std::vector<std::string>{"get", "index", "html", "http", "1", "1"}));
  EXPECT_EQ(Tokenize("user_id=42, café ÉTÉ"), (std::vector<std::string>{"user_id", "42", "café", "ÉtÉ"}));  // only ASCII is folded
  EXPECT_TRUE(Tokenize("  --- ").empty());
  EXPECT_TRUE(TokenEquals("ERROR", "error"));
  EXPECT_FALSE(TokenEquals("errors", "error"));
  EXPECT_TRUE(TokenHasPrefix("Errors", "err"));
}

TEST(Tokenizer, FoldedTokensAreTheTokensFolded) {
  // Every byte value, and a token longer than the folding buffer on the stack.
  std::string text;
  for (int c = 255; c >= 0; --c) text += static_cast<char>(c);
  text += " " + std::string(300, 'Q') + "x-" + std::string(256, 'b');
  std::vector<std::string> expected;
  ForEachToken(text, [&](std::string_view t) {
    std::string s(t);
    for (char& c : s) c = FoldCase(c);
    expected.push_back(s);
  });
  EXPECT_EQ(Tokenize(text), expected);
  EXPECT_EQ(expected.size(), 7u);
}

// Texts of every length around the tokenizer's 64-byte windows, at every alignment, of bytes of
// each kind (separators, lower and capital letters, digits, '_', bytes >= 0x80).
TEST(Tokenizer, FoldsTokensAcrossItsWindows) {
  std::mt19937 rnd(3);
  const std::string kinds[] = {std::string(" .-=\t\n\0", 7), "abcxyz", "ABCXYZ", "0189", "_", "\x80\xc3\xa9\xff",
                               "@[`{"};
  for (int round = 0; round < 3000; ++round) {
    const size_t size = rnd() % 300, offset = rnd() % 16;
    std::string buffer(offset, 'x');
    for (size_t i = 0; i < size; ++i) {
      // Some rounds are long runs of token bytes, a separator only now and then.
      const std::string& kind = round % 3 == 0 && rnd() % 20 != 0 ? kinds[1 + rnd() % 5] : kinds[rnd() % 7];
      buffer += kind[rnd() % kind.size()];
    }
    // In an allocation of its exact size, so that the sanitizer build sees any read past it.
    auto exact = std::make_unique<char[]>(buffer.size());
    std::memcpy(exact.get(), buffer.data(), buffer.size());
    const std::string_view text = std::string_view(exact.get(), buffer.size()).substr(offset);
    // A byte at a time, as the rules say.
    std::vector<std::string> expected, folded, got, got_folded;
    for (size_t i = 0; i < text.size();) {
      size_t end = i;
      while (end < text.size() && IsTokenByte(static_cast<unsigned char>(text[end]))) ++end;
      if (end > i) {
        expected.emplace_back(text.substr(i, end - i));
        folded.push_back(expected.back());
        for (char& c : folded.back()) c = FoldCase(c);
      }
      i = end + (end == i);
    }
    ForEachToken(text, [&](std::string_view t) { got.emplace_back(t); });
    ForEachFoldedToken(text, [&](std::string_view t) { got_folded.emplace_back(t); });
    ASSERT_EQ(got, expected) << "round " << round;
    ASSERT_EQ(got_folded, folded) << "round " << round;
  }
}

TEST(Event, CanonicalStreamSortsAndEscapes) {
  EXPECT_EQ(CanonicalStream({}), "{}");
  EXPECT_EQ(CanonicalStream({{"service", "api"}, {"host", "a\"b"}}), "{host=\"a\\\"b\",service=\"api\"}");
}

TEST(Event, TenantNames) {
  EXPECT_TRUE(IsValidTenant("default"));
  EXPECT_TRUE(IsValidTenant("team-a_1"));
  EXPECT_FALSE(IsValidTenant(""));
  EXPECT_FALSE(IsValidTenant("../etc"));
  EXPECT_FALSE(IsValidTenant(std::string(65, 'a')));
}

TEST(JsonWriter, EscapesAndRepairsUtf8) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\n\x01 é \xff");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001 é \xef\xbf\xbd\"");
}

// tests/data/timestamps.tsv: input <TAB> expected instant (RFC 3339, nanoseconds) or "error".
TEST(Timestamp, Table) {
  std::ifstream in(SAWLOG_TEST_DATA "/timestamps.tsv");
  ASSERT_TRUE(in) << "missing " SAWLOG_TEST_DATA "/timestamps.tsv";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    std::string input = line.substr(0, tab), expected = line.substr(tab + 1);
    auto got = ParseTimestamp(input);
    if (expected == "error") {
      EXPECT_FALSE(got.ok()) << input << " parsed as " << FormatRfc3339Nano(got.value());
    } else {
      ASSERT_TRUE(got.ok()) << input << ": " << got.status().ToString();
      EXPECT_EQ(FormatRfc3339Nano(got.value()), expected) << input;
    }
    ++cases;
  }
  EXPECT_GT(cases, 20);
}

TEST(Timestamp, FormatParsesBack) {
  for (int64_t t : {int64_t{0}, int64_t{-1}, int64_t{1'700'000'000'123'456'789}, int64_t{-86'400'000'000'001}}) {
    auto back = ParseRfc3339(FormatRfc3339Nano(t));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), t);
  }
}

TEST(Timestamp, Durations) {
  EXPECT_EQ(ParseDuration("5m").value(), 300 * kNanosPerSecond);
  EXPECT_EQ(ParseDuration("1h30m").value(), 5400 * kNanosPerSecond);
  EXPECT_EQ(ParseDuration("250ms").value(), 250'000'000);
  EXPECT_EQ(ParseDuration("7d").value(), 7 * 86400 * kNanosPerSecond);
  EXPECT_FALSE(ParseDuration("5").ok());
  EXPECT_FALSE(ParseDuration("5x").ok());
  EXPECT_FALSE(ParseDuration("").ok());
}

// Year-less timestamps take the year that puts them at most a month after "now".
TEST(Timestamp, Rfc3164YearInference) {
  const int64_t new_year = ParseRfc3339("2027-01-01T00:00:10Z").value();
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("Dec 31 23:59:58", new_year, 0).value()), "2026-12-31T23:59:58.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("Jan  1 00:05:00", new_year, 0).value()), "2027-01-01T00:05:00.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("Jan 30 00:00:00", new_year, 0).value()), "2027-01-30T00:00:00.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("Feb  2 00:00:00", new_year, 0).value()), "2026-02-02T00:00:00.000000000Z");
  // Feb 29 goes back to the last leap year; the year is the sender's, at its offset.
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("Feb 29 12:00:00", new_year, 0).value()), "2024-02-29T12:00:00.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("Jan  1 01:00:00", new_year - 3600 * kNanosPerSecond, 3600).value()),
            "2027-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseRfc3164Time("AUG  7 2008 01:02:03", new_year, 0).value()), "2008-08-07T01:02:03.000000000Z");
  EXPECT_FALSE(ParseRfc3164Time("Feb 30 00:00:00", new_year, 0).ok());
  EXPECT_FALSE(ParseRfc3164Time("Foo  1 00:00:00", new_year, 0).ok());
  EXPECT_FALSE(ParseRfc3164Time("Jan  1 24:00:00", new_year, 0).ok());
  EXPECT_FALSE(ParseRfc3164Time("Jan  1 00:00:00 x", new_year, 0).ok());
}

TEST(Timestamp, ApacheAndKlog) {
  EXPECT_EQ(FormatRfc3339Nano(ParseApacheTime("10/Oct/2000:13:55:36 -0700").value()), "2000-10-10T20:55:36.000000000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseApacheTime("29/Feb/2024:00:00:00 +0530").value()), "2024-02-28T18:30:00.000000000Z");
  EXPECT_FALSE(ParseApacheTime("29/Feb/2023:00:00:00 +0000").ok());
  EXPECT_FALSE(ParseApacheTime("10/Oct/2000:13:55:36").ok());
  EXPECT_FALSE(ParseApacheTime("10/Oct/2000:13:55:36 +2400").ok());
  const int64_t now = ParseRfc3339("2026-06-15T12:00:00Z").value();
  EXPECT_EQ(FormatRfc3339Nano(ParseKlogTime("0101 12:00:00.123456", now, 0).value()), "2026-01-01T12:00:00.123456000Z");
  EXPECT_EQ(FormatRfc3339Nano(ParseKlogTime("1231 23:59:59", now, 0).value()), "2025-12-31T23:59:59.000000000Z");
  EXPECT_FALSE(ParseKlogTime("0101 12:00:00.", now, 0).ok());
  EXPECT_FALSE(ParseKlogTime("0101 12:00:00.12x", now, 0).ok());
  EXPECT_FALSE(ParseKlogTime("1301 12:00:00", now, 0).ok());
}

TEST(Timestamp, DayPartition) { EXPECT_EQ(FormatDay(ParseRfc3339("2026-11-26T23:59:59.999Z").value()), "2026-11-26"); }

}  // namespace
}  // namespace sawlog
