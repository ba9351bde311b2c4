// Request body decompression: gzip/deflate through zlib, zstd through libzstd.
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "ingest/ingest.h"

namespace sawlog {

namespace {

Status TooLarge(size_t max_bytes) {
  return Status::TooLarge("decompressed body exceeds the limit of " + std::to_string(max_bytes) + " bytes; send smaller batches");
}

Result<std::string> Inflate(std::string_view in, size_t max_bytes, std::string_view name) {
  z_stream zs{};
  // 15 + 32: accept both gzip and zlib headers.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("zlib init failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, inflateEnd);
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (true) {
    if (out.size() >= max_bytes) return TooLarge(max_bytes);
    // Small first steps: a GELF datagram of a few hundred bytes should not zero 64 KiB.
    size_t chunk = std::min<size_t>(max_bytes - out.size(), std::max<size_t>(in.size() * 4, 1 << 12));
    size_t old = out.size();
    out.resize(old + chunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    zs.avail_out = static_cast<uInt>(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(old + chunk - zs.avail_out);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members are valid gzip.
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) != Z_OK) return Status::Internal("zlib reset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0)
      return Status::InvalidArgument(std::string(name) + " body is truncated");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Status::InvalidArgument(std::string(name) + " body is damaged: " + (zs.msg ? zs.msg : "inflate error"));
  }
  return out;
}

Result<std::string> Unzstd(std::string_view in, size_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::string out;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t rc = 0;
  while (input.pos < input.size) {
    if (out.size() >= max_bytes) return TooLarge(max_bytes);
    size_t chunk = std::min<size_t>(max_bytes - out.size(), std::max<size_t>(in.size() * 4, ZSTD_DStreamOutSize()));
    size_t old = out.size();
    out.resize(old + chunk);
    ZSTD_outBuffer output{out.data() + old, chunk, 0};
    rc = ZSTD_decompressStream(ctx.get(), &output, &input);
    out.resize(old + output.pos);
    if (ZSTD_isError(rc)) return Status::InvalidArgument(std::string("zstd body is damaged: ") + ZSTD_getErrorName(rc));
  }
  if (rc != 0) return Status::InvalidArgument("zstd body is truncated");
  return out;
}

}  // namespace

bool StartsLikeZlibOrGzip(std::string_view data) {
  if (data.size() < 2) return false;
  const auto b0 = static_cast<uint8_t>(data[0]), b1 = static_cast<uint8_t>(data[1]);
  // gzip: 1f 8b. zlib: CMF says deflate (low nibble 8) and CMF·256+FLG is a multiple of 31.
  return (b0 == 0x1f && b1 == 0x8b) || ((b0 & 0x0f) == 8 && (b0 * 256 + b1) % 31 == 0);
}

Result<std::string> DecodeContent(std::string_view encoding, std::string body, size_t max_bytes) {
  if (encoding.find(',') != std::string_view::npos) {
    // A list of codings, applied in the order listed: undone from the last. A gzip or deflate
    // layer that is not there is skipped (graypy labels its one zlib layer "gzip,deflate").
    std::vector<std::string_view> codings;
    for (size_t start = 0; start <= encoding.size();) {
      size_t comma = std::min(encoding.find(',', start), encoding.size());
      std::string_view c = encoding.substr(start, comma - start);
      while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      while (!c.empty() && c.back() == ' ') c.remove_suffix(1);
      codings.push_back(c);
      start = comma + 1;
    }
    for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
      const bool zlib_family = *it == "gzip" || *it == "x-gzip" || *it == "deflate";
      if (zlib_family && !StartsLikeZlibOrGzip(body)) continue;
      ASSIGN_OR_RETURN(body, DecodeContent(*it, std::move(body), max_bytes));
    }
    return body;
  }
  if (encoding.empty() || encoding == "identity") {
    if (body.size() > max_bytes) return TooLarge(max_bytes);
    return body;
  }
  if (encoding == "gzip" || encoding == "x-gzip") return Inflate(body, max_bytes, "gzip");
  if (encoding == "deflate") return Inflate(body, max_bytes, "deflate");
  if (encoding == "zstd") return Unzstd(body, max_bytes);
  return Status::Unsupported("unsupported Content-Encoding '" + std::string(encoding) + "' (use gzip, deflate or zstd)");
}

}  // namespace sawlog
