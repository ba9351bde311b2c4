#include "query/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sawlog::query {

bool ParseNumberText(std::string_view text, double* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && p == end && std::isfinite(*out);
}

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

bool ParseIpv4(std::string_view text, uint32_t* out) {
  uint32_t ip = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) v = v * 10 + static_cast<unsigned>(text[i++] - '0');
    if (i == start || v > 255) return false;
    ip = ip << 8 | v;
  }
  if (i != text.size()) return false;
  *out = ip;
  return true;
}

bool ParseCidr(std::string_view text, uint32_t* lo, uint32_t* hi) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  uint32_t ip;
  if (!ParseIpv4(text.substr(0, slash), &ip)) return false;
  std::string_view bits = text.substr(slash + 1);
  unsigned n = 0;
  auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
  if (ec != std::errc() || p != bits.data() + bits.size() || bits.empty() || n > 32) return false;
  uint32_t mask = n == 0 ? 0 : ~uint32_t{0} << (32 - n);
  *lo = ip & mask;
  *hi = *lo | ~mask;
  return true;
}

}  // namespace sawlog::query
