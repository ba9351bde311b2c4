// A block's token bloom filter: "may this column of the block contain this token?"
// Format (docs/formats/part.md): the bit array as little-endian u64 words, in 512-bit blocks;
// each token sets kBloomHashes bits in the one block its XXH3-64 picks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#include <xxhash.h>
#undef XXH_INLINE_ALL
#endif

namespace sawlog {

// Bits per distinct token: with 6 probes in a 512-bit block, about 0.1-0.2% false positives.
// (12 bits and 4 probes gave 0.6%: on the benchmark corpus a needle query then read twice as many
// blocks as it had to.)
inline constexpr size_t kBloomBitsPerToken = 16;
inline constexpr int kBloomHashes = 6;

// The hash the filters are built from: of the case-folded token. Inline (XXH_INLINE_ALL): the
// part writer hashes every token of every event, and most tokens are a few bytes.
inline uint64_t TokenHash(std::string_view folded_token) {
  return XXH3_64bits(folded_token.data(), folded_token.size());
}

// The hash of two tokens that follow each other in a value (a phrase's neighbours), from their
// TokenHash()es: order matters, and it differs from any one token's hash but by chance. Only
// pairs of words without digits are kept (!IsVariableToken): as few as the distinct wordings.
inline uint64_t TokenPairHash(uint64_t first, uint64_t second) {
  uint64_t h = first ^ (second << 23 | second >> 41) ^ 0x9E3779B97F4A7C15ull;
  h ^= h >> 33;  // murmur3's finalizer: every input bit moves every output bit
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

// Collects a filter's token hashes as they come, then builds it. A repeated hash costs one probe
// of an open-addressing set of the distinct ones: a block's messages repeat most of their words,
// and the filter is sized by the distinct hashes. (Sorting them cost 7% of ingest; a table sized
// for every token would miss the cache at each one.)
class BloomFilterBuilder {
 public:
  BloomFilterBuilder() : table_(kMinSlots, 0) {}
  void Add(uint64_t hash) {
    if (hash == 0) {  // 0 marks empty slots
      zero_ = true;
      return;
    }
    const size_t mask = table_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      if (table_[i] == hash) return;
      if (table_[i] == 0) {
        table_[i] = hash;
        distinct_.push_back(hash);
        if (distinct_.size() * 2 > table_.size()) Grow(table_.size());  // at most half full: probes stay short
        return;
      }
    }
  }
  // Room for this many distinct hashes without growing the set as they come (each time it grows,
  // it inserts all again).
  void Reserve(size_t distinct) {
    if (distinct * 2 > table_.size()) Grow(distinct * 2);
  }
  size_t distinct() const { return distinct_.size() + zero_; }
  // The filter of the hashes added since the last Build(), which it forgets.
  std::string Build();

 private:
  static constexpr size_t kMinSlots = 1024;
  void Grow(size_t more_than);
  std::vector<uint64_t> table_;
  std::vector<uint64_t> distinct_;  // the nonzero hashes in table_, for building and emptying it
  bool zero_ = false;               // whether 0 was added
};

// Builds the filter of a set of token hashes (duplicates are fine).
std::string BuildBloomFilter(const std::vector<uint64_t>& hashes);
bool BloomMayContain(std::string_view filter, uint64_t hash);

}  // namespace sawlog
