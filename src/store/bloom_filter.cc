#include "store/bloom_filter.h"

#include <endian.h>

#include <algorithm>
#include <cstring>

#include "core/coding.h"

namespace sawlog {


namespace {
// The distinct values of hashes, through an open-addressing set (sorting them cost 7% of ingest).
// The set grows with the distinct values, not with all hashes: a block's messages repeat most of
// their words, and a table sized for every token (megabytes) would miss the cache at each one.
std::vector<uint64_t> Distinct(const std::vector<uint64_t>& hashes) {
  size_t cap = 1024;
  std::vector<uint64_t> table(cap, 0);
  std::vector<uint64_t> out;
  bool zero = false;
  auto insert = [&](uint64_t h) {
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
      if (table[i] == h) return false;
      if (table[i] == 0) {
        table[i] = h;
        return true;
      }
    }
  };
  for (uint64_t h : hashes) {
    if (h == 0) {  // 0 marks empty slots
      if (!zero) out.push_back(0);
      zero = true;
      continue;
    }
    if (!insert(h)) continue;
    out.push_back(h);
    if (out.size() * 2 > cap) {  // at most half full: probes stay short
      cap *= 2;
      table.assign(cap, 0);
      for (uint64_t d : out)
        if (d != 0) insert(d);
    }
  }
  return out;
}
// Blocked bloom filter: a token's probes all fall in one 512-bit block (one cache line), so a
// probe costs one cache miss instead of one per bit. The block comes from the token hash by a
// multiply-shift; the bits inside it from six 9-bit slices of a remix of the hash.
constexpr uint64_t kBlockBits = 512;

uint64_t FilterBits(size_t distinct) {
  uint64_t bits = std::max<uint64_t>(64, (distinct * kBloomBitsPerToken + 63) / 64 * 64);
  if (bits > kBlockBits) bits = (bits + kBlockBits - 1) / kBlockBits * kBlockBits;
  return bits;
}

template <typename Fn>
void ForEachProbe(uint64_t h, uint64_t bits, Fn&& fn) {
  // Filters under 512 bits are a single, smaller block.
  const uint64_t block_bits = std::min(bits, kBlockBits);
  const uint64_t blocks = bits / block_bits;
  const uint64_t block = static_cast<uint64_t>((static_cast<unsigned __int128>(h) * blocks) >> 64);
  uint64_t g = (h ^ (h >> 31)) * 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < kBloomHashes; ++i) {
    uint64_t slice = (g >> (64 - 9 * (i + 1))) & 511;
    fn(block * block_bits + ((slice * block_bits) >> 9));
  }
}
}  // namespace

std::string BuildBloomFilter(const std::vector<uint64_t>& hashes) {
  std::vector<uint64_t> distinct = Distinct(hashes);
  const uint64_t bits = FilterBits(distinct.size());
  std::vector<uint64_t> words(bits / 64, 0);
  for (uint64_t h : distinct)
    ForEachProbe(h, bits, [&](uint64_t bit) { words[bit / 64] |= uint64_t{1} << (bit % 64); });
  std::string out;
  out.reserve(words.size() * 8);
  for (uint64_t w : words) PutFixed64(&out, w);
  return out;
}

bool BloomMayContain(std::string_view filter, uint64_t h) {
  const uint64_t bits = filter.size() / 8 * 64;
  // No filter, or not one this version writes (a multiple of 512 bits past 512): no ruling out.
  if (bits == 0 || (bits > kBlockBits && bits % kBlockBits != 0)) return true;
  bool all = true;
  ForEachProbe(h, bits, [&](uint64_t bit) {
    uint64_t word;
    std::memcpy(&word, filter.data() + bit / 64 * 8, 8);  // little-endian in the file
    all = all && (le64toh(word) & (uint64_t{1} << (bit % 64))) != 0;
  });
  return all;
}

}  // namespace sawlog
