// Time values at the edges of sawlog: parsing what users and shippers send, printing what we return.
// Internally every instant is int64 nanoseconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sawlog {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// RFC 3339 / ISO 8601: "2026-11-01T12:00:00.123456789Z", "+02:00"/"+0200" offsets, a space for
// 'T', no offset meaning UTC, or a bare date "2026-11-01" (midnight UTC).
Result<int64_t> ParseRfc3339(std::string_view text);

// Epoch numbers; the unit follows from the magnitude of the integer part (as VictoriaLogs and
// Vector do): < 1e11 seconds, < 1e14 milliseconds, < 1e17 microseconds, otherwise nanoseconds.
// A fraction is allowed ("1700000000.25").
Result<int64_t> ParseEpoch(std::string_view text);

// RFC 3339 or epoch, whichever the text is.
Result<int64_t> ParseTimestamp(std::string_view text);

// "2026-11-01T12:00:00.123456789Z": always nine fraction digits, so strings sort like instants.
std::string FormatRfc3339Nano(int64_t nanos);
// "2026-11-01": the day partition of an instant.
std::string FormatDay(int64_t nanos);

// Durations: "500ms", "30s", "5m", "1h", "7d", "1w", and sums like "1h30m".
Result<int64_t> ParseDuration(std::string_view text);

// Byte sizes: "512", "64KB", "50GB" (powers of 1000), "512MiB", "1GiB" (powers of 1024).
Result<uint64_t> ParseByteSize(std::string_view text);

}  // namespace sawlog
