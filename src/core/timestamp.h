// Time values at the edges of sawlog: parsing what users and shippers send, printing what we return.
// Internally every instant is int64 nanoseconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sawlog {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);
int DaysInMonth(int year, int month);

// RFC 3339 / ISO 8601: "2026-11-01T12:00:00.123456789Z", "+02:00"/"+0200" offsets, a space for
// 'T', no offset meaning UTC, or a bare date "2026-11-01" (midnight UTC).
Result<int64_t> ParseRfc3339(std::string_view text);

// Epoch numbers; the unit follows from the magnitude of the integer part (as VictoriaLogs and
// Vector do): < 1e11 seconds, < 1e14 milliseconds, < 1e17 microseconds, otherwise nanoseconds.
// A fraction is allowed ("1700000000.25").
Result<int64_t> ParseEpoch(std::string_view text);

// RFC 3339 or epoch, whichever the text is.
Result<int64_t> ParseTimestamp(std::string_view text);

// A wall-clock time as a log line writes it, before a UTC offset (and, when the line has none,
// a year) is applied.
struct WallTime {
  int year = 0;  // 0: the line has no year (RFC 3164, klog); WallTimeToInstant infers it
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
};

// How far ahead of `now` a year-less date may lie and still be this year. Senders' clocks drift
// and lines wait in buffers, so a little future is normal; a date a month or more ahead is last
// year's (Dec 31 lines read on Jan 1).
inline constexpr int64_t kMaxYearInferenceFuture = 31LL * 86400 * kNanosPerSecond;

// The instant of `wall` read at `utc_offset_seconds` east of UTC. A missing year is `now`'s year
// (at that offset), or the latest earlier one that puts the instant no more than
// kMaxYearInferenceFuture after `now` and has the date (Feb 29). Error: no such date or time.
Result<int64_t> WallTimeToInstant(const WallTime& wall, int utc_offset_seconds, int64_t now);

// An RFC 3164 (BSD syslog) timestamp at the start of `text`, with the quirks rsyslog accepts:
// "Oct 11 22:14:15", month names in any case, a one-digit day with one or two spaces ("Mar 7",
// "Mar  7"), a year after the day ("Mar 7 2008 19:06:53"), a colon after the seconds. Returns
// how many bytes it took (not the space after it), or 0 when `text` does not start with one.
size_t ParseRfc3164Prefix(std::string_view text, WallTime* out);
// The whole of `text` as an RFC 3164 timestamp; the year, when missing, inferred from `now`.
Result<int64_t> ParseRfc3164Time(std::string_view text, int64_t now, int utc_offset_seconds);

// Apache/nginx access-log time: "10/Oct/2000:13:55:36 -0700" (the text between the brackets).
Result<int64_t> ParseApacheTime(std::string_view text);

// klog/glog header time "0101 12:00:00.123456" (MMDD hh:mm:ss and a fraction of 1 to 9 digits),
// at `utc_offset_seconds`, the year inferred from `now`.
Result<int64_t> ParseKlogTime(std::string_view text, int64_t now, int utc_offset_seconds);

// "2026-11-01T12:00:00.123456789Z": always nine fraction digits, so strings sort like instants.
std::string FormatRfc3339Nano(int64_t nanos);
// "2026-11-01": the day partition of an instant.
std::string FormatDay(int64_t nanos);

// Durations: "500ms", "30s", "5m", "1h", "7d", "1w", and sums like "1h30m".
Result<int64_t> ParseDuration(std::string_view text);

// Byte sizes: "512", "64KB", "50GB" (powers of 1000), "512MiB", "1GiB" (powers of 1024).
Result<uint64_t> ParseByteSize(std::string_view text);

}  // namespace sawlog
