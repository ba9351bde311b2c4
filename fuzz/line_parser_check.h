// What every LineParser must hold on any input, checked by the fuzz_<parser> targets:
//   - errors are InvalidArgument and, for the parsers that report one, name a column between 1
//     and the line's length + 1;
//   - no state leaks from line to line: the same line parses the same after another one;
//   - valid UTF-8 in gives valid UTF-8 out (field names, values, msg);
//   - a time, when there is one, is an instant FormatRfc3339Nano prints and ParseRfc3339 reads back.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include "core/timestamp.h"
#include "parse/line_parser.h"
#include "parse/utf8.h"

namespace sawlog::fuzz {

// 2026-06-15T12:00:00Z: "now" for year inference.
inline constexpr int64_t kNow = 1'781'524'800LL * kNanosPerSecond;

inline bool NamesColumn(const Status& st, size_t line_size) {
  size_t at = st.message().find(": column ");
  if (at == std::string::npos) return false;
  std::string_view rest = std::string_view(st.message()).substr(at + 9);
  size_t column = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), column);
  return ec == std::errc() && column >= 1 && column <= line_size + 1;
}

// Parses `line` with `parser`, checks the invariants above and returns the result in *out.
inline Status CheckLineParser(LineParser* parser, std::string_view line, const ParseContext& ctx, bool names_column,
                              ParsedLine* out) {
  Status st = parser->Parse(line, ctx, out);
  if (!st.ok()) {
    if (st.code() != Code::kInvalidArgument) __builtin_trap();
    if (names_column && !NamesColumn(st, line.size())) __builtin_trap();
  } else {
    if (IsValidUtf8(line)) {
      for (const auto& f : out->fields)
        if (!IsValidUtf8(f.name) || !IsValidUtf8(f.value)) __builtin_trap();
      if (out->msg && !IsValidUtf8(*out->msg)) __builtin_trap();
    }
    if (out->time) {
      auto back = ParseRfc3339(FormatRfc3339Nano(*out->time));
      if (!back.ok() || back.value() != *out->time) __builtin_trap();
    }
  }
  // Another line in between, then the same line again: the same answer.
  ParsedLine other, again;
  (void)parser->Parse("x=1 <13>Jan  1 00:00:00 h a: m", ctx, &other);
  Status st_again = parser->Parse(line, ctx, &again);
  if (st_again.ok() != st.ok() || st_again.message() != st.message()) __builtin_trap();
  if (st.ok() && !(again == *out)) __builtin_trap();
  return st;
}

// For parsers made from fuzzed configuration (regex, grok): a refused configuration must be
// InvalidArgument; a made parser is checked on `line` as above.
inline void CheckConfiguredParser(const Result<std::unique_ptr<LineParser>>& made, std::string_view line,
                                  const ParseContext& ctx) {
  if (!made.ok()) {
    if (made.status().code() != Code::kInvalidArgument) __builtin_trap();
    return;
  }
  ParsedLine parsed;
  (void)CheckLineParser(made.value().get(), line, ctx, true, &parsed);
}

inline ParseContext FuzzContext() {
  ParseContext ctx;
  ctx.now = kNow;
  return ctx;
}

}  // namespace sawlog::fuzz
