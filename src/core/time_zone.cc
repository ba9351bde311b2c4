#include "core/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

#include "core/env.h"
#include "core/timestamp.h"

namespace sawlog {

// The POSIX TZ string of a TZif footer, e.g. "CET-1CEST,M3.5.0,M10.5.0/3": standard offset,
// and optionally a daylight-saving offset with the local dates and times it starts and ends.
struct TimeZone::Rule {
  struct Date {
    char kind = 'M';  // 'J': Julian day 1..365 without Feb 29; 'N': day 0..365; 'M': month.week.weekday
    int a = 0, b = 0, c = 0;
    int time = 7200;  // local seconds after midnight (02:00 by default)
  };
  int std_offset = 0;  // east of UTC
  bool has_dst = false;
  int dst_offset = 0;
  Date start, end;

  // Days since the epoch of `d` in `year`.
  static int64_t Day(const Date& d, int64_t year) {
    if (d.kind == 'M') {
      int64_t first = DaysFromCivil(year, static_cast<unsigned>(d.a), 1);
      int weekday_of_first = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
      int day = 1 + (d.c - weekday_of_first + 7) % 7 + (d.b - 1) * 7;
      const int last = DaysInMonth(static_cast<int>(year), d.a);
      while (day > last) day -= 7;  // week 5: the last such weekday
      return first + day - 1;
    }
    int64_t jan1 = DaysFromCivil(year, 1, 1);
    if (d.kind == 'N') return jan1 + d.a;
    const bool leap = DaysInMonth(static_cast<int>(year), 2) == 29;
    return jan1 + d.a - 1 + (leap && d.a >= 60 ? 1 : 0);
  }

  int OffsetAt(int64_t t) const {
    if (!has_dst) return std_offset;
    int64_t y;
    unsigned m, dd;
    int64_t local = t + std_offset;
    CivilFromDays(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &dd);
    const int64_t s = Day(start, y) * 86400 + start.time - std_offset;
    const int64_t e = Day(end, y) * 86400 + end.time - dst_offset;
    const bool dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
    return dst ? dst_offset : std_offset;
  }
};

namespace {

class RuleReader {
 public:
  explicit RuleReader(std::string_view s) : s_(s) {}

  bool Read(TimeZone::Rule* r) {
    if (!Name() || !Offset(&r->std_offset)) return false;
    r->std_offset = -r->std_offset;  // POSIX counts west of UTC
    if (Done()) return true;
    r->has_dst = true;
    if (!Name()) return false;
    r->dst_offset = r->std_offset + 3600;
    if (!Done() && s_[i_] != ',') {
      if (!Offset(&r->dst_offset)) return false;
      r->dst_offset = -r->dst_offset;
    }
    if (Done()) {  // no rule: the US rules of 2007, as POSIX leaves it to the implementation
      r->start = {'M', 3, 2, 0, 7200};
      r->end = {'M', 11, 1, 0, 7200};
      return true;
    }
    return Eat(',') && Date(&r->start) && Eat(',') && Date(&r->end) && Done();
  }

 private:
  bool Done() const { return i_ >= s_.size(); }
  bool Eat(char c) {
    if (Done() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string_view::npos) return false;
      i_ = close + 1;
      return true;
    }
    size_t start = i_;
    while (!Done() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z'))) ++i_;
    return i_ - start >= 3;
  }
  bool Number(int* v) {
    size_t start = i_;
    *v = 0;
    while (!Done() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 4) *v = *v * 10 + (s_[i_++] - '0');
    return i_ > start;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool Offset(int* seconds) {
    int sign = 1;
    if (Eat('-')) sign = -1;
    else Eat('+');
    int h, m = 0, s = 0;
    if (!Number(&h)) return false;
    if (Eat(':') && !Number(&m)) return false;
    if (Eat(':') && !Number(&s)) return false;
    *seconds = sign * (h * 3600 + m * 60 + s);
    return true;
  }
  bool Date(TimeZone::Rule::Date* d) {
    if (Eat('M')) {
      d->kind = 'M';
      if (!Number(&d->a) || !Eat('.') || !Number(&d->b) || !Eat('.') || !Number(&d->c)) return false;
      if (d->a < 1 || d->a > 12 || d->b < 1 || d->b > 5 || d->c > 6) return false;
    } else {
      d->kind = Eat('J') ? 'J' : 'N';
      if (!Number(&d->a) || d->a > 365 || (d->kind == 'J' && d->a < 1)) return false;
    }
    d->time = 7200;
    return !Eat('/') || Offset(&d->time);
  }

  std::string_view s_;
  size_t i_ = 0;
};

int64_t BigEndian(std::string_view b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

TimeZone TimeZone::Fixed(int offset_seconds) {
  TimeZone z;
  const int a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%c%02d:%02d", offset_seconds < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
  z.name_ = buf;
  z.initial_offset_ = offset_seconds;
  return z;
}

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view b) {
  auto bad = [&](std::string_view why) {
    return Status::Corruption("time zone file '" + std::string(name) + "': " + std::string(why));
  };
  constexpr size_t kHeader = 44;
  if (b.size() < kHeader || b.substr(0, 4) != "TZif") return bad("no TZif header");
  const char version = b[4];
  size_t at = 0;
  size_t time_size = 4;
  auto counts = [&](size_t h, int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = BigEndian(b, h + 20 + 4 * i, 4);
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  if (version >= '2') {  // skip the 32-bit block to the 64-bit one
    for (int64_t v : c)
      if (v < 0 || v > (1 << 20)) return bad("bad counts");
    at = kHeader + c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (at + kHeader > b.size() || b.substr(at, 4) != "TZif") return bad("no second header");
    counts(at, c);
    time_size = 8;
  }
  for (int64_t v : c)
    if (v < 0 || v > (1 << 20)) return bad("bad counts");
  const int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt < 1) return bad("no local time types");
  const size_t times_at = at + kHeader;
  const size_t idx_at = times_at + timecnt * time_size;
  const size_t types_at = idx_at + timecnt;
  const size_t end = types_at + typecnt * 6 + c[5] + c[2] * (time_size + 4) + c[1] + c[0];
  if (end > b.size()) return bad("truncated");
  TimeZone z;
  z.name_ = std::string(name);
  auto type_offset = [&](int64_t i) { return static_cast<int32_t>(BigEndian(b, types_at + i * 6, 4)); };
  for (int64_t i = 0; i < timecnt; ++i) {
    const int64_t t = BigEndian(b, times_at + i * time_size, time_size);
    const int type = static_cast<unsigned char>(b[idx_at + i]);
    if (type >= typecnt) return bad("transition to a type that does not exist");
    if (!z.transitions_.empty() && t <= z.transitions_.back()) return bad("transitions out of order");
    z.transitions_.push_back(t);
    z.offsets_.push_back(type_offset(type));
  }
  // RFC 8536 3.2: before the first transition, type 0.
  z.initial_offset_ = type_offset(0);
  if (version >= '2' && end < b.size() && b[end] == '\n') {
    size_t close = b.find('\n', end + 1);
    std::string_view footer = b.substr(end + 1, close == std::string_view::npos ? 0 : close - end - 1);
    if (!footer.empty()) {
      auto rule = std::make_shared<Rule>();
      if (!RuleReader(footer).Read(rule.get())) return bad("cannot read the TZ footer '" + std::string(footer) + "'");
      z.rule_ = std::move(rule);
    }
  }
  return z;
}

int TimeZone::OffsetAt(int64_t t) const {
  if (transitions_.empty() || t < transitions_.front()) {
    return transitions_.empty() && rule_ ? rule_->OffsetAt(t) : initial_offset_;
  }
  if (t >= transitions_.back() && rule_) return rule_->OffsetAt(t);
  size_t i = std::upper_bound(transitions_.begin(), transitions_.end(), t) - transitions_.begin();
  return offsets_[i - 1];
}

int64_t TimeZone::LocalToUtc(int64_t local) const {
  // The offsets a day before and after cover every transition but two within a day of each other.
  const int before = OffsetAt(local - 86400);
  const int after = OffsetAt(local + 86400);
  int64_t best = 0;
  bool found = false;
  for (int o : {before, after}) {
    const int64_t u = local - o;
    if (OffsetAt(u) == o && (!found || u < best)) {
      best = u;
      found = true;
    }
  }
  return found ? best : local - before;
}

Result<std::shared_ptr<const TimeZone>> LoadTimeZone(std::string_view name) {
  auto invalid = [&] { return Status::InvalidArgument("'" + std::string(name) + "' is not a time zone name"); };
  if (name.empty() || name.size() > 64 || name[0] == '/' || name.find("..") != std::string_view::npos) return invalid();
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
          c == '-' || c == '+'))
      return invalid();
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  auto bytes = Env::Default()->ReadFile(path);
  if (!bytes.ok()) return Status::NotFound("unknown time zone '" + std::string(name) + "' (no " + path + ")");
  ASSIGN_OR_RETURN(TimeZone zone, TimeZone::FromTzif(name, bytes.value()));
  auto shared = std::make_shared<const TimeZone>(std::move(zone));
  cache.emplace(std::string(name), shared);
  return shared;
}

}  // namespace sawlog
