// Base64 (RFC 4648, with padding): OTLP's JSON encoding of `bytes` values, and how sawlog writes
// a bytes attribute as text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sawlog::otlp {

inline std::string Base64Encode(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// Also takes the URL-safe alphabet and missing padding, as protobuf's JSON parsers do; false on
// any other byte.
inline bool Base64Decode(std::string_view in, std::string* out) {
  out->clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' || c == '-' ? 62
            : c == '/' || c == '_' ? 63
                                   : -1;
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      *out += static_cast<char>(bits >> 16);
      *out += static_cast<char>(bits >> 8);
      *out += static_cast<char>(bits);
      bits = 0;
      count = 0;
    }
  }
  if (count == 1) return false;
  if (count == 2) *out += static_cast<char>(bits >> 4);
  if (count == 3) {
    *out += static_cast<char>(bits >> 10);
    *out += static_cast<char>(bits >> 2);
  }
  return true;
}

}  // namespace sawlog::otlp
