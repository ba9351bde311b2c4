// DiskBuffer: the agent's queue of batches between its inputs and its output, kept on disk so
// that batches outlive an outage of the server and a crash (or kill -9) of the agent.
//
// Format (docs/agent.md, "The disk buffer"): a directory of segment files named
// <number as 16 decimal digits>.seg, each a sequence of records
//   magic u32 kBufferRecordMagic | length u32 | check u64 (XXH3-64 of the payload) | payload
// little-endian. Every Append is fsynced before it returns. A segment is never appended to after
// a restart (a new one is started), so only the newest segment of a crashed run can end in a torn
// record: Open cuts a segment at its first record that does not check out, logging file and
// offset, and never hands out what follows.
//
// Thread safety: one writer (Append) and one reader (Next/Ack) may run on different threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"

namespace sawlog::agent {

// DO NOT CHANGE: on disk.
inline constexpr uint32_t kBufferRecordMagic = 0x31425753;  // "SWB1"
inline constexpr size_t kBufferHeaderSize = 16;
// A record past this is damage, not data: batches are a few MiB at most.
inline constexpr uint32_t kBufferMaxRecordBytes = 256u << 20;
// Segments roll over past this size so that sent batches are deleted in whole files.
inline constexpr uint64_t kBufferSegmentBytes = 8ull << 20;
inline constexpr const char* kBufferSuffix = ".seg";

// A place in the buffer: a segment and a byte offset in it. Records are ordered by it.
struct BufferPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  auto operator<=>(const BufferPosition&) const = default;
};

class DiskBuffer {
 public:
  // Opens (creating) the buffer in `dir`. Records before `acked` were sent already (the agent's
  // state says so) and are skipped; segments entirely before it are deleted. Appends go to a new
  // segment. `max_bytes` caps what is unsent (see Append).
  static Result<std::unique_ptr<DiskBuffer>> Open(Env* env, std::string dir, uint64_t max_bytes, BufferPosition acked);

  // Appends one record and makes it durable. ResourceExhausted when the unsent bytes would pass
  // max_bytes (a record into an empty buffer is always taken, so no batch is stuck forever).
  Status Append(std::string_view payload);

  // The oldest record not yet acknowledged and the position just after it; waits up to
  // `wait_ns` for one. NotFound when none came; Corruption if a segment cannot be read.
  Status Next(int64_t wait_ns, std::string* payload, BufferPosition* end);
  // Every record before `end` was delivered: segments wholly before it are deleted.
  Status Ack(BufferPosition end);
  // Wakes a reader waiting in Next.
  void Interrupt();

  uint64_t unsent_bytes() const;
  size_t unsent_records() const;

 private:
  struct Record {
    BufferPosition at;
    uint32_t length;
  };
  DiskBuffer(Env* env, std::string dir, uint64_t max_bytes) : env_(env), dir_(std::move(dir)), max_bytes_(max_bytes) {}
  std::string SegmentPath(uint64_t segment) const;
  // Reads a segment's records after `from` into records_, cutting it at damage.
  Status Scan(uint64_t segment, uint64_t from);
  Status Roll();

  Env* const env_;
  const std::string dir_;
  const uint64_t max_bytes_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Record> records_;  // unsent, oldest first
  uint64_t unsent_bytes_ = 0;
  uint64_t write_segment_ = 0;
  std::unique_ptr<WritableFile> writer_;
  std::deque<uint64_t> segments_;  // on disk, oldest first (the write segment last)
  bool interrupted_ = false;
};

}  // namespace sawlog::agent
