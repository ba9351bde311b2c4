// Wal: the write-ahead log that makes an acknowledgement mean "on disk".
//
// Records are payloads with consecutive sequence numbers, written in groups: one write and one
// fdatasync per group, however many requests it carries (group commit is arranged by Store).
// Thread safety: Write and DeleteUpTo are called by one thread at a time (the commit leader and
// the flusher take turns under Store's locks); Open is single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace sawlog {

class Wal {
 public:
  using ReplayFn = std::function<Status(uint64_t seq, std::string_view payload)>;

  // Opens the WAL in dir (created if missing) and replays every record with seq > after_seq in
  // order. A record torn by a crash at the end of the log is cut off, with a log line. A damaged
  // record followed by valid ones is Corruption naming file and offset, unless skip_damaged, in
  // which case each is logged with file and offset and skipped.
  static Result<std::unique_ptr<Wal>> Open(Env* env, std::string dir, uint64_t after_seq,
                                           bool skip_damaged, const ReplayFn& replay);

  // Reads every segment in dir without changing anything; one line per damaged record in *report.
  static Status Verify(Env* env, const std::string& dir, std::string* report);

  // Appends the payloads as records with the next sequence numbers and syncs them.
  // Returns the sequence number of the last one. On error nothing is acknowledged and the
  // segment is cut back to its last synced size.
  Result<uint64_t> Write(const std::vector<std::string_view>& payloads);

  // Closes the current segment and starts a new one (so that a fully flushed WAL can be deleted
  // whole, as at a clean shutdown).
  Status Rotate() { return StartSegment(); }

  // Deletes whole segments whose records all have seq <= seq.
  Status DeleteUpTo(uint64_t seq);

  uint64_t last_seq() const { return last_seq_; }

 private:
  Wal(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  Status StartSegment();
  std::string SegmentPath(uint64_t first_seq) const;

  Env* env_;
  std::string dir_;
  std::vector<uint64_t> segments_;  // first seq of each segment file, ascending
  std::unique_ptr<WritableFile> file_;
  uint64_t synced_size_ = 0;
  uint64_t last_seq_ = 0;
  bool broken_ = false;  // a failed write could not be cut back: refuse writes until restart
};

}  // namespace sawlog
