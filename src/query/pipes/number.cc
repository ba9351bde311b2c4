#include <charconv>
#include <cmath>
#include <cstdio>

#include "query/pipes/pipes.h"
#include "query/value.h"

namespace sawlog::query::pipes {

bool ParseNumber(std::string_view text, double* out) { return ParseNumberText(text, out); }

std::string FormatNumber(double v) {
  if (std::nearbyint(v) == v && std::fabs(v) < 9.007199254740992e15) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // The shortest form that reads back the same, as people expect (0.1, not 0.10000000000000001).
  for (int digits = 1; digits <= 17; ++digits) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", digits, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

}  // namespace sawlog::query::pipes
