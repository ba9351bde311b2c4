// Reading field values as numbers and IPv4 addresses, for range and CIDR filters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sawlog::query {

// A decimal number (integer or floating point), the whole text.
bool ParseNumberText(std::string_view text, double* out);
// A computed number as text: integers without a fraction, others in the shortest form that
// reads back the same (0.1, not 0.10000000000000001).
std::string FormatNumber(double v);
// A dotted IPv4 address, the whole text.
bool ParseIpv4(std::string_view text, uint32_t* out);
// "10.0.0.0/8" → the first and last address of the block.
bool ParseCidr(std::string_view text, uint32_t* lo, uint32_t* hi);

}  // namespace sawlog::query
