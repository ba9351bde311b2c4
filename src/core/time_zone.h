// TimeZone: the UTC offset of a place at any instant, read from the system's IANA time zone
// database (TZif files under /usr/share/zoneinfo, RFC 8536), or a fixed offset.
//
// Why our own reader: gcc 12's libstdc++ has no std::chrono::tzdb (locate_zone arrived in gcc 14),
// and Debian packages no other C++ tz library we may depend on. TZif is small and specified; this
// reads version 1 to 4 files, including the POSIX TZ footer that gives the rule after the last
// listed transition (slim files list none after 2007, fat ones stop in 2037).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sawlog {

class TimeZone {
 public:
  // A zone that is always `offset_seconds` east of UTC, named e.g. "+02:00".
  static TimeZone Fixed(int offset_seconds);
  // Parses the bytes of a TZif file. Corruption names `name` and what is wrong.
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view bytes);

  const std::string& name() const { return name_; }
  // Seconds east of UTC at the instant `utc_seconds` (seconds since the epoch).
  int OffsetAt(int64_t utc_seconds) const;
  // The instant of a wall-clock time (seconds since the epoch as if the wall clock were UTC).
  // In an overlap (clocks turned back) the earlier instant; in a gap (clocks turned forward) the
  // wall time read at the offset before the gap, as POSIX mktime and java.time do.
  int64_t LocalToUtc(int64_t local_seconds) const;

  struct Rule;  // the POSIX TZ footer (time_zone.cc)

 private:
  std::string name_;
  std::vector<int64_t> transitions_;   // UTC seconds, ascending
  std::vector<int32_t> offsets_;       // the offset from transitions_[i] on
  int32_t initial_offset_ = 0;         // before the first transition
  std::shared_ptr<const Rule> rule_;   // after the last transition, when the file has one
};

// The zone named `name` ("Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires") from the
// directory in $TZDIR or /usr/share/zoneinfo; loaded once and kept (thread-safe). NotFound when
// there is no such zone, InvalidArgument for a name that is not a zone name (e.g. with "..").
Result<std::shared_ptr<const TimeZone>> LoadTimeZone(std::string_view name);

}  // namespace sawlog
