// zstd as the store uses it: one context per thread, and a chunk kept compressed only when that
// saves an eighth of it (a scan would pay its decompression for almost nothing on disk).
#pragma once

#include <string>
#include <string_view>

namespace sawlog {

// Appends raw to *out, compressed at level when that saves more than an eighth, else as is;
// returns whether it compressed.
bool AppendCompressed(std::string* out, std::string_view raw, int level);

// Decompresses a zstd frame that holds exactly raw_size bytes into *out; false when it does not.
bool Decompress(std::string_view frame, size_t raw_size, std::string* out);

}  // namespace sawlog
