// Time zones (TZif reader), the timestamp detector and strptime-style formats; the acceptance
// table ../shared/data/vectors/timestamps/readme_examples.tsv, line by line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/time_format.h"
#include "core/time_zone.h"
#include "core/timestamp.h"

namespace sawlog {
namespace {

namespace fs = std::filesystem;

int64_t T(std::string_view rfc3339) { return ParseRfc3339(rfc3339).value(); }
int64_t Secs(std::string_view rfc3339) { return T(rfc3339) / kNanosPerSecond; }

TimeContext Ctx() {
  TimeContext ctx;
  ctx.now = T("2026-06-15T12:00:00Z");
  return ctx;
}

std::shared_ptr<const TimeZone> Zone(std::string_view name) {
  auto z = LoadTimeZone(name);
  EXPECT_TRUE(z.ok()) << z.status().ToString();
  return z.ok() ? z.value() : nullptr;
}

bool HaveTzdata() { return fs::exists("/usr/share/zoneinfo/Europe/Berlin"); }

// ---------------------------------------------------------------------------------------------
// TimeZone

TEST(TimeZone, BerlinAcrossTheYearAndPastTheLastListedTransition) {
  if (!HaveTzdata()) GTEST_SKIP() << "no tzdata";
  auto berlin = Zone("Europe/Berlin");
  ASSERT_TRUE(berlin);
  EXPECT_EQ(berlin->OffsetAt(Secs("2024-01-15T12:00:00Z")), 3600);
  EXPECT_EQ(berlin->OffsetAt(Secs("2024-07-15T12:00:00Z")), 7200);
  // DST starts 2024-03-31 01:00 UTC.
  EXPECT_EQ(berlin->OffsetAt(Secs("2024-03-31T00:59:59Z")), 3600);
  EXPECT_EQ(berlin->OffsetAt(Secs("2024-03-31T01:00:00Z")), 7200);
  // 2100 is past every listed transition: the footer rule (CET-1CEST,M3.5.0,M10.5.0/3) decides.
  EXPECT_EQ(berlin->OffsetAt(Secs("2100-07-01T00:00:00Z")), 7200);
  EXPECT_EQ(berlin->OffsetAt(Secs("2100-12-01T00:00:00Z")), 3600);
  EXPECT_EQ(berlin->OffsetAt(Secs("2100-03-28T00:59:59Z")), 3600);  // last Sunday of March 2100: the 28th
  EXPECT_EQ(berlin->OffsetAt(Secs("2100-03-28T01:00:00Z")), 7200);
  // Before railway time: local mean time, +0:53:28.
  EXPECT_EQ(berlin->OffsetAt(Secs("1850-01-01T00:00:00Z")), 3208);
}

TEST(TimeZone, LocalTimesInGapsAndOverlaps) {
  if (!HaveTzdata()) GTEST_SKIP() << "no tzdata";
  auto ny = Zone("America/New_York");
  ASSERT_TRUE(ny);
  // Ordinary: 12:00 EDT.
  EXPECT_EQ(ny->LocalToUtc(Secs("2024-07-01T12:00:00Z")), Secs("2024-07-01T16:00:00Z"));
  // 2024-11-03 01:30 happens twice: the earlier (EDT).
  EXPECT_EQ(ny->LocalToUtc(Secs("2024-11-03T01:30:00Z")), Secs("2024-11-03T05:30:00Z"));
  // 2024-03-10 02:30 does not happen: read at the offset before the gap (EST), i.e. 03:30 EDT.
  EXPECT_EQ(ny->LocalToUtc(Secs("2024-03-10T02:30:00Z")), Secs("2024-03-10T07:30:00Z"));
}

TEST(TimeZone, BadNamesAndFiles) {
  EXPECT_EQ(LoadTimeZone("../etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LoadTimeZone("/etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LoadTimeZone("Mars/Olympus_Mons").status().code(), Code::kNotFound);
  auto bad = TimeZone::FromTzif("X", "TZif2 not really");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorruption);
  EXPECT_NE(bad.status().message().find("'X'"), std::string::npos);
  EXPECT_EQ(TimeZone::Fixed(-9000).name(), "-02:30");
  EXPECT_EQ(TimeZone::Fixed(-9000).LocalToUtc(0), 9000);
}

// ---------------------------------------------------------------------------------------------
// ParseAnyTimestamp beyond the table

TEST(ParseAnyTimestamp, ZonesDefaultsAndFlags) {
  TimeContext ctx = Ctx();
  EXPECT_EQ(ParseAnyTimestamp("2024-06-01 12:00:00", ctx).value().nanos, T("2024-06-01T12:00:00Z"));
  ctx.utc_offset_seconds = 3600;
  EXPECT_EQ(ParseAnyTimestamp("2024-06-01 12:00:00", ctx).value().nanos, T("2024-06-01T11:00:00Z"));
  if (HaveTzdata()) {
    auto berlin = Zone("Europe/Berlin");
    ctx.zone = berlin.get();  // wins over the offset, and knows about summer time
    EXPECT_EQ(ParseAnyTimestamp("2024-06-01 12:00:00", ctx).value().nanos, T("2024-06-01T10:00:00Z"));
    EXPECT_EQ(ParseAnyTimestamp("2024-01-01 12:00:00", ctx).value().nanos, T("2024-01-01T11:00:00Z"));
    // The text's own zone wins over the default.
    EXPECT_EQ(ParseAnyTimestamp("2024-06-01 12:00:00 America/New_York", ctx).value().nanos,
              T("2024-06-01T16:00:00Z"));
    EXPECT_EQ(ParseAnyTimestamp("2024-06-01 12:00:00 Z", ctx).value().nanos, T("2024-06-01T12:00:00Z"));
  }
  ctx = Ctx();
  EXPECT_FALSE(ParseAnyTimestamp("2026-06-15T12:00:00Z", ctx).value().suspicious);
  EXPECT_TRUE(ParseAnyTimestamp("2026-06-17T12:00:00Z", ctx).value().suspicious);  // 2 days ahead
  EXPECT_TRUE(ParseAnyTimestamp("1999-01-01T00:00:00Z", ctx).value().suspicious);
  EXPECT_EQ(ParseAnyTimestamp("2099-01-01T00:00:00Z", ctx).value().nanos, T("2099-01-01T00:00:00Z"))
      << "flagged, never replaced";
  // A year-less date takes the year from now.
  EXPECT_EQ(ParseAnyTimestamp("Jan 2 15:04:05", ctx).value().nanos, T("2026-01-02T15:04:05Z"));
}

TEST(ParseAnyTimestamp, RefusalsNameTheColumn) {
  const TimeContext ctx = Ctx();
  auto expect = [&](std::string_view text, std::string_view column, std::string_view why) {
    auto r = ParseAnyTimestamp(text, ctx);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("column " + std::string(column) + ":"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  };
  expect("", "1", "empty");
  expect("hello", "1", "expected a date");
  expect("  hello", "3", "expected a date");  // columns count in the text as given
  expect("2024-06-01 12:00:00 IST", "21", "ambiguous time zone abbreviation 'IST'");
  expect("2024-06-01 12:00:00 Mars/Base", "21", "unknown time zone");
  expect("2024-06-01 12:00:00 +01:00 +02:00", "28", "second offset");
  expect("2024-02-30", "1", "no such date");
  expect("12345", "1", "neither a date");
  expect("2024-06-01 25:00", "17", "out of range");
  expect("13:00 PM", "3", "expected a date");
}

// ---------------------------------------------------------------------------------------------
// TimeFormat

TEST(TimeFormat, Directives) {
  const TimeContext ctx = Ctx();
  auto parse = [&](std::string_view format, std::string_view text) {
    auto f = TimeFormat::Compile(format);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    auto t = f.value().Parse(text, ctx);
    EXPECT_TRUE(t.ok()) << format << " on " << text << ": " << t.status().ToString();
    return t.ok() ? t.value().nanos : -1;
  };
  EXPECT_EQ(parse("%Y-%m-%d %H:%M:%S.%f %z", "2024-06-01 12:00:00.123456789 +0200"),
            T("2024-06-01T10:00:00.123456789Z"));
  EXPECT_EQ(parse("%d/%b/%Y:%T %z", "10/Oct/2000:13:55:36 -0700"), T("2000-10-10T20:55:36Z"));
  EXPECT_EQ(parse("%b %e %T", "Mar  7 19:06:53"), T("2026-03-07T19:06:53Z"));
  EXPECT_EQ(parse("%a %B %d %I:%M %p %Y", "Sun September 17 10:09 pm 2012"), T("2012-09-17T22:09:00Z"));
  EXPECT_EQ(parse("%F %T %Z", "2024-06-01 12:00:00 PDT"), T("2024-06-01T19:00:00Z"));
  EXPECT_EQ(parse("%s", "1700000000"), T("2023-11-14T22:13:20Z"));
  EXPECT_EQ(parse("%s", "1700000000.5"), T("2023-11-14T22:13:20.5Z"));
  EXPECT_EQ(parse("%y%m%d %H:%M:%S", "171113 14:14:20"), T("2017-11-13T14:14:20Z"));
  EXPECT_EQ(parse("%Y-%j", "2024-060"), T("2024-02-29T00:00:00Z"));
  EXPECT_EQ(parse("%D %R", "06/01/24 12:30"), T("2024-06-01T12:30:00Z"));
  EXPECT_EQ(parse("%Y%%%m", "2024%06"), T("2024-06-01T00:00:00Z"));
  if (HaveTzdata()) {
    EXPECT_EQ(parse("%F %T %Z", "2024-06-01 12:00:00 Europe/Berlin"), T("2024-06-01T10:00:00Z"));
  }

  auto bad = TimeFormat::Compile("%Y-%Q");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("column 4: unknown directive '%Q'"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(TimeFormat::Compile("%Y%").ok());

  auto f = TimeFormat::Compile("%Y-%m-%d %H:%M").value();
  auto r = f.Parse("2024-06-01 1x:00", ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column 13: expected ':'"), std::string::npos) << r.status().message();
  EXPECT_FALSE(f.Parse("2024-06-01 12:00 extra", ctx).ok());
  size_t consumed = 0;
  EXPECT_TRUE(f.ParsePrefix("2024-06-01 12:00 extra", ctx, &consumed).ok());
  EXPECT_EQ(consumed, 16u);
}

// ---------------------------------------------------------------------------------------------
// ../shared/data/vectors/timestamps/readme_examples.tsv: each line's input gives the expected
// instant, except the lines listed here.

// Refused as ambiguous with the default DateOrder::kRefuse; with kMonthFirst (the table's
// reading, American) they give the table's instant.
const std::set<std::string_view> kRefusedAmbiguous = {
    "4/8/2014 22:05",       // April 8 or 4 August
    "04/08/2014 22:05",     // the same, zero-padded
    "4/8/14 22:05",         // the same, two-digit year
    "04/2/2014 03:00:51",   // April 2 or 4 February
    "4/02/2014 03:00:51",   // the same
    "8/1/71",               // August 1 or 8 January
};

// Where the table's instant is wrong and sawlog's differs on purpose: the table is the output of
// Go's time.Parse in UTC, which reads a zone abbreviation it does not know as +0000 and so puts
// "15:04:05 MST" at 15:04:05 UTC; RFC 2822 4.3 defines MST as -0700. And dateparse drops the
// "+0100" written after "UTC", which sawlog reads as the offset (as JavaScript writes GMT+0100;
// the table itself honours "GMT+0100" two lines further down).
const std::map<std::string_view, std::string_view> kDifferences = {
    {"Mon Jan  2 15:04:05 MST 2006", "2006-01-02T22:04:05Z"},
    {"Monday, 02-Jan-06 15:04:05 MST", "2006-01-02T22:04:05Z"},
    {"Mon, 02 Jan 2006 15:04:05 MST", "2006-01-02T22:04:05Z"},
    {"Mon Aug 10 15:44:11 UTC+0100 2015", "2015-08-10T14:44:11Z"},
};

// "2009-05-08 17:57:51.5 +0000 UTC" (Go's %v) → the instant, read without the code under test.
int64_t ExpectedInstant(const std::string& go) {
  std::istringstream in(go);
  std::string date, time, offset;
  in >> date >> time >> offset;
  return ParseRfc3339(date + "T" + time + offset.substr(0, 3) + ":" + offset.substr(3)).value();
}

// A format without a date: today where the time was written, yesterday when today's would be
// more than 12 hours ahead (23:59 read just after midnight).
TEST(TimeFormat, TimeOfDayWithoutADate) {
  auto parse = [](std::string_view format, std::string_view text, std::string_view now, int offset = 0) {
    TimeContext ctx;
    ctx.now = T(now);
    ctx.utc_offset_seconds = offset;
    auto t = TimeFormat::Compile(format).value().Parse(text, ctx);
    EXPECT_TRUE(t.ok()) << format << " on " << text << ": " << t.status().ToString();
    return t.ok() ? t.value().nanos : -1;
  };
  EXPECT_EQ(parse("%H:%M:%S.%f", "14:03:07.123", "2026-11-26T15:00:00Z"), T("2026-11-26T14:03:07.123Z"));
  EXPECT_EQ(parse("%T", "23:59:59", "2026-11-27T00:00:30Z"), T("2026-11-26T23:59:59Z"));
  EXPECT_EQ(parse("%T", "11:00:00", "2026-11-26T00:00:30Z"), T("2026-11-26T11:00:00Z"));  // 11 h ahead: today
  EXPECT_EQ(parse("%T", "13:00:00", "2026-11-26T00:00:30Z"), T("2026-11-25T13:00:00Z"));  // 13 h ahead
  // The day is the local one: 00:30 at +01:00 is still the 26th there at 23:45Z on the 25th.
  EXPECT_EQ(parse("%R", "00:30", "2026-11-25T23:45:00Z", 3600), T("2026-11-25T23:30:00Z"));
  EXPECT_EQ(parse("%I:%M %p %z", "11:30 pm -0500", "2026-11-27T05:00:00Z"), T("2026-11-27T04:30:00Z"));
  if (HaveTzdata()) {
    TimeContext ctx;
    ctx.now = T("2026-06-15T12:00:00Z");
    auto berlin = LoadTimeZone("Europe/Berlin");
    ASSERT_TRUE(berlin.ok());
    ctx.zone = berlin.value().get();
    EXPECT_EQ(TimeFormat::Compile("%T").value().Parse("13:00:00", ctx).value().nanos, T("2026-06-15T11:00:00Z"));
  }
  TimeContext ctx;
  ctx.now = T("2026-11-26T15:00:00Z");
  auto bad = TimeFormat::Compile("%H:%M").value().Parse("24:00", ctx);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("out of range"), std::string::npos) << bad.status().message();
}

TEST(ReadmeExamples, EveryLine) {
  const fs::path path = SAWLOG_SHARED_DATA_DIR "/vectors/timestamps/readme_examples.tsv";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is missing";
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  int lines = 0, same = 0, refused = 0, differ = 0;
  std::set<std::string> seen;
  TimeContext ctx;  // now = 0: no suspicious flags on this historical table
  TimeContext us = ctx;
  us.date_order = DateOrder::kMonthFirst;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++lines;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string input = line.substr(0, tab);
    const int64_t expected = ExpectedInstant(line.substr(tab + 1));
    SCOPED_TRACE(input);
    auto got = ParseAnyTimestamp(input, ctx);
    if (kRefusedAmbiguous.contains(input)) {
      ASSERT_FALSE(got.ok()) << "listed as ambiguous but parsed: " << FormatRfc3339Nano(got.value().nanos);
      EXPECT_NE(got.status().message().find("ambiguous"), std::string::npos) << got.status().message();
      auto american = ParseAnyTimestamp(input, us);
      ASSERT_TRUE(american.ok()) << american.status().ToString();
      EXPECT_EQ(FormatRfc3339Nano(american.value().nanos), FormatRfc3339Nano(expected));
      ++refused;
      seen.insert(input);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (auto d = kDifferences.find(input); d != kDifferences.end()) {
      EXPECT_NE(FormatRfc3339Nano(expected), FormatRfc3339Nano(T(d->second)));
      EXPECT_EQ(FormatRfc3339Nano(got.value().nanos), FormatRfc3339Nano(T(d->second)));
      ++differ;
      seen.insert(input);
      continue;
    }
    EXPECT_EQ(FormatRfc3339Nano(got.value().nanos), FormatRfc3339Nano(expected));
    if (got.value().nanos == expected) ++same;
  }
  EXPECT_EQ(seen.size(), kRefusedAmbiguous.size() + kDifferences.size()) << "a listed line is not in the table";
  std::printf("readme_examples: %d lines, %d as the table, %d refused as ambiguous, %d differ on purpose\n", lines,
              same, refused, differ);
  EXPECT_GE(lines, 100);
}

}  // namespace
}  // namespace sawlog
