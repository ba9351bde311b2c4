// Request body decompression: gzip/deflate through zlib, zstd through libzstd.
#include <zlib.h>
#include <zstd.h>

#include <memory>

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
    size_t chunk = std::min<size_t>(max_bytes - out.size(), std::max<size_t>(in.size() * 4, 1 << 16));
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

Result<std::string> DecodeContent(std::string_view encoding, std::string body, size_t max_bytes) {
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
