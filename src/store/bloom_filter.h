// A block's token bloom filter: "may this column of the block contain this token?"
// Format (docs/formats/part.md): the bit array as little-endian u64 words; k = kBloomHashes
// probes by double hashing of the token's XXH3-64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sawlog {

// Bits per distinct token: with 4 probes, about 0.6% false positives.
inline constexpr size_t kBloomBitsPerToken = 12;
inline constexpr int kBloomHashes = 4;

// The hash the filters are built from: of the case-folded token.
uint64_t TokenHash(std::string_view folded_token);

// Builds the filter of a set of token hashes (duplicates are fine).
std::string BuildBloomFilter(const std::vector<uint64_t>& hashes);
bool BloomMayContain(std::string_view filter, uint64_t hash);

}  // namespace sawlog
