// The part file's on-disk format; the prose spec is docs/formats/part.md.
//
//   block*  index  footer
// block:  zstd frame of rows; a row is an event in the form of event_codec.h, without its stream
//         (every row of a block belongs to the block's stream), rows sorted by time.
// index:  varint block count, then per block: stream (length-prefixed), min_time and max_time
//         (zig-zag varints), rows, offset, size (varints), checksum of the block's bytes (u64).
// footer: index offset u64, index size u64, index checksum u64, format version u32,
//         reserved u32, magic u64 — kPartFooterSize bytes at the end of the file.
// All integers little-endian. DO NOT CHANGE these values: they are on disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sawlog::part {

inline constexpr uint64_t kPartMagic = 0x3154524150574153ull;  // "SAWPART1"
inline constexpr uint32_t kPartVersion = 1;
inline constexpr size_t kPartFooterSize = 40;
inline constexpr const char* kPartSuffix = ".part";
// Rows per block: enough for zstd to find repetition, small enough that a query touching one
// event decompresses little.
inline constexpr size_t kMaxBlockRows = 8192;
inline constexpr size_t kMaxBlockBytes = 1 << 20;
// zstd level for blocks: level 3 is zstd's default balance; the storage issue tunes it.
inline constexpr int kBlockZstdLevel = 3;

}  // namespace sawlog::part
