// Fuzzes core/time_format.h: ParseAnyTimestamp on the input, and TimeFormat with the input's first
// line as the format and the rest as the text.
// Invariants:
//   - errors are InvalidArgument and name a column (1 to the text's length + 1);
//   - an accepted instant prints and parses back (FormatRfc3339Nano / ParseRfc3339);
//   - the suspicious flag is set exactly when the instant is that far from `now`;
//   - month-first and day-first agree with the default on every text it accepts.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/time_format.h"
#include "core/timestamp.h"

namespace {

// 2026-06-15T12:00:00Z
constexpr int64_t kNow = 1'781'524'800LL * sawlog::kNanosPerSecond;

// The column follows the quoted text (at most 64 bytes of it), which may itself hold ": column ".
void CheckError(const sawlog::Status& st, size_t text_size) {
  if (st.code() != sawlog::Code::kInvalidArgument) __builtin_trap();
  constexpr std::string_view kColumn = "' as a timestamp: column ";
  size_t at = st.message().find(kColumn, std::min<size_t>(text_size, 64));
  if (at == std::string::npos) __builtin_trap();
  std::string_view rest = std::string_view(st.message()).substr(at + kColumn.size());
  size_t column = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), column);
  if (ec != std::errc() || column < 1 || column > text_size + 1) __builtin_trap();
}

void CheckTime(const sawlog::ParsedTime& t, const sawlog::TimeContext& ctx) {
  auto back = sawlog::ParseRfc3339(sawlog::FormatRfc3339Nano(t.nanos));
  if (!back.ok() || back.value() != t.nanos) __builtin_trap();
  const bool far = t.nanos > ctx.now + sawlog::kSuspiciousFuture || t.nanos < ctx.now - sawlog::kSuspiciousPast;
  if (t.suspicious != far) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sawlog::TimeContext ctx;
  ctx.now = kNow;
  auto any = sawlog::ParseAnyTimestamp(input, ctx);
  sawlog::TimeContext us = ctx, eu = ctx;
  us.date_order = sawlog::DateOrder::kMonthFirst;
  eu.date_order = sawlog::DateOrder::kDayFirst;
  auto as_us = sawlog::ParseAnyTimestamp(input, us);
  auto as_eu = sawlog::ParseAnyTimestamp(input, eu);
  if (any.ok()) {
    CheckTime(any.value(), ctx);
    if (!as_us.ok() || !as_eu.ok() || as_us.value() != any.value() || as_eu.value() != any.value()) __builtin_trap();
  } else {
    CheckError(any.status(), input.size());
  }

  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto format = sawlog::TimeFormat::Compile(input.substr(0, newline));
  if (!format.ok()) {
    if (format.status().code() != sawlog::Code::kInvalidArgument) __builtin_trap();
    return 0;
  }
  std::string_view text = input.substr(newline + 1);
  auto t = format.value().Parse(text, ctx);
  if (t.ok()) CheckTime(t.value(), ctx);
  else CheckError(t.status(), text.size());
  return 0;
}
