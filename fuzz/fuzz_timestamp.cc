// Fuzzes the time parsers of core/timestamp.h: ParseRfc3339, ParseEpoch, ParseTimestamp and
// ParseDuration, and FormatRfc3339Nano on the instants they produce.
// Invariants:
//   - every instant ParseRfc3339 accepts prints and parses back to itself;
//   - ParseTimestamp agrees with whichever of the two parsers it chose;
//   - any instant in the representable range (the first 8 input bytes read as an int64) round-trips
//     through FormatRfc3339Nano and ParseRfc3339, and FormatDay is its first ten characters;
//   - a parsed duration is not negative.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace {

void CheckRoundTrip(int64_t t) {
  std::string text = sawlog::FormatRfc3339Nano(t);
  auto back = sawlog::ParseRfc3339(text);
  if (!back.ok() || back.value() != t) __builtin_trap();
  if (sawlog::FormatDay(t) != text.substr(0, 10)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto rfc = sawlog::ParseRfc3339(text);
  if (rfc.ok()) CheckRoundTrip(rfc.value());

  auto epoch = sawlog::ParseEpoch(text);
  if (epoch.ok()) {
    // Epoch values print whatever their sign; only those in the RFC 3339 range must round-trip.
    (void)sawlog::FormatRfc3339Nano(epoch.value());
  }

  auto ts = sawlog::ParseTimestamp(text);
  if (text.size() >= 10 && text[4] == '-') {
    if (ts.ok() != rfc.ok() || (ts.ok() && ts.value() != rfc.value())) __builtin_trap();
  } else {
    if (ts.ok() != epoch.ok() || (ts.ok() && ts.value() != epoch.value())) __builtin_trap();
  }

  auto duration = sawlog::ParseDuration(text);
  if (duration.ok() && duration.value() < 0) __builtin_trap();

  // Any instant whose seconds are within the range ParseRfc3339 accepts (1677-09-21 to 2262-04-11)
  // round-trips.
  if (size >= 8) {
    int64_t t;
    std::memcpy(&t, data, sizeof(t));
    constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / sawlog::kNanosPerSecond - 1;
    int64_t secs = t / sawlog::kNanosPerSecond - (t % sawlog::kNanosPerSecond < 0 ? 1 : 0);
    if (secs <= kMaxSeconds && secs >= -kMaxSeconds) CheckRoundTrip(t);
    else (void)sawlog::FormatRfc3339Nano(t);
  }
  return 0;
}
