// Writing the few MessagePack values the forward protocol's server sends (HELO, PONG, acks), and
// that tests and the benchmark use to build clients' messages.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sawlog::msgpack {

inline void AppendBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A length-prefixed value of the str/bin/array/map families: fix form (when fix_limit > 0 and
// n < fix_limit), else the 8/16/32-bit form (code8 == 0: no 8-bit form).
inline void AppendHeader(std::string* out, uint64_t n, uint8_t fix, uint64_t fix_limit, uint8_t code8, uint8_t code16,
                         uint8_t code32) {
  if (n < fix_limit) {
    out->push_back(static_cast<char>(fix | n));
  } else if (code8 != 0 && n <= 0xff) {
    out->push_back(static_cast<char>(code8));
    AppendBigEndian(out, n, 1);
  } else if (n <= 0xffff) {
    out->push_back(static_cast<char>(code16));
    AppendBigEndian(out, n, 2);
  } else {
    out->push_back(static_cast<char>(code32));
    AppendBigEndian(out, n, 4);
  }
}

inline void AppendStr(std::string* out, std::string_view s) {
  AppendHeader(out, s.size(), 0xa0, 32, 0xd9, 0xda, 0xdb);
  out->append(s);
}
inline void AppendBin(std::string* out, std::string_view s) {
  AppendHeader(out, s.size(), 0, 0, 0xc4, 0xc5, 0xc6);
  out->append(s);
}
inline void AppendArray(std::string* out, uint32_t n) { AppendHeader(out, n, 0x90, 16, 0, 0xdc, 0xdd); }
inline void AppendMap(std::string* out, uint32_t n) { AppendHeader(out, n, 0x80, 16, 0, 0xde, 0xdf); }
inline void AppendBool(std::string* out, bool b) { out->push_back(static_cast<char>(b ? 0xc3 : 0xc2)); }
inline void AppendNil(std::string* out) { out->push_back(static_cast<char>(0xc0)); }
inline void AppendInt(std::string* out, int64_t v) {
  if (v >= 0 && v < 128) {
    out->push_back(static_cast<char>(v));
  } else {
    out->push_back(static_cast<char>(0xd3));
    AppendBigEndian(out, static_cast<uint64_t>(v), 8);
  }
}
inline void AppendDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  out->push_back(static_cast<char>(0xcb));
  AppendBigEndian(out, bits, 8);
}
// Fluentd's EventTime: ext type 0, seconds and nanoseconds as big-endian uint32s.
inline void AppendEventTime(std::string* out, uint32_t seconds, uint32_t nanos) {
  out->push_back(static_cast<char>(0xd7));
  out->push_back(0);
  AppendBigEndian(out, seconds, 4);
  AppendBigEndian(out, nanos, 4);
}

}  // namespace sawlog::msgpack
