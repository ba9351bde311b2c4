#include "store/bloom_filter.h"

#include <xxhash.h>

#include <algorithm>

#include "core/coding.h"

namespace sawlog {

uint64_t TokenHash(std::string_view folded_token) { return XXH3_64bits(folded_token.data(), folded_token.size()); }

namespace {
// The distinct values of hashes, through an open-addressing set (sorting them cost 7% of ingest).
std::vector<uint64_t> Distinct(const std::vector<uint64_t>& hashes) {
  size_t cap = 16;
  while (cap < hashes.size() * 2) cap <<= 1;
  std::vector<uint64_t> table(cap, 0);
  std::vector<uint64_t> out;
  bool zero = false;
  for (uint64_t h : hashes) {
    if (h == 0) {  // 0 marks empty slots
      if (!zero) out.push_back(0);
      zero = true;
      continue;
    }
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
      if (table[i] == h) break;
      if (table[i] == 0) {
        table[i] = h;
        out.push_back(h);
        break;
      }
    }
  }
  return out;
}
}  // namespace

std::string BuildBloomFilter(const std::vector<uint64_t>& hashes) {
  std::vector<uint64_t> distinct = Distinct(hashes);
  const uint64_t bits = std::max<uint64_t>(64, (distinct.size() * kBloomBitsPerToken + 63) / 64 * 64);
  std::vector<uint64_t> words(bits / 64, 0);
  for (uint64_t h : distinct) {
    uint64_t h1 = h, h2 = (h >> 32) | (h << 32) | 1;
    for (int i = 0; i < kBloomHashes; ++i) {
      uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
      words[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  std::string out;
  out.reserve(words.size() * 8);
  for (uint64_t w : words) PutFixed64(&out, w);
  return out;
}

bool BloomMayContain(std::string_view filter, uint64_t h) {
  const uint64_t bits = filter.size() / 8 * 64;
  if (bits == 0) return true;  // no filter: cannot rule anything out
  uint64_t h1 = h, h2 = (h >> 32) | (h << 32) | 1;
  for (int i = 0; i < kBloomHashes; ++i) {
    uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
    uint64_t word = DecodeFixed64(filter.data() + bit / 64 * 8);
    if ((word & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

}  // namespace sawlog
