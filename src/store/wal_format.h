// The write-ahead log's on-disk format; the prose spec is docs/formats/wal.md.
//
// A WAL is a directory of segment files named <first-seq as 20 decimal digits>.wal. A segment is
// a sequence of records, each:
//   magic   u32  kWalRecordMagic
//   length  u32  payload bytes
//   seq     u64  the record's sequence number (strictly increasing across segments)
//   index   u32  the record's position in its commit group (0 for the first)
//   check   u64  XXH3-64 of the 20 bytes above followed by the payload
//   payload      codec u8 (kWalCodecNone) | tenant (varint length + bytes) | count varint | events
// All integers little-endian. DO NOT CHANGE these values: they are on disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sawlog::wal {

inline constexpr uint32_t kWalRecordMagic = 0x324C5753;  // "SWL2" (format 2: with the group index)
inline constexpr size_t kWalHeaderSize = 28;
inline constexpr size_t kWalChecksumOffset = 20;  // the checksum covers the header bytes before it
inline constexpr uint8_t kWalCodecNone = 0;
// A record larger than this is damage, not data: the ingest limits keep batches far below it.
inline constexpr uint32_t kWalMaxRecordBytes = 1u << 30;
// Segments roll over past this size so that flushed data can be deleted in whole files.
inline constexpr uint64_t kWalSegmentBytes = 64ull << 20;
inline constexpr const char* kWalSuffix = ".wal";

}  // namespace sawlog::wal
