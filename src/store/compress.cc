#include "store/compress.h"

#include <zstd.h>

#include <memory>

namespace sawlog {

namespace {

// zstd contexts are large; one per thread, reused, instead of one per call.
ZSTD_CCtx* CompressionContext() {
  thread_local std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  return ctx.get();
}
ZSTD_DCtx* DecompressionContext() {
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  return ctx.get();
}

}  // namespace

bool AppendCompressed(std::string* out, std::string_view raw, int level) {
  const size_t start = out->size();
  out->resize(start + ZSTD_compressBound(raw.size()));
  const size_t n =
      ZSTD_compressCCtx(CompressionContext(), out->data() + start, out->size() - start, raw.data(), raw.size(), level);
  if (!ZSTD_isError(n) && n + raw.size() / 8 < raw.size()) {
    out->resize(start + n);
    return true;
  }
  out->resize(start);
  out->append(raw);
  return false;
}

bool Decompress(std::string_view frame, size_t raw_size, std::string* out) {
  // The frame's own claim first: a damaged size must not allocate.
  if (ZSTD_getFrameContentSize(frame.data(), frame.size()) != raw_size) return false;
  out->resize(raw_size);
  const size_t n = ZSTD_decompressDCtx(DecompressionContext(), out->data(), out->size(), frame.data(), frame.size());
  return !ZSTD_isError(n) && n == raw_size;
}

}  // namespace sawlog
