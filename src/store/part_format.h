// The part file's on-disk format; the prose spec (with the index layout) is docs/formats/part.md.
//
//   block*  index  footer
// block:  the block's column chunks (column.h encodings, each zstd-compressed when that saves
//         space), then the bloom filters of its text columns; rows of one stream, sorted by time.
// index:  per block its stream, time range, rows and location, and per column its name, codec,
//         location, checksum and bloom filter location and checksum.
// footer: index offset u64, index size u64, index checksum u64, format version u32,
//         reserved u32, magic u64 — kPartFooterSize bytes at the end of the file.
// All integers little-endian. DO NOT CHANGE these values: they are on disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sawlog::part {

inline constexpr uint64_t kPartMagic = 0x3154524150574153ull;  // "SAWPART1"
inline constexpr uint32_t kPartVersion = 6;
// The oldest version still read: 4, 5 and 6 only added encodings (ColumnEncoding::kPacked,
// kTemplated, kTemplatedSplit), so older parts read as before, while an older binary refuses a
// newer part.
inline constexpr uint32_t kMinPartVersion = 3;
inline constexpr size_t kPartFooterSize = 40;
inline constexpr const char* kPartSuffix = ".part";
// Rows per block: enough for zstd to find repetition, small enough that a query touching one
// event decompresses little. Measured on the benchmark corpus (docs/benchmarks.md): 16,384 rows
// stored 7% smaller than 8,192 but made the needle search 1.6x and a rare-token search 2x slower;
// 4,096 rows made the store 7% larger again for 1.4x faster needle searches.
inline constexpr size_t kMaxBlockRows = 8192;
inline constexpr size_t kMaxBlockBytes = 1 << 20;
// Whether a block of these rows and bytes (Event::ApproximateBytes) takes no more: flushes and
// merges cut blocks alike, so the same rows make the same blocks.
inline constexpr bool BlockFull(size_t rows, size_t bytes) { return rows >= kMaxBlockRows || bytes >= kMaxBlockBytes; }
// zstd levels of column chunks. Flushed parts live seconds before a merge rewrites them: they
// get one of zstd's fast (negative) levels, -3: the flush 11% and the merge of four flushed
// parts 7% less CPU than level 1, for flushed parts 12% larger while they live (bench/store).
// Merged parts hold the data for its lifetime: they get a stronger one.
// (docs/benchmarks.md has the measurements behind these values.)
inline constexpr int kFlushZstdLevel = -3;
inline constexpr int kMergeZstdLevel = 9;
// Merges whose inputs total less than this are themselves merged again soon (four flushed parts
// form the next tier within seconds at full ingest): they get a middle level, and level 9 is
// spent once, on the parts that stay.
inline constexpr int kSmallMergeZstdLevel = 3;
inline constexpr uint64_t kSmallMergeBytes = 64u << 20;
// Parts written at this zstd level or above (the large merges, whose parts stay; not the flush nor
// the small merges) store _msg as templates and variables (ColumnEncoding::kTemplated) in the
// blocks where few templates make that smaller. Measured on the benchmark corpus
// (docs/benchmarks.md), per GB of _msg: +1.2 s of CPU at level 9 over compressing it raw (+1.5 s
// at level 3, which every small merge would pay again), 11% smaller.
inline constexpr int kTemplateZstdLevel = kMergeZstdLevel;
// Footer flags (the u32 after the version; 0 before version 5). DO NOT CHANGE.
// The _msg filters also hold each pair of neighbouring tokens without digits (TokenPairHash).
inline constexpr uint32_t kPartFlagMsgPairs = 1;
// DO NOT CHANGE: column chunk codecs.
inline constexpr uint8_t kCodecNone = 0;
inline constexpr uint8_t kCodecZstd = 1;
// The built-in columns of every block.
inline constexpr const char* kTimeColumn = "_time";
inline constexpr const char* kIngestTimeColumn = "_ingest_time";
inline constexpr const char* kMsgColumn = "_msg";

}  // namespace sawlog::part
