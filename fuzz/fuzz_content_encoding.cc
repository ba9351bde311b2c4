// Fuzzes DecodeContent (request body Content-Encoding) with gzip, deflate and zstd and a 1 MiB
// limit, on the input taken as a compressed body.
// Invariant (differential): whenever the reference decoder (one-shot zlib / libzstd calls with an
// output buffer larger than the limit) decodes the body to fewer than 1 MiB bytes, DecodeContent
// decodes it too, to the same bytes; and its output never exceeds the limit.
#include <zlib.h>
#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/ingest.h"

namespace {

constexpr size_t kMax = 1u << 20;

// The whole body decoded by zlib with auto-detected gzip/zlib headers, concatenated members
// allowed; false when zlib rejects it or the output reaches the limit.
// One output buffer for the reference decoders, allocated once: zeroing a fresh MiB per input
// would be most of the run time.
char* ReferenceBuffer() {
  static char* buffer = new char[kMax + 1];
  return buffer;
}

bool ReferenceInflate(std::string_view in, std::string* out) {
  char* buffer = ReferenceBuffer();
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(buffer);
  zs.avail_out = static_cast<uInt>(kMax + 1);
  bool ok = false;
  while (true) {
    int rc = inflate(&zs, Z_FINISH);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        ok = true;
        break;
      }
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    break;  // an error, a truncated body, or no room left
  }
  const size_t n = kMax + 1 - zs.avail_out;
  inflateEnd(&zs);
  if (!ok || n >= kMax) return false;
  out->assign(buffer, n);
  return true;
}

// The whole body decoded by libzstd's one-shot API (every frame, skippable ones included).
bool ReferenceUnzstd(std::string_view in, std::string* out) {
  char* buffer = ReferenceBuffer();
  size_t n = ZSTD_decompress(buffer, kMax + 1, in.data(), in.size());
  if (ZSTD_isError(n) || n >= kMax) return false;
  out->assign(buffer, n);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  std::string expected;

  for (std::string_view encoding : {"gzip", "deflate"}) {
    auto r = sawlog::DecodeContent(encoding, body, kMax);
    if (r.ok() && r.value().size() > kMax) __builtin_trap();
    if (!r.ok() && r.status().code() != sawlog::Code::kInvalidArgument && r.status().code() != sawlog::Code::kTooLarge)
      __builtin_trap();
    if (encoding == "gzip" && ReferenceInflate(body, &expected)) {
      if (!r.ok() || r.value() != expected) __builtin_trap();
    }
  }

  auto z = sawlog::DecodeContent("zstd", body, kMax);
  if (z.ok() && z.value().size() > kMax) __builtin_trap();
  if (!z.ok() && z.status().code() != sawlog::Code::kInvalidArgument && z.status().code() != sawlog::Code::kTooLarge)
    __builtin_trap();
  if (ReferenceUnzstd(body, &expected)) {
    // A frame asking for a window over libzstd's streaming limit (128 MiB) is refused by a
    // streaming decoder such as DecodeContent's, but not by the one-shot API: not a bug.
    bool window_refused = !z.ok() && z.status().message().find("too much memory") != std::string::npos;
    if (!window_refused && (!z.ok() || z.value() != expected)) __builtin_trap();
  }

  // identity and the unknown ones never look at the bytes.
  auto id = sawlog::DecodeContent("identity", body, kMax);
  if (size <= kMax && (!id.ok() || id.value() != body)) __builtin_trap();
  auto unknown = sawlog::DecodeContent("br", body, kMax);
  if (unknown.ok() || unknown.status().code() != sawlog::Code::kUnsupported) __builtin_trap();
  return 0;
}
