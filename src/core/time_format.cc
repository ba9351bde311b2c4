#include "core/time_format.h"

#include <array>
#include <limits>
#include <memory>

#include "core/timestamp.h"

namespace sawlog {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

constexpr std::array<std::string_view, 12> kMonths = {"january", "february", "march",     "april",   "may",      "june",
                                                      "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays = {"monday", "tuesday",  "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

// A full name or its three-letter abbreviation (and "sept"), any case; the index + 1, or 0.
template <size_t N>
int NameIndex(const std::array<std::string_view, N>& names, std::string_view word) {
  if (word.size() < 3) return 0;
  for (size_t i = 0; i < N; ++i) {
    if (EqualsIgnoreCase(word, names[i]) || EqualsIgnoreCase(word, names[i].substr(0, 3)) ||
        (N == 12 && i == 8 && EqualsIgnoreCase(word, "sept")))
      return static_cast<int>(i) + 1;
  }
  return 0;
}

struct Abbreviation {
  std::string_view name;
  int offset_minutes;
};
// Abbreviations with one meaning in practice. RFC 2822 section 4.3 defines UT, GMT and the
// eight North American ones; the rest are the tzdata abbreviations of one region each. Left out
// on purpose: IST (India, Ireland, Israel), BST (British Summer, Bangladesh), AST, SST, ...
constexpr Abbreviation kAbbreviations[] = {
    {"UTC", 0},        {"UT", 0},         {"GMT", 0},        {"Z", 0},          {"EST", -5 * 60},
    {"EDT", -4 * 60},  {"CST", -6 * 60},  {"CDT", -5 * 60},  {"MST", -7 * 60},  {"MDT", -6 * 60},
    {"PST", -8 * 60},  {"PDT", -7 * 60},  {"AKST", -9 * 60}, {"AKDT", -8 * 60}, {"HST", -10 * 60},
    {"WET", 0},        {"WEST", 60},      {"CET", 60},       {"CEST", 120},     {"EET", 120},
    {"EEST", 180},     {"MSK", 180},      {"JST", 540},      {"KST", 540},      {"HKT", 480},
    {"AEST", 600},     {"AEDT", 660},     {"ACST", 570},     {"ACDT", 630},     {"AWST", 480},
    {"NZST", 720},     {"NZDT", 780},
};

// ±hh, ±hhmm, ±hh:mm at s[i] (s[i] is the sign); the bytes taken, or 0.
size_t ReadOffset(std::string_view s, size_t i, int* seconds) {
  if (i + 2 >= s.size() || (s[i] != '+' && s[i] != '-') || !IsDigit(s[i + 1]) || !IsDigit(s[i + 2])) return 0;
  const int sign = s[i] == '-' ? -1 : 1;
  int h = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
  int m = 0;
  size_t j = i + 3;
  size_t k = j < s.size() && s[j] == ':' ? j + 1 : j;
  if (k + 1 < s.size() && IsDigit(s[k]) && IsDigit(s[k + 1]) && (k + 2 >= s.size() || !IsDigit(s[k + 2]))) {
    m = (s[k] - '0') * 10 + (s[k + 1] - '0');
    j = k + 2;
  } else if (j < s.size() && IsDigit(s[j])) {
    return 0;  // "+123": neither hh nor hhmm
  }
  if (h > 23 || m > 59) return 0;
  *seconds = sign * (h * 3600 + m * 60);
  return j - i;
}

// The parts of a time as written, before its zone is applied.
struct Parts {
  int year = -1;  // -1: not written
  int month = 1, day = 1;
  int hour = 0, minute = 0, second = 0;
  int32_t nanos = 0;
  int ampm = 0;  // 1 am, 2 pm
  bool has_offset = false;  // a numeric offset: wins over everything else
  int offset = 0;
  bool has_abbreviation = false;
  int abbreviation_offset = 0;
  std::shared_ptr<const TimeZone> zone;  // an IANA name
  bool has_epoch = false;
  int64_t epoch_nanos = 0;
  bool time_of_day_only = false;  // a TimeFormat without a date: see ResolveTimeOfDay
};

int TwoDigitYear(int y) { return y < 69 ? 2000 + y : 1900 + y; }

Status Refuse(std::string_view text, size_t column, std::string_view why) {
  return Status::InvalidArgument("cannot parse '" + std::string(text.substr(0, 64)) + "' as a timestamp: column " +
                                 std::to_string(column + 1) + ": " + std::string(why));
}

// A time of day without a date: on the day of `now` where the time was written (its offset or
// zone, else the context's), or the day before when that is more than kMaxTimeOfDayFuture after
// now. With `now` unknown (0), on 1970-01-01.
Result<ParsedTime> ResolveTimeOfDay(const Parts& p, const TimeContext& ctx, std::string_view text) {
  int hour = p.hour;
  if (p.ampm != 0) {
    if (hour < 1 || hour > 12) return Refuse(text, 0, "hour " + std::to_string(hour) + " with AM/PM");
    hour = hour % 12 + (p.ampm == 2 ? 12 : 0);
  }
  if (hour > 23 || p.minute > 59 || p.second > 60) return Refuse(text, 0, "time of day out of range");
  const bool fixed = p.has_offset || p.has_abbreviation;
  const TimeZone* zone = fixed ? nullptr : p.zone ? p.zone.get() : ctx.zone;
  const int64_t now_s = ctx.now / kNanosPerSecond - (ctx.now % kNanosPerSecond < 0);
  const int offset = p.has_offset ? p.offset
                     : p.has_abbreviation ? p.abbreviation_offset
                     : zone != nullptr    ? zone->OffsetAt(now_s)
                                          : ctx.utc_offset_seconds;
  const int64_t local_now = now_s + offset;
  const int64_t today = local_now / 86400 - (local_now % 86400 < 0);
  ParsedTime out;
  for (int64_t day = today; day >= today - 1; --day) {
    const int64_t local = day * 86400 + hour * 3600 + p.minute * 60 + p.second;
    out.nanos = (zone != nullptr ? zone->LocalToUtc(local) : local - offset) * kNanosPerSecond + p.nanos;
    if (ctx.now == 0 || out.nanos <= ctx.now + kMaxTimeOfDayFuture) break;
  }
  return out;
}

// The instant of `p`, read in the context's zone when the text names none.
Result<ParsedTime> Resolve(const Parts& p, const TimeContext& ctx, std::string_view text) {
  if (p.time_of_day_only && !p.has_epoch) return ResolveTimeOfDay(p, ctx, text);
  ParsedTime out;
  if (p.has_epoch) {
    out.nanos = p.epoch_nanos;
  } else {
    WallTime w;
    w.year = p.year < 0 ? 0 : p.year;
    w.month = p.month;
    w.day = p.day;
    w.hour = p.hour;
    if (p.ampm != 0) {
      if (p.hour < 1 || p.hour > 12) return Refuse(text, 0, "hour " + std::to_string(p.hour) + " with AM/PM");
      w.hour = p.hour % 12 + (p.ampm == 2 ? 12 : 0);
    }
    w.minute = p.minute;
    w.second = p.second;
    w.nanos = p.nanos;
    const TimeZone* zone = p.zone ? p.zone.get() : ctx.zone;
    Result<int64_t> t = 0;
    if (p.has_offset || p.has_abbreviation) {
      t = WallTimeToInstant(w, p.has_offset ? p.offset : p.abbreviation_offset, ctx.now);
    } else if (zone != nullptr && w.year != 0) {
      t = WallTimeToInstant(w, 0, 0);  // the wall clock as if it were UTC
      if (t.ok()) {
        const int64_t local = t.value() / kNanosPerSecond;
        t = (zone->LocalToUtc(local)) * kNanosPerSecond + w.nanos;
      }
    } else {
      int offset = zone != nullptr ? zone->OffsetAt(ctx.now / kNanosPerSecond) : ctx.utc_offset_seconds;
      t = WallTimeToInstant(w, offset, ctx.now);
    }
    if (!t.ok()) return Refuse(text, 0, t.status().message());
    out.nanos = t.value();
  }
  if (ctx.now != 0)
    out.suspicious = out.nanos > ctx.now + kSuspiciousFuture || out.nanos < ctx.now - kSuspiciousPast;
  return out;
}

// Epoch seconds, ms, µs or ns by the number of digits (10, 13, 16, 19), with an optional
// fraction after seconds. 0 bytes when the text is not one.
bool ReadEpochDigits(std::string_view s, Parts* p) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  std::string_view frac;
  if (n < s.size()) {
    if (n != 10 || s[n] != '.') return false;
    frac = s.substr(n + 1);
    if (frac.empty()) return false;
    for (char c : frac)
      if (!IsDigit(c)) return false;
  }
  int64_t unit;
  switch (n) {
    case 10: unit = kNanosPerSecond; break;
    case 13: unit = 1'000'000; break;
    case 16: unit = 1'000; break;
    case 19: unit = 1; break;
    default: return false;
  }
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v)) return false;
  }
  if (__builtin_mul_overflow(v, unit, &v)) return false;
  int64_t scale = unit / 10;
  for (char c : frac) {
    if (scale == 0) break;
    v += (c - '0') * scale;
    scale /= 10;
  }
  p->has_epoch = true;
  p->epoch_nanos = v;
  return true;
}

// ParseAnyTimestamp's reader: one pass, left to right, over the forms listed in the header.
class Detector {
 public:
  // `s` is `text` without the `lead` spaces before it (and those after): columns count in `text`.
  Detector(std::string_view text, size_t lead, std::string_view s, const TimeContext& ctx)
      : text_(text), lead_(lead), s_(s), ctx_(ctx) {}

  Status Run(Parts* p) {
    p_ = p;
    if (ReadEpochDigits(s_, p_)) return Status::Ok();
    if (DigitRun(0) == s_.size()) return Digits();
    SkipWeekday();
    RETURN_IF_ERROR(Date());
    Separator();
    if (Digit(i_)) RETURN_IF_ERROR(Time());
    return Zone();
  }

 private:
  bool Done() const { return i_ >= s_.size(); }
  bool Digit(size_t at) const { return at < s_.size() && IsDigit(s_[at]); }
  bool Alpha(size_t at) const { return at < s_.size() && IsAlpha(s_[at]); }
  char At(size_t at) const { return at < s_.size() ? s_[at] : '\0'; }
  size_t DigitRun(size_t at) const {
    size_t j = at;
    while (Digit(j)) ++j;
    return j - at;
  }
  std::string_view Word(size_t at) const {
    size_t j = at;
    while (Alpha(j)) ++j;
    return s_.substr(at, j - at);
  }
  int Number(size_t len) {
    int v = 0;
    for (size_t k = 0; k < len; ++k) v = v * 10 + (s_[i_ + k] - '0');
    i_ += len;
    return v;
  }
  void SkipSpaces() {
    while (At(i_) == ' ') ++i_;
  }
  Status Error(std::string_view why) const { return Refuse(text_, lead_ + i_, why); }
  Status ErrorAt(size_t at, std::string_view why) const { return Refuse(text_, lead_ + at, why); }

  // yyyy, yyyymmdd, yyyymmddhhmmss.
  Status Digits() {
    const size_t n = s_.size();
    if (n != 4 && n != 8 && n != 14)
      return Error(
          "a number that is neither a date (yyyy, yyyymmdd, yyyymmddhhmmss) nor epoch time (10, 13, 16 or 19 "
          "digits)");
    p_->year = Number(4);
    if (n >= 8) {
      p_->month = Number(2);
      p_->day = Number(2);
    }
    if (n == 14) {
      p_->hour = Number(2);
      p_->minute = Number(2);
      p_->second = Number(2);
    }
    return Status::Ok();
  }

  void SkipWeekday() {
    std::string_view w = Word(i_);
    if (NameIndex(kWeekdays, w) == 0) return;
    i_ += w.size();
    if (At(i_) == '.') ++i_;
    if (At(i_) == ',') ++i_;
    SkipSpaces();
  }

  // A month name at i_ (with an optional '.'); 0 when there is none.
  int MonthName() {
    std::string_view w = Word(i_);
    int m = NameIndex(kMonths, w);
    if (m == 0) return 0;
    i_ += w.size();
    if (At(i_) == '.') ++i_;
    return m;
  }

  // A year of 4 digits, or of 2 when not followed by ':' (then it is an hour).
  bool Year() {
    const size_t n = DigitRun(i_);
    if (n == 4) {
      p_->year = Number(4);
      return true;
    }
    if (n == 2 && At(i_ + 2) != ':') {
      p_->year = TwoDigitYear(Number(2));
      return true;
    }
    return false;
  }

  // Three numbers: the year is last; which of the first two is the month may be ambiguous.
  Status DayMonth(int a, int b, size_t at) {
    if (a == b || (a <= 12 && b > 12) || (a <= 12 && b <= 12 && ctx_.date_order == DateOrder::kMonthFirst)) {
      p_->month = a;
      p_->day = b;
    } else if ((a > 12 && b <= 12) || (a <= 12 && b <= 12 && ctx_.date_order == DateOrder::kDayFirst)) {
      p_->day = a;
      p_->month = b;
    } else if (a <= 12 && b <= 12) {
      return ErrorAt(at,
                    "ambiguous date: " + std::to_string(a) + " and " + std::to_string(b) +
                        " could each be the month (set the source's date order: month first or day first)");
    } else {
      return ErrorAt(at, "no such date");
    }
    return Status::Ok();
  }

  Status Date() {
    static constexpr std::string_view kYear = "\xe5\xb9\xb4", kMonth = "\xe6\x9c\x88", kDay = "\xe6\x97\xa5";
    if (Digit(i_)) {
      const size_t start = i_;
      const size_t n = DigitRun(i_);
      if (n == 4) {
        p_->year = Number(4);
        if (s_.substr(i_).starts_with(kYear)) {  // 2014年04月08日
          i_ += kYear.size();
          const size_t mn = DigitRun(i_);
          if (mn < 1 || mn > 2) return Error("expected the month after 年");
          p_->month = Number(mn);
          if (!s_.substr(i_).starts_with(kMonth)) return Error("expected 月");
          i_ += kMonth.size();
          const size_t dn = DigitRun(i_);
          if (dn < 1 || dn > 2) return Error("expected the day after 月");
          p_->day = Number(dn);
          if (!s_.substr(i_).starts_with(kDay)) return Error("expected 日");
          i_ += kDay.size();
          return Status::Ok();
        }
        const char sep = At(i_);
        if (sep != '-' && sep != '/' && sep != '.' && sep != ':') return Status::Ok();  // the year alone
        ++i_;
        if (int m = MonthName()) {
          p_->month = m;
        } else {
          const size_t mn = DigitRun(i_);
          if (mn < 1 || mn > 2) return Error("expected the month");
          p_->month = Number(mn);
        }
        if (At(i_) == sep && Digit(i_ + 1)) {
          ++i_;
          const size_t dn = DigitRun(i_);
          if (dn > 2) return Error("expected a day of 1 or 2 digits");
          p_->day = Number(dn);
        }
        return Status::Ok();
      }
      if (n == 6 && At(i_ + 6) == ' ') {  // yymmdd hh:mm:ss (MySQL's old logs)
        p_->year = TwoDigitYear(Number(2));
        p_->month = Number(2);
        p_->day = Number(2);
        return Status::Ok();
      }
      if (n > 2) return Error("expected a date");
      const int a = Number(n);
      const char sep = At(i_);
      if (sep == '/' || sep == '-' || sep == '.') {
        ++i_;
        if (int m = MonthName()) {  // 06/Jan/2008, 02-Jan-06
          p_->day = a;
          p_->month = m;
          if (At(i_) != sep) return Error("expected the year after the month");
          ++i_;
          if (!Year()) return Error("expected a year of 2 or 4 digits");
          return Status::Ok();
        }
        const size_t bn = DigitRun(i_);
        if (bn < 1 || bn > 2) return Error("expected the day or the month");
        const int b = Number(bn);
        if (At(i_) != sep) return Error("expected the year");
        ++i_;
        if (!Year()) return Error("expected a year of 2 or 4 digits");
        return DayMonth(a, b, start);
      }
      if (sep == ' ') {  // 12 Feb 2006, 7 oct 70
        SkipSpaces();
        p_->day = a;
        p_->month = MonthName();
        if (p_->month == 0) return Error("expected a month name");
        if (At(i_) == ',') ++i_;
        SkipSpaces();
        Year();
        return Status::Ok();
      }
      return Error("expected a date");
    }
    p_->month = MonthName();
    if (p_->month == 0) return Error("expected a date");
    SkipSpaces();
    const size_t dn = DigitRun(i_);
    if (dn < 1 || dn > 2) return Error("expected the day after the month");
    p_->day = Number(dn);
    for (std::string_view suffix : {"st", "nd", "rd", "th"}) {
      if (EqualsIgnoreCase(Word(i_), suffix)) i_ += 2;
    }
    if (At(i_) == ',') ++i_;
    const size_t before = i_;
    SkipSpaces();
    if (At(i_) == '\'' && DigitRun(i_ + 1) == 2) {
      ++i_;
      p_->year = TwoDigitYear(Number(2));
    } else if (!Year()) {
      i_ = before;
    }
    return Status::Ok();
  }

  // Between the date and the time: spaces, ',', 'T', "at", or Apache's ':'.
  void Separator() {
    for (;;) {
      const char c = At(i_);
      if (c == ' ' || c == ',') ++i_;
      else if ((c == 'T' || c == 't') && Digit(i_ + 1)) ++i_;
      else if (c == ':' && Digit(i_ + 1)) ++i_;
      else if (EqualsIgnoreCase(Word(i_), "at")) i_ += 2;
      else return;
    }
  }

  Status Time() {
    const size_t hn = DigitRun(i_);
    if (hn > 2 || At(i_ + hn) != ':') return Status::Ok();  // not a time: Zone() reads a trailing year
    p_->hour = Number(hn);
    ++i_;
    const size_t mn = DigitRun(i_);
    if (mn != 2) return Error("expected minutes of 2 digits");
    p_->minute = Number(2);
    if (At(i_) == ':' && DigitRun(i_ + 1) == 2) {
      ++i_;
      p_->second = Number(2);
      // A fraction after '.', ',' (log4j, Python) or ':' ("03:21:51:897").
      const char c = At(i_);
      if ((c == '.' || c == ',' || c == ':') && Digit(i_ + 1)) {
        ++i_;
        int32_t scale = 100'000'000;
        while (Digit(i_)) {
          p_->nanos += (s_[i_++] - '0') * scale;
          scale /= 10;
        }
      }
    }
    if (p_->hour > 23 || p_->minute > 59 || p_->second > 60) return Error("time of day out of range");
    const size_t before = i_;
    SkipSpaces();
    std::string_view w = Word(i_);
    if (EqualsIgnoreCase(w, "am") || EqualsIgnoreCase(w, "pm")) {
      p_->ampm = Lower(w[0]) == 'a' ? 1 : 2;
      i_ += 2;
    } else {
      i_ = before;
    }
    return Status::Ok();
  }

  Status NumericOffset() {
    int off;
    const size_t n = ReadOffset(s_, i_, &off);
    if (n == 0) return Error("expected an offset like +hh, +hhmm or +hh:mm");
    if (p_->has_offset && off != p_->offset) return Error("a second offset that differs from the first");
    p_->has_offset = true;
    p_->offset = off;
    i_ += n;
    return Status::Ok();
  }

  // Zone names and offsets, comments in parentheses, a year after the time, Go's "m=+0.001".
  Status Zone() {
    while (!Done()) {
      const char c = s_[i_];
      if (c == ' ') {
        ++i_;
      } else if (c == '(') {
        const size_t close = s_.find(')', i_);
        if (close == std::string_view::npos) return Error("no ')' to close the '('");
        i_ = close + 1;
      } else if ((c == '+' || c == '-') && Digit(i_ + 1)) {
        RETURN_IF_ERROR(NumericOffset());
      } else if (IsDigit(c)) {
        if (p_->year >= 0 || DigitRun(i_) != 4) return Error("unexpected number");
        p_->year = Number(4);
      } else if (IsAlpha(c)) {
        RETURN_IF_ERROR(ZoneWord());
      } else {
        return Error(std::string("unexpected '") + c + "'");
      }
    }
    return Status::Ok();
  }

  Status ZoneWord() {
    std::string_view w = Word(i_);
    const size_t start = i_;
    if (At(i_ + w.size()) == '/') {  // an IANA name: Europe/Berlin, America/Argentina/Buenos_Aires
      size_t j = i_;
      while (j < s_.size() && (IsAlpha(s_[j]) || IsDigit(s_[j]) || s_[j] == '/' || s_[j] == '_' || s_[j] == '-' ||
                               s_[j] == '+'))
        ++j;
      auto zone = LoadTimeZone(s_.substr(i_, j - i_));
      if (!zone.ok()) return Error(zone.status().message());
      p_->zone = std::move(zone).value();
      i_ = j;
      return Status::Ok();
    }
    if (w == "m" && At(i_ + 1) == '=') {  // Go's monotonic clock reading
      while (!Done() && s_[i_] != ' ') ++i_;
      return Status::Ok();
    }
    i_ += w.size();
    const bool offset_follows = (At(i_) == '+' || At(i_) == '-') && Digit(i_ + 1);
    int offset;
    if (ZoneAbbreviationOffset(w, &offset)) {
      // "GMT+0100", "PST-08": the written offset says it (east of UTC, as ISO 8601 and JavaScript).
      if (offset_follows) return NumericOffset();
      p_->has_abbreviation = true;
      p_->abbreviation_offset = offset;
      return Status::Ok();
    }
    if (p_->has_offset) return Status::Ok();  // "+0300 MSK": the offset says it all
    return ErrorAt(start, "unknown or ambiguous time zone abbreviation '" + std::string(w) +
                                 "' (write an offset or an IANA name such as Europe/Berlin)");
  }

  std::string_view text_;
  size_t lead_;
  std::string_view s_;
  const TimeContext& ctx_;
  Parts* p_ = nullptr;
  size_t i_ = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ZoneAbbreviationOffset(std::string_view name, int* offset_seconds) {
  for (const auto& a : kAbbreviations) {
    if (a.name == name) {
      *offset_seconds = a.offset_minutes * 60;
      return true;
    }
  }
  return false;
}

Result<ParsedTime> ParseAnyTimestamp(std::string_view text, const TimeContext& ctx) {
  std::string_view s = Trim(text);
  if (s.empty()) return Refuse(text, 0, "empty");
  Parts parts;
  RETURN_IF_ERROR(Detector(text, s.data() - text.data(), s, ctx).Run(&parts));
  return Resolve(parts, ctx, text);
}

// ---------------------------------------------------------------------------------------------
// TimeFormat

Result<TimeFormat> TimeFormat::Compile(std::string_view format) {
  TimeFormat f;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      f.format_.push_back(format[i]);
      continue;
    }
    if (i + 1 >= format.size())
      return Status::InvalidArgument("time format '" + std::string(format) + "': column " + std::to_string(i + 1) +
                                     ": '%' at the end");
    const char d = format[++i];
    switch (d) {
      case 'T': f.format_ += "%H:%M:%S"; break;
      case 'F': f.format_ += "%Y-%m-%d"; f.has_date_ = true; break;
      case 'D': f.format_ += "%m/%d/%y"; f.has_date_ = true; break;
      case 'R': f.format_ += "%H:%M"; break;
      case 'Y': case 'y': case 'm': case 'd': case 'e': case 'H': case 'I': case 'p': case 'M': case 'S':
      case 'f': case 'b': case 'h': case 'B': case 'a': case 'A': case 'z': case 'Z': case 's': case 'j':
      case '%':
        f.format_ += '%';
        f.format_ += d;
        f.has_date_ |= std::string_view("YymdebhBjs").find(d) != std::string_view::npos;
        break;
      default:
        return Status::InvalidArgument("time format '" + std::string(format) + "': column " + std::to_string(i) +
                                       ": unknown directive '%" + std::string(1, d) + "'");
    }
  }
  return f;
}

Result<ParsedTime> TimeFormat::Parse(std::string_view text, const TimeContext& ctx) const {
  size_t consumed = 0;
  ASSIGN_OR_RETURN(ParsedTime t, ParsePrefix(text, ctx, &consumed));
  if (consumed != text.size()) return Refuse(text, consumed, "unexpected text after '" + format_ + "'");
  return t;
}

Result<ParsedTime> TimeFormat::ParsePrefix(std::string_view s, const TimeContext& ctx, size_t* consumed) const {
  Parts p;
  p.time_of_day_only = !has_date_;
  int day_of_year = 0;
  size_t i = 0;
  auto fail = [&](std::string_view what) { return Refuse(s, i, "expected " + std::string(what) + " ('" + format_ + "')"); };
  // Up to `max` digits, at least `min`.
  auto number = [&](size_t min, size_t max, int* v) {
    size_t j = i;
    *v = 0;
    while (j < s.size() && j - i < max && IsDigit(s[j])) *v = *v * 10 + (s[j++] - '0');
    if (j - i < min) return false;
    i = j;
    return true;
  };
  for (size_t k = 0; k < format_.size(); ++k) {
    const char fc = format_[k];
    if (fc == ' ') {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      continue;
    }
    if (fc != '%') {
      if (i >= s.size() || s[i] != fc) return fail(std::string("'") + fc + "'");
      ++i;
      continue;
    }
    const char d = format_[++k];
    switch (d) {
      case 'Y':
        if (!number(4, 4, &p.year)) return fail("a 4-digit year");
        break;
      case 'y': {
        int y;
        if (!number(2, 2, &y)) return fail("a 2-digit year");
        p.year = TwoDigitYear(y);
        break;
      }
      case 'm':
        if (!number(1, 2, &p.month)) return fail("the month");
        break;
      case 'e':
        if (i < s.size() && s[i] == ' ') ++i;
        [[fallthrough]];
      case 'd':
        if (!number(1, 2, &p.day)) return fail("the day");
        break;
      case 'H':
      case 'I':
        if (!number(1, 2, &p.hour)) return fail("the hour");
        break;
      case 'M':
        if (!number(1, 2, &p.minute)) return fail("the minutes");
        break;
      case 'S':
        if (!number(1, 2, &p.second)) return fail("the seconds");
        break;
      case 'j':
        if (!number(1, 3, &day_of_year) || day_of_year < 1 || day_of_year > 366) return fail("the day of the year");
        break;
      case 'f': {
        const size_t start = i;
        int32_t scale = 100'000'000;
        while (i < s.size() && IsDigit(s[i])) {
          p.nanos += (s[i++] - '0') * scale;
          scale /= 10;
        }
        if (i == start) return fail("a fraction of a second");
        break;
      }
      case 'p': {
        size_t j = i;
        while (j < s.size() && (IsAlpha(s[j]) || s[j] == '.')) ++j;
        std::string_view w = s.substr(i, j - i);
        if (EqualsIgnoreCase(w, "am") || EqualsIgnoreCase(w, "a.m.")) p.ampm = 1;
        else if (EqualsIgnoreCase(w, "pm") || EqualsIgnoreCase(w, "p.m.")) p.ampm = 2;
        else return fail("AM or PM");
        i = j;
        break;
      }
      case 'b':
      case 'h':
      case 'B':
      case 'a':
      case 'A': {
        size_t j = i;
        while (j < s.size() && IsAlpha(s[j])) ++j;
        std::string_view w = s.substr(i, j - i);
        const bool month = d != 'a' && d != 'A';
        const int v = month ? NameIndex(kMonths, w) : NameIndex(kWeekdays, w);
        if (v == 0) return fail(month ? "a month name" : "a weekday name");
        if (month) p.month = v;
        i = j;
        break;
      }
      case 'z': {
        if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
          p.has_offset = true;
          p.offset = 0;
          ++i;
          break;
        }
        const size_t n = ReadOffset(s, i, &p.offset);
        if (n == 0) return fail("an offset (Z, +hh, +hhmm or +hh:mm)");
        p.has_offset = true;
        i += n;
        break;
      }
      case 'Z': {
        size_t j = i;
        while (j < s.size() && (IsAlpha(s[j]) || IsDigit(s[j]) || s[j] == '/' || s[j] == '_' ||
                                ((s[j] == '-' || s[j] == '+') && j > i && s.substr(i, j - i).find('/') != std::string_view::npos)))
          ++j;
        std::string_view w = s.substr(i, j - i);
        if (w.empty()) return fail("a time zone name");
        int off;
        if (ZoneAbbreviationOffset(w, &off)) {
          p.has_abbreviation = true;
          p.abbreviation_offset = off;
        } else {
          auto zone = LoadTimeZone(w);
          if (!zone.ok())
            return Refuse(s, i, "unknown or ambiguous time zone '" + std::string(w) + "': " + zone.status().message());
          p.zone = std::move(zone).value();
        }
        i = j;
        break;
      }
      case 's': {
        size_t j = i;
        if (j < s.size() && s[j] == '-') ++j;
        const size_t digits_at = j;
        int64_t v = 0;
        while (j < s.size() && IsDigit(s[j])) {
          if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[j] - '0', &v) ||
              v > std::numeric_limits<int64_t>::max() / kNanosPerSecond)
            return fail("epoch seconds in range");
          ++j;
        }
        if (j == digits_at) return fail("epoch seconds");
        int64_t nanos = v * kNanosPerSecond;
        if (j + 1 < s.size() && s[j] == '.' && IsDigit(s[j + 1])) {
          ++j;
          int64_t scale = kNanosPerSecond / 10;
          while (j < s.size() && IsDigit(s[j])) {
            nanos += (s[j++] - '0') * scale;
            scale /= 10;
          }
        }
        p.has_epoch = true;
        p.epoch_nanos = s[i] == '-' ? -nanos : nanos;
        i = j;
        break;
      }
      case '%':
        if (i >= s.size() || s[i] != '%') return fail("'%'");
        ++i;
        break;
      default:
        return Status::Internal("BUG: TimeFormat directive '%" + std::string(1, d) + "' passed Compile");
    }
  }
  if (day_of_year != 0 && p.year > 0) {
    int64_t y;
    unsigned m, dd;
    CivilFromDays(DaysFromCivil(p.year, 1, 1) + day_of_year - 1, &y, &m, &dd);
    if (y != p.year) return Refuse(s, 0, "day of the year " + std::to_string(day_of_year) + " is not in " + std::to_string(p.year));
    p.month = static_cast<int>(m);
    p.day = static_cast<int>(dd);
  }
  *consumed = i;
  return Resolve(p, ctx, s);
}

}  // namespace sawlog
