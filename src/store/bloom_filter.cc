#include "store/bloom_filter.h"

#include <endian.h>

#include <algorithm>
#include <cstring>

#include "core/coding.h"

namespace sawlog {

namespace {
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

void BloomFilterBuilder::Grow(size_t more_than) {
  size_t slots = table_.size() * 2;
  while (slots <= more_than) slots *= 2;
  table_.assign(slots, 0);
  const size_t mask = slots - 1;
  for (uint64_t h : distinct_) {
    size_t i = h & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = h;
  }
}

std::string BloomFilterBuilder::Build() {
  const uint64_t bits = FilterBits(distinct());
  std::vector<uint64_t> words(bits / 64, 0);
  auto set = [&](uint64_t bit) { words[bit / 64] |= uint64_t{1} << (bit % 64); };
  for (uint64_t h : distinct_) ForEachProbe(h, bits, set);
  if (zero_) ForEachProbe(0, bits, set);
  std::string out;
  out.reserve(words.size() * 8);
  for (uint64_t w : words) PutFixed64(&out, w);
  // Emptied for the next filter, and a table grown for a big one given back: a block's next
  // filters are mostly small, and probes of a big table would miss the cache.
  if (table_.size() > kMinSlots) {
    table_.assign(kMinSlots, 0);
  } else if (distinct_.size() * 8 < table_.size()) {  // slot by slot: less to write
    // Every slot is found before any is emptied: an emptied slot ends the probes that pass it.
    const size_t mask = table_.size() - 1;
    for (uint64_t& h : distinct_) {
      size_t i = h & mask;
      while (table_[i] != h) i = (i + 1) & mask;
      h = i;
    }
    for (uint64_t i : distinct_) table_[i] = 0;
  } else {
    std::fill(table_.begin(), table_.end(), 0);
  }
  distinct_.clear();
  zero_ = false;
  return out;
}

std::string BuildBloomFilter(const std::vector<uint64_t>& hashes) {
  BloomFilterBuilder builder;
  for (uint64_t h : hashes) builder.Add(h);
  return builder.Build();
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
