// Compressing test inputs with zlib: gzip (window bits 15 + 16) or zlib (15) framing.
#pragma once

#include <zlib.h>

#include <string>

namespace sawlog::testing {

inline std::string Deflate(const std::string& in, int window_bits) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::string Gzip(const std::string& in) { return Deflate(in, 15 + 16); }
inline std::string Zlib(const std::string& in) { return Deflate(in, 15); }

}  // namespace sawlog::testing
