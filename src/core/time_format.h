// Timestamps as logs write them: a detector for the common written forms (ParseAnyTimestamp) and
// explicit strptime-style formats (TimeFormat). Both read time zones as numeric offsets, as IANA
// names from the system's tzdata ("Europe/Berlin", time_zone.h) and as the zone abbreviations
// that have one meaning; a time without a zone is read in the source's default zone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time_zone.h"

namespace sawlog {

// How to read a numeric date whose first two numbers could both be the month ("4/8/2014").
enum class DateOrder {
  kRefuse,      // refuse it as ambiguous (default): guessing is wrong for half the world
  kMonthFirst,  // 4/8/2014 is April 8 (United States)
  kDayFirst,    // 4/8/2014 is 4 August (most other places)
};

// Instants further than these from `now` are accepted but flagged (ParsedTime::suspicious): a
// sender's clock more than a day ahead is broken, and lines older than twenty years are more
// likely a misread field (a duration, a two-digit year) than history.
inline constexpr int64_t kSuspiciousFuture = 86400LL * 1'000'000'000;
inline constexpr int64_t kSuspiciousPast = 20LL * 365 * 86400 * 1'000'000'000;

// How far after `now` a time of day without a date (a TimeFormat without one: Logback's default
// `HH:mm:ss.SSS`) may lie and still be today's; further ahead it is yesterday's. Lines arrive
// seconds after they are written, so a time far ahead was written before midnight (23:59 read at
// 00:01); twelve hours also keeps today's lines today when the zone is set up to 12 hours wrong.
inline constexpr int64_t kMaxTimeOfDayFuture = 12LL * 3600 * 1'000'000'000;

struct TimeContext {
  // The reference instant, UTC ns: for years that the text lacks, and for the suspicious flag.
  // 0: unknown (no flag; a missing year is 1970's).
  int64_t now = 0;
  // The zone of times written without one; nullptr: `utc_offset_seconds` east of UTC.
  const TimeZone* zone = nullptr;
  int utc_offset_seconds = 0;
  DateOrder date_order = DateOrder::kRefuse;
};

struct ParsedTime {
  int64_t nanos = 0;        // UTC ns since the epoch
  bool suspicious = false;  // more than kSuspiciousFuture after or kSuspiciousPast before `now`
  bool operator==(const ParsedTime&) const = default;
};

// Detects and parses the whole of `text` as one of the written forms logs and people use:
// RFC 3339 / ISO 8601 (any offset, up to nanoseconds, ',' or ':' before the fraction), RFC 2822 /
// RFC 1123 mail dates, Unix `date`, Go's time.String, Java's and JavaScript's Date.toString,
// Apache's, "May 8, 2009 5:57:51 PM", "12 Feb 2006", numeric dates with / . - or : ("3/31/2014",
// "2014/3/31"), "2014年04月08日", yyyymmdd[hhmmss], and epoch seconds, ms, µs or ns (10, 13, 16, 19
// digits). Numeric dates whose day and month could be swapped follow ctx.date_order. Two-digit
// years are 1969-2068, as POSIX %y. InvalidArgument names the column where reading stopped.
Result<ParsedTime> ParseAnyTimestamp(std::string_view text, const TimeContext& ctx);

// The UTC offset, in seconds east, of a zone abbreviation with one meaning ("UTC", "GMT",
// RFC 2822's "EST" .. "PDT", "CET", "CEST", "MSK", "JST", ...); false for others ("IST": India,
// Ireland or Israel; "BST"; "CST" outside RFC 2822 is also China's: RFC 2822's reading is used).
bool ZoneAbbreviationOffset(std::string_view abbreviation, int* offset_seconds);

// An explicit strptime-style format, compiled once:
//   %Y year (4 digits)   %y two-digit year   %m month   %d day   %e day, space-padded
//   %H hour   %I hour 1-12   %p AM/PM   %M minute   %S second   %f fraction (1-9 digits)
//   %b %h %B month name   %a %A weekday name (checked as a name, not against the date)
//   %z offset (Z, +hh, +hhmm, +hh:mm)   %Z zone abbreviation or IANA name ("Europe/Berlin")
//   %s epoch seconds (with an optional fraction)   %j day of the year
//   %T = %H:%M:%S   %F = %Y-%m-%d   %D = %m/%d/%y   %R = %H:%M   %% a '%'
// A space matches any run of spaces (none included); any other character matches itself. Without
// a year the year is inferred as for RFC 3164 (core/timestamp.h); without any date (only time
// directives) the day is `now`'s where the time was written, or the day before when that is more
// than kMaxTimeOfDayFuture ahead.
class TimeFormat {
 public:
  // InvalidArgument names the directive and its column in the format.
  static Result<TimeFormat> Compile(std::string_view format);

  const std::string& format() const { return format_; }
  // The whole of `text`; InvalidArgument names the column and what was expected there.
  Result<ParsedTime> Parse(std::string_view text, const TimeContext& ctx) const;
  // A prefix of `text`: how many bytes the format took, or an error.
  Result<ParsedTime> ParsePrefix(std::string_view text, const TimeContext& ctx, size_t* consumed) const;

 private:
  std::string format_;  // with %T, %F, %D, %R expanded
  bool has_date_ = false;  // a year, month, day or epoch directive
};

}  // namespace sawlog
