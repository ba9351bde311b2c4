// Store: the durable, searchable home of events — WAL, in-memory head, immutable parts.
//
// Append() returns only after the events are in a synced WAL record (concurrent callers share
// one fsync), and from then on Scan() sees them. A background thread flushes the head into part
// files every flush_interval; the manifest switch is atomic, and the WAL is replayed on Open.
// Layout of the data directory: docs/formats/README.md.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/event.h"
#include "core/status.h"
#include "store/column.h"

namespace sawlog {

class TemplatedColumn;  // store/templated.h

struct StoreOptions {
  std::string dir = "sawlog-data";
  Env* env = Env::Default();
  // How often the head becomes a part; also the longest a WAL replay has to cover.
  int64_t flush_interval_ns = 1'000'000'000;
  // Head bytes (its events as the WAL encodes them) past which a flush starts before its
  // interval is up. Flushed parts' size sets how many merge tiers each event goes through (log4
  // of partition ÷ flush): 64 MiB made a 2M-event syslog load end in one more level-9 merge than
  // 128 MiB (docs/benchmarks.md).
  size_t flush_head_bytes = 128u << 20;
  // Head bytes (unflushed events) past which Append pushes back with ResourceExhausted.
  size_t max_head_bytes = 512u << 20;
  // Skip (and log) damaged WAL records in the middle of the log instead of refusing to open.
  bool wal_skip_damaged = false;
  // Drop whole day partitions older than this (0: keep forever).
  int64_t retention_ns = 0;
  // Drop the oldest day partitions while parts take more bytes than this (0: no limit).
  uint64_t max_disk_bytes = 0;
  // A partition no part has been added to for this long (a past day, or a pause in ingest; parts
  // found at start count as added long ago) has its short-lived parts merged into one that lasts
  // (merge.h, PickSettledMerge); negative: never.
  int64_t settle_ns = 30 * 1'000'000'000ll;
  // Memory for bloom filters kept between searches (least recently used leave first).
  size_t bloom_cache_bytes = 64u << 20;
  // Start the background flusher and the maintenance thread (merges, retention); tests turn
  // them off and call Flush() and Maintain() themselves.
  bool background_flush = true;
  // Flushed parts have no bloom filters (merges write them): a size tier takes them within
  // seconds, a partition that settles (settle_ns) makes them last; those still without filters
  // this long after they were written are merged among themselves, so that searches of older
  // data always have filters.
  int64_t unfiltered_merge_delay_ns = 60'000'000'000;
  // Tests: flushed parts store _msg as templates and variables whatever the sizes (as the merges
  // that keep their parts do where that is smaller), so that searches on templates are tested.
  bool always_template = false;
};

// What a scan can learn about a stored block before reading it (from its index and bloom filters).
class BlockProbe {
 public:
  virtual ~BlockProbe() = default;
  virtual bool HasField(std::string_view field) = 0;
  // False only when no event of the block has the case-folded token in the field.
  virtual bool MayContainToken(std::string_view field, std::string_view folded_token) = 0;
  // False only when no event of the block has `second` right after `first` (case-folded tokens
  // without digits) in the field. Blocks whose filters do not keep pairs always say true.
  virtual bool MayContainTokenPair(std::string_view field, std::string_view first, std::string_view second) = 0;
};

// One event as a row filter sees it: a whole Event from the head, or a row of a stored block
// read in place from its decoded columns (nothing is copied for rows that do not match).
class RowView {
 public:
  virtual ~RowView() = default;
  virtual int64_t time() const = 0;
  // The field's value, _msg and _stream included; nullopt when the event lacks it.
  virtual std::optional<std::string_view> Find(std::string_view name) const = 0;
  // Calls fn(name, value) for _stream, _msg and each field the row has (of a stored block: each
  // decoded column).
  virtual void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const = 0;
};

class EventRowView final : public RowView {
 public:
  explicit EventRowView(const Event& e) : e_(e) {}
  int64_t time() const override { return e_.time; }
  std::optional<std::string_view> Find(std::string_view name) const override {
    const std::string* v = e_.Find(name);
    return v ? std::optional<std::string_view>(*v) : std::nullopt;
  }
  void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const override {
    fn("_stream", e_.stream);
    fn("_msg", e_.msg);
    for (const auto& f : e_.fields) fn(f.name, f.value);
  }

 private:
  const Event& e_;
};

// A query's test of single events, run by the scan on several threads at once (so it must be
// thread-safe), before the visitor sees the event.
class RowFilter {
 public:
  virtual ~RowFilter() = default;
  virtual bool Matches(const RowView& row) const = 0;
};

// A query's test of stream strings ({host="a",service="b"}): blocks of streams it rejects are
// skipped before their bloom filters are probed. Thread-safe.
class StreamFilter {
 public:
  virtual ~StreamFilter() = default;
  virtual bool Matches(std::string_view stream) const = 0;
};

// A query's quick look at a block's messages as one run of bytes (every row's _msg back to back):
// a row that passes the row filter holds, in its _msg, text the prefilter finds. The scan then
// tests only the rows where it finds some, instead of searching row by row. Thread-safe.
class MsgPrefilter {
 public:
  virtual ~MsgPrefilter() = default;
  // The first position at or after `from` where such text starts; npos when none.
  virtual size_t Find(std::string_view bytes, size_t from) const = 0;
};

// A query's exact answer, for a block whose column is stored as templates and variables
// (store/templated.h), of which rows pass the row filter: decided once per template, or on the
// variables alone, without rebuilding the values. Thread-safe.
class TemplatedRowFilter {
 public:
  virtual ~TemplatedRowFilter() = default;
  // The one field the row filter reads.
  virtual const std::string& field() const = 0;
  // Sets (*match)[r] to whether row r passes the row filter and returns true; false when it
  // cannot tell for this column (the scan then tests the rows).
  virtual Result<bool> Match(TemplatedColumn& column, std::vector<uint8_t>* match) const = 0;
};

// A query's test of whether a block may hold matches; blocks it rules out are not read.
class BlockFilter {
 public:
  virtual ~BlockFilter() = default;
  virtual bool MayMatch(BlockProbe& probe) const = 0;
};

// A query's fold over matching rows (stats, top, uniq), run on every scan thread at once: each
// thread folds its rows into a part of its own, reading them in place (no Event is built), and
// the parts are merged at the end.
// A stored block all of whose rows match, as a fold may take it whole.
class BlockView {
 public:
  virtual ~BlockView() = default;
  virtual size_t rows() const = 0;
  virtual int64_t min_time() const = 0;
  virtual int64_t max_time() const = 0;
  // The field's value in every row (an inner nullopt: no row has it); nullopt when rows differ.
  virtual std::optional<std::optional<std::string_view>> Constant(std::string_view name) = 0;
  // The field's column as stored (dictionary codes, integers or strings; store/column.h), read
  // and decoded on first use; nullptr when no row has it (or it could not be read: see the
  // scan's error).
  virtual const TypedColumn* Column(std::string_view name) = 0;
  // Every row's _time, ascending; empty when it could not be read.
  virtual const std::vector<int64_t>& Times() = 0;
};

class RowFold {
 public:
  class Part {
   public:
    virtual ~Part() = default;
    // False stops the scan: the fold failed (e.g. out of memory) and keeps the reason.
    virtual bool Add(const RowView& row) = 0;
    // Folds a whole block at once when it can (a count by fields that are constant in the
    // block); false: it cannot, and the scan calls Add() for each row.
    virtual bool AddBlock(BlockView&) { return false; }
  };
  virtual ~RowFold() = default;
  virtual std::unique_ptr<Part> NewPart() = 0;
  // Once per part; calls are serialized.
  virtual void Merge(std::unique_ptr<Part> part) = 0;
};

struct ScanStats {
  uint64_t blocks = 0;             // stored blocks of the tenant in the time range
  uint64_t blocks_skipped = 0;     // older than every event the visitor still wants
  uint64_t blocks_pruned = 0;      // ruled out by the stream filter or the block filter
  uint64_t blocks_read = 0;
  uint64_t bytes_read = 0;
  uint64_t rows_scanned = 0;       // rows of read blocks tested against the row filter
};

struct ScanRequest {
  std::string tenant = std::string(kDefaultTenant);
  int64_t min_time = std::numeric_limits<int64_t>::min();  // inclusive
  int64_t max_time = std::numeric_limits<int64_t>::max();  // exclusive
  const StreamFilter* stream_filter = nullptr;  // optional; the row filter must imply it
  const BlockFilter* filter = nullptr;  // optional
  const RowFilter* row_filter = nullptr;  // optional; rows it rejects never reach the visitor
  const MsgPrefilter* msg_prefilter = nullptr;  // optional; only with a row filter that reads _msg
  // Optional; only with a row filter that reads nothing but its field (and fields = that field).
  const TemplatedRowFilter* templated_filter = nullptr;
  // The fields Test() needs (_msg included when it does); null: all of them.
  const std::vector<std::string>* fields = nullptr;
  // The fields Take() needs of the rows that pass (besides _time and _stream); null: all of them.
  // An aggregation reads a few columns of every row; a search returns whole events.
  const std::vector<std::string>* result_fields = nullptr;
  // When set, matching rows go to the fold (with the columns in fields and result_fields
  // decoded); the visitor is only asked WantRange().
  RowFold* fold = nullptr;
  ScanStats* stats = nullptr;  // optional, filled in
  // When the steady clock (ns) passes this, the scan stops with DeadlineExceeded.
  int64_t deadline_ns = std::numeric_limits<int64_t>::max();
  // When this turns true (the client went away), the scan stops with Unavailable.
  const std::atomic<bool>* cancel = nullptr;
};

// The steady clock for ScanRequest::deadline_ns.
int64_t SteadyNanos();

// What a scan calls back. Sources are visited newest first, but events within them in no order.
// Calls are serialized (never concurrent), though they may come from several scan threads.
// For stored blocks, Test() first sees a partial event: its time, stream and the fields named in
// ScanRequest::fields (all fields when that is null); Take() then gets the event of each
// row whose Test() returned true. Both run on the scanning thread only.
class ScanVisitor {
 public:
  virtual ~ScanVisitor() = default;
  // Whether events with times in [min_time, max_time] may still matter; false skips them.
  virtual bool WantRange(int64_t min_time, int64_t max_time) = 0;
  // Whether the event (possibly partial, see above) is wanted.
  virtual bool Test(const Event& event) = 0;
  // A wanted event, whole.
  virtual void Take(Event&& event) = 0;
};

struct StoreStats {
  uint64_t parts = 0;
  uint64_t part_rows = 0;
  uint64_t part_bytes = 0;
  uint64_t head_rows = 0;
  uint64_t head_bytes = 0;
  uint64_t wal_seq = 0;
};

// Told of every batch as it is committed (in the WAL and the head), for live tails. Runs on the
// committing thread while the head is locked: it must only copy what it wants and return.
class AppendListener {
 public:
  virtual ~AppendListener() = default;
  virtual void OnAppend(std::string_view tenant, const std::vector<Event>& events) = 0;
};

// One tenant's events, in an append of several tenants' at once.
struct TenantEvents {
  std::string_view tenant;
  std::vector<Event>* events;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(StoreOptions options);
  virtual ~Store() = default;

  // Makes events durable for tenant and visible to scans. Each event's ingest_time must be set.
  // Takes the events only when it succeeds: on an error they are left as they were, so a caller
  // pushed back (ResourceExhausted, NoSpace) can retry them without keeping a copy.
  Status Append(std::string_view tenant, std::vector<Event>&& events) {
    const TenantEvents one{tenant, &events};
    return AppendAll(std::span<const TenantEvents>(&one, 1));
  }
  Status Append(std::string_view tenant, const std::vector<Event>& events) {
    return Append(tenant, std::vector<Event>(events));
  }
  // As Append, for several tenants' events (the batches a pipeline routed) in one commit: all
  // durable and visible, or on an error none, each left as it was, so that a retry after a
  // push-back stores no tenant's events twice.
  virtual Status AppendAll(std::span<const TenantEvents> batches) = 0;
  virtual Status Scan(const ScanRequest& request, ScanVisitor* visitor) = 0;
  // From now on, listener hears of every committed batch until Unsubscribe (which returns
  // only once no call to it is running).
  virtual void Subscribe(AppendListener* listener) = 0;
  virtual void Unsubscribe(AppendListener* listener) = 0;
  // Writes everything appended so far into parts.
  virtual Status Flush() = 0;
  // One round of maintenance: drops partitions past the retention limits, then merges parts
  // until no partition needs it. Runs beside appends, flushes and scans without blocking them.
  virtual Status Maintain() = 0;
  virtual StoreStats Stats() = 0;
  // Flushes and stops the background work. Called by the destructor too.
  virtual Status Close() = 0;
};

// Describes a data directory: parts, rows, and per column the bytes before and after
// compression and of bloom filters. Offline, like CheckStore.
Status DescribeStore(Env* env, const std::string& dir, std::string* report);

// Verifies the manifest, every part's checksums and the WAL without opening a Store.
// Prints one line per problem to *report; returns Corruption if anything is damaged.
Status CheckStore(Env* env, const std::string& dir, std::string* report);

}  // namespace sawlog
