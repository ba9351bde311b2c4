#include "core/timestamp.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace sawlog {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// A fraction of a second after the '.' at `pos`: 1 to 9 digits (more are read and dropped).
// Scaled once at the end: a division per digit is most of what parsing a timestamp costs.
size_t ParseFraction(std::string_view s, size_t pos, int32_t* nanos) {
  static constexpr int32_t kScale[10] = {1'000'000'000, 100'000'000, 10'000'000, 1'000'000, 100'000,
                                         10'000,        1'000,       100,        10,        1};
  size_t i = pos;
  int32_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
    if (i - pos < 9) digits = digits * 10 + (s[i] - '0');
  *nanos = digits * kScale[std::min<size_t>(i - pos, 9)];
  return i - pos;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("cannot parse '" + std::string(text.substr(0, 64)) + "' as RFC 3339 time: " + std::string(why));
}

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view s) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day))
    return Bad(s, "expected YYYY-MM-DD");
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month))
    return Bad(s, "no such date");
  size_t pos = 10;
  int64_t frac_nanos = 0;
  int64_t offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return Bad(s, "expected 'T' after the date");
    if (!Digits(s, pos + 1, 2, &hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &minute))
      return Bad(s, "expected hh:mm after the date");
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &second)) return Bad(s, "expected seconds after hh:mm:");
      pos += 3;
    }
    if (hour > 23 || minute > 59 || second > 60) return Bad(s, "time of day out of range");
    if (second == 60) second = 59;  // a leap second is kept inside its minute
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      int32_t nanos;
      const size_t digits = ParseFraction(s, ++pos, &nanos);
      if (digits == 0) return Bad(s, "expected digits after the decimal point");
      pos += digits;
      frac_nanos = nanos;
    }
    if (pos < s.size()) {
      char c = s[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        int oh, om = 0;
        if (!Digits(s, pos + 1, 2, &oh)) return Bad(s, "expected an offset like +02:00");
        pos += 3;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size()) {
          if (!Digits(s, pos, 2, &om)) return Bad(s, "expected an offset like +02:00");
          pos += 2;
        }
        if (oh > 23 || om > 59) return Bad(s, "offset out of range");
        offset_seconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
      }
    }
    if (pos != s.size()) return Bad(s, "unexpected text after the time");
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  if (secs > std::numeric_limits<int64_t>::max() / kNanosPerSecond - 1 ||
      secs < std::numeric_limits<int64_t>::min() / kNanosPerSecond + 1)
    return Bad(s, "out of the representable range (years 1678 to 2262)");
  return secs * kNanosPerSecond + frac_nanos;
}

Result<int64_t> ParseEpoch(std::string_view s) {
  auto bad = [&] {
    return Status::InvalidArgument("cannot parse '" + std::string(s.substr(0, 64)) + "' as an epoch time");
  };
  if (s.empty()) return bad();
  bool negative = s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  size_t dot = digits.find('.');
  std::string_view int_part = digits.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view{} : digits.substr(dot + 1);
  if (int_part.empty() || int_part.size() > 19) return bad();
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(int_part.data(), int_part.data() + int_part.size(), v);
  if (ec != std::errc() || p != int_part.data() + int_part.size()) return bad();
  for (char c : frac_part)
    if (c < '0' || c > '9') return bad();
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return bad();
  // The unit from the magnitude: seconds up to year ~5138, then ms, µs, ns.
  int64_t unit;
  if (v < 100'000'000'000ULL) unit = kNanosPerSecond;
  else if (v < 100'000'000'000'000ULL) unit = 1'000'000;
  else if (v < 100'000'000'000'000'000ULL) unit = 1'000;
  else unit = 1;
  if (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / static_cast<uint64_t>(unit) < v) return bad();
  int64_t nanos = static_cast<int64_t>(v) * unit;
  int64_t scale = unit / 10;
  for (char c : frac_part) {
    if (scale == 0) break;
    if (__builtin_add_overflow(nanos, (c - '0') * scale, &nanos)) return bad();
    scale /= 10;
  }
  return negative ? -nanos : nanos;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  if (text.size() >= 10 && text[4] == '-') return ParseRfc3339(text);
  auto epoch = ParseEpoch(text);
  if (epoch.ok()) return epoch;
  return Status::InvalidArgument("cannot parse '" + std::string(text.substr(0, 64)) +
                                 "' as RFC 3339 or epoch time");
}

namespace {

// "Jan".."Dec" in any case → 1..12; 0 when not a month name.
int MonthFromName(std::string_view s) {
  if (s.size() < 3) return 0;
  static constexpr std::string_view kMonths = "janfebmaraprmayjunjulaugsepoctnovdec";
  char lower[3];
  for (int i = 0; i < 3; ++i) lower[i] = static_cast<char>(s[i] | 0x20);
  for (int m = 0; m < 12; ++m)
    if (kMonths.substr(m * 3, 3) == std::string_view(lower, 3)) return m + 1;
  return 0;
}

Status BadTime(std::string_view text, std::string_view format, std::string_view why) {
  return Status::InvalidArgument("cannot parse '" + std::string(text.substr(0, 64)) + "' as " +
                                 std::string(format) + " time: " + std::string(why));
}

}  // namespace

Result<int64_t> WallTimeToInstant(const WallTime& w, int utc_offset_seconds, int64_t now) {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31) return Status::InvalidArgument("no such date");
  if (w.hour > 23 || w.minute > 59 || w.second > 60 || w.nanos < 0 || w.nanos >= kNanosPerSecond)
    return Status::InvalidArgument("time of day out of range");
  const int second = w.second == 60 ? 59 : w.second;  // a leap second stays inside its minute
  auto instant = [&](int64_t year) {
    int64_t days = DaysFromCivil(year, static_cast<unsigned>(w.month), static_cast<unsigned>(w.day));
    int64_t secs = days * 86400 + w.hour * 3600 + w.minute * 60 + second - utc_offset_seconds;
    return secs * kNanosPerSecond + w.nanos;
  };
  if (w.year != 0) {
    if (w.year < 1678 || w.year > 2261) return Status::InvalidArgument("year out of range (1678 to 2261)");
    if (w.day > DaysInMonth(w.year, w.month)) return Status::InvalidArgument("no such date");
    return instant(w.year);
  }
  // The year of `now` on the sender's wall clock, then earlier years: Feb 29 may need up to
  // eight (1896 to 1904 had no leap day).
  int64_t now_days = (now / kNanosPerSecond + utc_offset_seconds) / 86400;
  int64_t now_year;
  unsigned m, d;
  CivilFromDays(now_days, &now_year, &m, &d);
  for (int64_t year = now_year; year > now_year - 9 && year >= 1678; --year) {
    if (year > 2261 || w.day > DaysInMonth(static_cast<int>(year), w.month)) continue;
    int64_t t = instant(year);
    if (t - now <= kMaxYearInferenceFuture) return t;
  }
  return Status::InvalidArgument("no such date");
}

size_t ParseRfc3164Prefix(std::string_view s, WallTime* out) {
  WallTime w;
  w.month = MonthFromName(s);
  if (w.month == 0 || s.size() < 5 || s[3] != ' ') return 0;
  size_t pos = 4;
  if (s[pos] == ' ') ++pos;  // "Mar  7": the day padded with a space
  size_t start = pos;
  while (pos < s.size() && pos - start < 2 && s[pos] >= '0' && s[pos] <= '9') w.day = w.day * 10 + (s[pos++] - '0');
  if (pos == start || pos >= s.size() || s[pos] != ' ') return 0;
  ++pos;
  // Cisco devices put the year before the time: "Mar 7 2008 19:06:53".
  if (Digits(s, pos, 4, &w.year) && pos + 4 < s.size() && s[pos + 4] == ' ') pos += 5;
  else w.year = 0;
  if (!Digits(s, pos, 2, &w.hour) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
      !Digits(s, pos + 3, 2, &w.minute) || pos + 5 >= s.size() || s[pos + 5] != ':' ||
      !Digits(s, pos + 6, 2, &w.second))
    return 0;
  pos += 8;
  if (w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) return 0;
  if (pos < s.size() && s[pos] == ':') ++pos;  // "19:06:53:", another Cisco habit
  if (pos < s.size() && s[pos] != ' ') return 0;
  *out = w;
  return pos;
}

Result<int64_t> ParseRfc3164Time(std::string_view text, int64_t now, int utc_offset_seconds) {
  WallTime w;
  if (ParseRfc3164Prefix(text, &w) != text.size() || text.empty())
    return BadTime(text, "RFC 3164", "expected 'Mmm dd hh:mm:ss'");
  auto t = WallTimeToInstant(w, utc_offset_seconds, now);
  if (!t.ok()) return BadTime(text, "RFC 3164", t.status().message());
  return t;
}

Result<int64_t> ParseApacheTime(std::string_view s) {
  // 10/Oct/2000:13:55:36 -0700
  WallTime w;
  int oh, om;
  if (s.size() != 26 || !Digits(s, 0, 2, &w.day) || s[2] != '/' || (w.month = MonthFromName(s.substr(3))) == 0 ||
      s[6] != '/' || !Digits(s, 7, 4, &w.year) || s[11] != ':' || !Digits(s, 12, 2, &w.hour) || s[14] != ':' ||
      !Digits(s, 15, 2, &w.minute) || s[17] != ':' || !Digits(s, 18, 2, &w.second) || s[20] != ' ' ||
      (s[21] != '+' && s[21] != '-') || !Digits(s, 22, 2, &oh) || !Digits(s, 24, 2, &om))
    return BadTime(s, "access-log", "expected 'dd/Mmm/yyyy:hh:mm:ss +hhmm'");
  if (oh > 23 || om > 59) return BadTime(s, "access-log", "offset out of range");
  int offset = (oh * 3600 + om * 60) * (s[21] == '-' ? -1 : 1);
  auto t = WallTimeToInstant(w, offset, 0);
  if (!t.ok()) return BadTime(s, "access-log", t.status().message());
  return t;
}

Result<int64_t> ParseKlogTime(std::string_view s, int64_t now, int utc_offset_seconds) {
  // 0101 12:00:00.123456
  WallTime w;
  if (!Digits(s, 0, 2, &w.month) || !Digits(s, 2, 2, &w.day) || s.size() < 13 || s[4] != ' ' ||
      !Digits(s, 5, 2, &w.hour) || s[7] != ':' || !Digits(s, 8, 2, &w.minute) || s[10] != ':' ||
      !Digits(s, 11, 2, &w.second))
    return BadTime(s, "klog", "expected 'MMDD hh:mm:ss.uuuuuu'");
  if (s.size() > 13) {
    if (s[13] != '.' || ParseFraction(s, 14, &w.nanos) != s.size() - 14 || s.size() == 14)
      return BadTime(s, "klog", "expected digits after the seconds' '.'");
  }
  auto t = WallTimeToInstant(w, utc_offset_seconds, now);
  if (!t.ok()) return BadTime(s, "klog", t.status().message());
  return t;
}

std::string FormatRfc3339Nano(int64_t nanos) {
  int64_t secs = nanos / kNanosPerSecond;
  int64_t frac = nanos % kNanosPerSecond;
  if (frac < 0) {
    frac += kNanosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                static_cast<long long>(frac));
  return buf;
}

std::string FormatDay(int64_t nanos) { return FormatRfc3339Nano(nanos).substr(0, 10); }

Result<int64_t> ParseDuration(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("cannot parse duration '" + std::string(s) + "': " + std::string(why));
  };
  if (s.empty()) return bad("empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start) return bad("expected a number");
    double value;
    auto [p, ec] = std::from_chars(s.data() + start, s.data() + i, value);
    if (ec != std::errc() || p != s.data() + i) return bad("expected a number");
    size_t ustart = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '\xc2' || s[i] == '\xb5')) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    double scale;
    if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "\xc2\xb5s") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else if (unit == "d") scale = 86400e9;
    else if (unit == "w") scale = 7 * 86400e9;
    else if (unit == "y") scale = 365 * 86400e9;
    else return bad("unknown unit '" + std::string(unit) + "' (use ns, us, ms, s, m, h, d, w, y)");
    double nanos = value * scale;
    if (nanos > 9e18 || __builtin_add_overflow(total, static_cast<int64_t>(std::llround(nanos)), &total))
      return bad("too large");
  }
  return total;
}

Result<uint64_t> ParseByteSize(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("cannot parse size '" + std::string(s) + "': " + std::string(why));
  };
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  double value;
  auto [p, ec] = std::from_chars(s.data(), s.data() + i, value);
  if (i == 0 || ec != std::errc() || p != s.data() + i) return bad("expected a number");
  std::string unit(s.substr(i));
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1}, {"B", 1}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
      {"KIB", 1024.0}, {"MIB", 1048576.0}, {"GIB", 1073741824.0}, {"TIB", 1099511627776.0}};
  for (const auto& [name, scale] : kUnits) {
    if (unit != name) continue;
    double bytes = value * scale;
    if (bytes > 1.8e19) return bad("too large");
    return static_cast<uint64_t>(bytes);
  }
  return bad("unknown unit (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
}

}  // namespace sawlog
