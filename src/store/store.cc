#include "store/store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "core/coding.h"
#include "core/log.h"
#include "core/timestamp.h"
#include "core/tokenizer.h"
#include "store/bloom_filter.h"
#include "store/event_codec.h"
#include "store/manifest.h"
#include "store/merge.h"
#include "store/part.h"
#include "store/part_format.h"
#include "store/wal.h"
#include "store/wal_format.h"

namespace sawlog {

namespace {

// A commit group stops growing past this many bytes, so one slow fsync does not hold up more.
constexpr size_t kMaxCommitGroupBytes = 64u << 20;

// Returns where the events start in *out (after the codec, tenant and count).
size_t EncodeWalPayload(std::string* out, std::string_view tenant, const std::vector<Event>& events) {
  // Sized once, at most a few bytes over (varints take at most 10), rather than grown and
  // copied several times while encoding: the head keeps the payload, spare bytes included.
  size_t bytes = 16 + tenant.size();
  for (const auto& e : events) {
    bytes += 26 + e.stream.size() + e.msg.size();
    for (const auto& f : e.fields) bytes += 4 + f.name.size() + f.value.size();
  }
  out->reserve(bytes);
  out->push_back(static_cast<char>(wal::kWalCodecNone));
  PutLengthPrefixed(out, tenant);
  PutVarint64(out, events.size());
  const size_t first = out->size();
  for (const auto& e : events) EncodeEvent(out, e);
  return first;
}

// One appended batch of a tenant's events, kept as its WAL record encodes them: a syslog
// message takes ~300 bytes so, against ~900 as an Event with its strings and field list, so a
// flush of the same memory writes three times the events, and merges rewrite each event fewer
// times (parts are fewer and larger). Scans and flushes read them in place.
struct EncodedBatch {
  std::string payload;  // the WAL payload
  size_t first = 0;     // where its events start
  size_t count = 0;
  int64_t min_time = 0, max_time = 0;
};

Status DecodeWalPayload(std::string_view payload, std::string* tenant, std::vector<Event>* events, size_t* first) {
  Decoder in(payload);
  if (payload.empty() || static_cast<uint8_t>(payload[0]) != wal::kWalCodecNone)
    return Status::Corruption("unknown WAL payload codec");
  in = Decoder(payload.substr(1));
  uint64_t count;
  if (!in.GetLengthPrefixed(tenant) || !in.GetVarint64(&count) || count > payload.size())
    return Status::Corruption("malformed WAL payload header");
  *first = payload.size() - in.rest().size();
  events->resize(count);
  for (auto& e : *events)
    if (!DecodeEvent(&in, &e)) return Status::Corruption("malformed event in WAL payload");
  return Status::Ok();
}

// Unflushed events: the mutable head, or a frozen one waiting to become parts.
// Each tenant's events are kept as the batches they were appended in: adding a batch moves no
// event, and no growing array of every event in the head is ever copied.
using Batches = std::vector<EncodedBatch>;

struct MemTable {
  std::unordered_map<std::string, Batches> by_tenant;
  size_t bytes = 0;
  size_t rows = 0;
  uint64_t max_seq = 0;

  // events: those payload encodes from `first` on.
  void Add(const std::string& tenant, std::string&& payload, size_t first, const std::vector<Event>& events) {
    if (events.empty()) return;  // every batch kept has a first event
    EncodedBatch b{std::move(payload), first, events.size(), events.front().time, events.front().time};
    for (const auto& e : events) {
      b.min_time = std::min(b.min_time, e.time);
      b.max_time = std::max(b.max_time, e.time);
    }
    bytes += b.payload.capacity() + sizeof(EncodedBatch);
    rows += events.size();
    by_tenant[tenant].push_back(std::move(b));
  }
};

struct LivePart {
  PartMeta meta;
  std::unique_ptr<PartReader> reader;
  int64_t added_ns = 0;  // when this process wrote it (Env::NowNanos); 0 when found at start
};

constexpr int64_t kNanosPerDay = 86400 * kNanosPerSecond;
int64_t DayNumber(int64_t nanos) { return nanos >= 0 ? nanos / kNanosPerDay : (nanos + 1) / kNanosPerDay - 1; }

// Answers a BlockFilter's questions from a part's index and bloom filters.
class PartBlockProbe final : public BlockProbe {
 public:
  PartBlockProbe(const PartReader& reader, size_t block, const PartBlooms* blooms)
      : reader_(reader), block_(block), blooms_(blooms) {}
  bool HasField(std::string_view field) override {
    return field == "_stream" || field == "_msg" || reader_.blocks()[block_].Column(field) != nullptr;
  }
  bool MayContainToken(std::string_view field, std::string_view token) override {
    const BlockInfo& b = reader_.blocks()[block_];
    if (field == "_stream") {
      bool found = false;
      ForEachToken(b.stream, [&](std::string_view t) { found = found || TokenEquals(t, token); });
      return found;
    }
    const ColumnInfo* col = b.Column(field);
    if (col == nullptr) return false;
    // A damaged filter cannot rule the block out; reading the block then reports the damage.
    auto may = reader_.MayContainToken(block_, *col, TokenHash(token), blooms_);
    return !may.ok() || may.value();
  }
  bool MayContainTokenPair(std::string_view field, std::string_view first, std::string_view second) override {
    if (field != part::kMsgColumn || !reader_.has_msg_pairs()) return true;
    const ColumnInfo* col = reader_.blocks()[block_].Column(field);
    if (col == nullptr) return false;
    auto may = reader_.MayContainToken(block_, *col, TokenPairHash(TokenHash(first), TokenHash(second)), blooms_);
    return !may.ok() || may.value();
  }

 private:
  const PartReader& reader_;
  size_t block_;
  const PartBlooms* blooms_;
};

// An event of the head as a row filter sees it: views of its encoding, read past its time and
// stream only when a field is asked for (a count reads none), so that the rows a filter or time
// range rules out are never copied (scans of the head decode every event they reach).
class EncodedRowView final : public RowView {
 public:
  // False when the event at in's position is malformed (it was encoded by this process, or
  // checked when the WAL was replayed: no event of the head is).
  bool Next(Decoder* in) {
    decoded_ = false;
    return SkipEvent(in, &event_);
  }
  int64_t time() const override { return event_.time; }
  std::optional<std::string_view> Find(std::string_view name) const override {
    if (name == "_stream") return event_.stream;
    Decode();
    if (name == "_msg") return msg_;
    for (const auto& [n, v] : fields_)
      if (n == name) return v;
    return std::nullopt;
  }
  void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const override {
    Decode();
    fn("_stream", event_.stream);
    fn("_msg", msg_);
    for (const auto& [n, v] : fields_) fn(n, v);
  }
  Event ToEvent() const {
    Decode();
    Event e;
    e.time = event_.time;
    e.ingest_time = event_.ingest_time;
    e.stream = event_.stream;
    e.msg = msg_;
    e.fields.reserve(fields_.size());
    for (const auto& [n, v] : fields_) e.fields.push_back({std::string(n), std::string(v)});
    return e;
  }

 private:
  void Decode() const {
    if (decoded_) return;
    decoded_ = true;
    fields_.clear();
    if (!DecodeEventViews(event_, &msg_, &fields_)) fields_.clear();
  }

  EncodedEvent event_;
  mutable bool decoded_ = false;
  mutable std::string_view msg_;
  mutable std::vector<FieldView> fields_;
};

class WholeBlock final : public BlockView {
 public:
  WholeBlock(BlockReader& block, const BlockInfo& info) : block_(block), info_(info) {}
  size_t rows() const override { return info_.rows; }
  int64_t min_time() const override { return info_.min_time; }
  int64_t max_time() const override { return info_.max_time; }
  std::optional<std::optional<std::string_view>> Constant(std::string_view name) override {
    if (name == "_stream") return std::optional<std::string_view>(info_.stream);
    auto c = block_.Constant(name);
    if (c.ok()) return c.value();
    if (status_.ok()) status_ = c.status();
    return std::nullopt;
  }
  const TypedColumn* Column(std::string_view name) override {
    auto c = block_.Typed(name);
    if (c.ok()) return c.value();
    if (status_.ok()) status_ = c.status();
    return nullptr;
  }
  const std::vector<int64_t>& Times() override {
    if (!time_decoded_ && status_.ok()) {
      status_ = block_.DecodeTime();
      time_decoded_ = status_.ok();
    }
    static const std::vector<int64_t> kNone;
    return time_decoded_ ? block_.times() : kNone;
  }
  const Status& status() const { return status_; }

 private:
  BlockReader& block_;
  const BlockInfo& info_;
  Status status_;
  bool time_decoded_ = false;
};

class BlockRowView final : public RowView {
 public:
  BlockRowView(const BlockReader& block, size_t row) : block_(block), row_(row) {}
  int64_t time() const override { return block_.Time(row_); }
  std::optional<std::string_view> Find(std::string_view name) const override { return block_.Find(row_, name); }
  void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const override {
    block_.ForEachField(row_, fn);
  }

 private:
  const BlockReader& block_;
  size_t row_;
};

void ScanEvents(const Batches& batches, const ScanRequest& req, ScanVisitor* visitor) {
  std::unique_ptr<RowFold::Part> part = req.fold ? req.fold->NewPart() : nullptr;
  EncodedRowView row;
  bool more = true;
  for (auto b = batches.begin(); more && b != batches.end(); ++b) {
    if (b->max_time < req.min_time || b->min_time >= req.max_time) continue;
    Decoder in(std::string_view(b->payload).substr(b->first));
    for (size_t i = 0; more && i < b->count && row.Next(&in); ++i) {
      if (row.time() < req.min_time || row.time() >= req.max_time) continue;
      if (req.row_filter != nullptr && !req.row_filter->Matches(row)) continue;
      if (part) {
        more = part->Add(row);
      } else if (Event e = row.ToEvent(); visitor->Test(e)) {
        visitor->Take(std::move(e));
      }
    }
  }
  if (part) req.fold->Merge(std::move(part));
}

// Scans stored blocks on every core: each thread takes the next block (newest first), tests its
// rows on the columns the filter needs, and hands whole events of the passing rows to the
// visitor under a lock.
}  // namespace

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

namespace {

class ParallelBlockScan {
 public:
  struct Candidate {
    const PartReader* part;
    size_t block;
    int64_t max_time;
    const PartBlooms* blooms;  // the part's pinned filters, or null
  };

  ParallelBlockScan(const ScanRequest& req, ScanVisitor* visitor, std::vector<Candidate> candidates)
      : req_(req), visitor_(visitor), candidates_(std::move(candidates)) {}

  Status Run(ScanStats* stats) {
    stats->blocks += candidates_.size();
    // Small scans stay on the calling thread; a thread costs more than a few blocks.
    constexpr size_t kBlocksPerThread = 8;
    size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                      (candidates_.size() + kBlocksPerThread - 1) / kBlocksPerThread);
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back([this] { Work(); });
    Work();
    for (auto& t : pool) t.join();
    stats->blocks_skipped += stats_.blocks_skipped;
    stats->blocks_pruned += stats_.blocks_pruned;
    stats->blocks_read += stats_.blocks_read;
    stats->bytes_read += stats_.bytes_read;
    stats->rows_scanned += stats_.rows_scanned;
    return error_;
  }

 private:
  void Work() {
    std::unique_ptr<RowFold::Part> fold = req_.fold ? req_.fold->NewPart() : nullptr;
    ScanBlocks(fold.get());
    if (fold) {
      std::lock_guard lock(mu_);
      req_.fold->Merge(std::move(fold));
    }
  }

  void ScanBlocks(RowFold::Part* fold) {
    BlockReader block;
    std::vector<size_t> wanted;
    std::vector<uint8_t> candidate;
    std::vector<size_t> row_ends;
    for (;;) {
      size_t k = next_++;
      if (k >= candidates_.size() || stop_) return;
      if (req_.cancel && req_.cancel->load(std::memory_order_relaxed)) {
        std::lock_guard lock(mu_);
        if (error_.ok()) error_ = Status::Unavailable("the client went away; the query stopped");
        stop_ = true;
        return;
      }
      if (req_.deadline_ns != std::numeric_limits<int64_t>::max() && SteadyNanos() > req_.deadline_ns) {
        std::lock_guard lock(mu_);
        if (error_.ok()) error_ = Status::DeadlineExceeded("the scan ran out of time");
        stop_ = true;
        return;
      }
      const Candidate& c = candidates_[k];
      const BlockInfo& b = c.part->blocks()[c.block];
      {
        std::lock_guard lock(mu_);
        if (!error_.ok()) return;
        if (!visitor_->WantRange(b.min_time, b.max_time)) {
          ++stats_.blocks_skipped;
          continue;
        }
      }
      if (req_.filter) {
        PartBlockProbe probe(*c.part, c.block, c.blooms);
        if (!req_.filter->MayMatch(probe)) {
          std::lock_guard lock(mu_);
          ++stats_.blocks_pruned;
          continue;
        }
      }
      // A block that lies inside the time range and needs no row tested may go to the fold whole.
      const bool whole = fold && req_.row_filter == nullptr && b.min_time >= req_.min_time && b.max_time < req_.max_time;
      Status st = block.Load(*c.part, c.block, !whole);
      bool folded = false;
      uint64_t rows = 0;
      wanted.clear();
      if (whole && st.ok()) {
        WholeBlock view(block, b);
        folded = fold->AddBlock(view);
        st = view.status();
        if (folded) rows = b.rows;
        else if (st.ok()) st = block.DecodeTime();
      }
      if (!folded) {
        // A templated column may answer the row filter for every row without being decoded.
        bool exact = false;
        if (st.ok() && req_.templated_filter != nullptr) {
          Result<TemplatedColumn*> column = block.Templated(req_.templated_filter->field());
          if (!column.ok()) {
            st = column.status();
          } else if (*column != nullptr) {
            Result<bool> matched = req_.templated_filter->Match(**column, &candidate);
            if (matched.ok()) exact = *matched;
            else st = matched.status();
          }
        }
        if (st.ok() && !exact) st = block.Decode(req_.fields);
        if (st.ok() && fold && req_.fields != nullptr) st = block.Decode(req_.result_fields);
        // Rows whose message lacks what the prefilter looks for cannot match: find the others
        // with one search over the block's messages.
        const bool prefiltered =
            exact || (st.ok() && req_.msg_prefilter != nullptr && MarkCandidates(block, &row_ends, &candidate));
        for (size_t r = 0; st.ok() && r < block.rows(); ++r) {
          if (block.Time(r) < req_.min_time || block.Time(r) >= req_.max_time) continue;
          ++rows;
          if (prefiltered && !candidate[r]) continue;
          BlockRowView row(block, r);
          if (!exact && req_.row_filter != nullptr && !req_.row_filter->Matches(row)) continue;
          if (!fold) {
            wanted.push_back(r);
          } else if (!fold->Add(row)) {
            stop_ = true;
            break;
          }
        }
        if (st.ok() && !wanted.empty() && (exact || req_.fields != nullptr || req_.result_fields != nullptr))
          st = block.Decode(req_.result_fields);
      }
      std::lock_guard lock(mu_);
      ++stats_.blocks_read;
      stats_.bytes_read += block.bytes_read();
      stats_.rows_scanned += rows;
      if (!st.ok()) {
        if (error_.ok()) error_ = st;
        return;
      }
      for (size_t r : wanted) {
        Event full;
        block.BuildEvent(r, &full);
        if (visitor_->Test(full)) visitor_->Take(std::move(full));
      }
    }
  }

  // Marks the rows whose _msg holds what the prefilter finds; false when the block's messages
  // are not one run of bytes (a dictionary column), and every row must be tested.
  bool MarkCandidates(const BlockReader& block, std::vector<size_t>* row_ends, std::vector<uint8_t>* candidate) {
    std::optional<std::string_view> run = block.MsgRun(row_ends);
    if (!run) return false;
    candidate->assign(block.rows(), 0);
    size_t pos = 0, r = 0;
    while ((pos = req_.msg_prefilter->Find(*run, pos)) != std::string_view::npos) {
      // The row it starts in (a hit spanning two rows marks the first: a superset is fine).
      r = static_cast<size_t>(std::upper_bound(row_ends->begin() + static_cast<ptrdiff_t>(r), row_ends->end(), pos) -
                              row_ends->begin());
      if (r >= block.rows()) break;
      (*candidate)[r] = 1;
      pos = (*row_ends)[r];  // one hit per row is enough
    }
    return true;
  }

  const ScanRequest& req_;
  ScanVisitor* visitor_;
  std::vector<Candidate> candidates_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};  // a fold failed
  std::mutex mu_;  // visitor_, stats_, error_, the fold's Merge
  ScanStats stats_;
  Status error_;
};

class StoreImpl final : public Store {
 public:
  explicit StoreImpl(StoreOptions options)
      : opt_(std::move(options)), env_(opt_.env), bloom_cache_(opt_.bloom_cache_bytes) {}
  ~StoreImpl() override {
    Status st = Close();
    if (!st.ok()) LogError("closing the store: " + st.ToString());
  }

  Status Init() {
    RETURN_IF_ERROR(env_->CreateDirs(opt_.dir));
    const std::string manifest_path = JoinPath(opt_.dir, kManifestFile);
    ASSIGN_OR_RETURN(manifest_, LoadManifest(env_, opt_.dir));
    ASSIGN_OR_RETURN(std::vector<std::string> files, ListPartDirFiles());
    if (!env_->FileExists(manifest_path) &&
        std::any_of(files.begin(), files.end(), [](const std::string& f) { return f.ends_with(".part"); }))
      return Status::Corruption("'" + manifest_path + "' is missing but part files exist under '" +
                                JoinPath(opt_.dir, "tenants") + "': refusing to treat them all as orphans and delete them");
    RETURN_IF_ERROR(RemoveOrphans(files));
    for (const auto& meta : manifest_.parts) {
      auto reader = PartReader::Open(env_, JoinPath(opt_.dir, meta.RelativePath()), &bloom_cache_);
      if (!reader.ok()) return reader.status();
      // Added "ever ago": no flush of this process is on its way to join it, so a partition of
      // such parts is settled, and an unfiltered one due, at the first maintenance round (not
      // half a minute into whatever the restarted server is asked first).
      parts_.push_back(std::make_shared<LivePart>(LivePart{meta, std::move(reader).value(), 0}));
    }
    head_ = std::make_unique<MemTable>();
    head_->max_seq = manifest_.flushed_seq;
    auto wal = Wal::Open(env_, JoinPath(opt_.dir, "wal"), manifest_.flushed_seq, opt_.wal_skip_damaged,
                         [this](uint64_t seq, std::string_view payload) {
                           std::string tenant;
                           std::vector<Event> events;
                           size_t first = 0;
                           RETURN_IF_ERROR(DecodeWalPayload(payload, &tenant, &events, &first));
                           head_->Add(tenant, std::string(payload), first, events);
                           head_->max_seq = seq;
                           return Status::Ok();
                         });
    if (!wal.ok()) return wal.status();
    wal_ = std::move(wal).value();
    if (head_->rows > 0)
      LogInfo("replayed " + std::to_string(head_->rows) + " events from the WAL (records " +
              std::to_string(manifest_.flushed_seq + 1) + " to " + std::to_string(head_->max_seq) + ")");
    unflushed_bytes_ = head_->bytes;
    if (opt_.background_flush) {
      flusher_ = std::thread([this] { FlushLoop(); });
      maintainer_ = std::thread([this] { MaintenanceLoop(); });
    }
    return Status::Ok();
  }

  Status AppendAll(std::span<const TenantEvents> batches) override {
    if (closed_) return Status::Unavailable("the store is shutting down");
    Writer w;
    for (const TenantEvents& b : batches) {
      if (!IsValidTenant(b.tenant)) return Status::InvalidArgument("invalid tenant name '" + std::string(b.tenant) + "'");
      if (!b.events->empty()) w.batches.push_back({b, {}, 0});
    }
    if (w.batches.empty()) return Status::Ok();
    if (unflushed_bytes_ > opt_.max_head_bytes) {
      bg_cv_.notify_all();
      return Status::ResourceExhausted("ingest buffer full: " + std::to_string(unflushed_bytes_ >> 20) +
                                       " MiB not yet written to parts; retry shortly");
    }
    // A WAL record per tenant, all in the commit group's one write and fsync.
    for (auto& b : w.batches) {
      b.first = EncodeWalPayload(&b.payload, b.events.tenant, *b.events.events);
      // Refused here, alone, rather than failing the whole commit group it would join.
      if (b.payload.size() > wal::kWalMaxRecordBytes)
        return Status::TooLarge("a batch of " + std::to_string(b.payload.size()) +
                                " bytes is larger than the WAL's record limit");
      w.bytes += b.payload.size();
    }
    // Taken, as Append promises, once stored: the head keeps their encoding.
    auto taken = [&] {
      if (w.status.ok())
        for (auto& b : w.batches) b.events.events->clear();
      return w.status;
    };

    std::unique_lock lock(commit_mu_);
    writers_.push_back(&w);
    w.cv.wait(lock, [&] { return w.done || writers_.front() == &w; });
    if (w.done) {
      lock.unlock();
      return taken();
    }

    // This thread leads a commit group: everything queued so far, in one write and one fsync.
    std::vector<Writer*> group;
    std::vector<std::string_view> payloads;
    size_t bytes = 0;
    for (Writer* x : writers_) {
      if (!group.empty() && bytes + x->bytes > kMaxCommitGroupBytes) break;
      group.push_back(x);
      for (const auto& b : x->batches) payloads.push_back(b.payload);
      bytes += x->bytes;
    }
    lock.unlock();
    Status st;
    {
      std::lock_guard wal_lock(wal_mu_);
      auto seq = wal_->Write(payloads);
      st = seq.status();
      if (seq.ok()) {
        // Into the head in WAL order, before anyone is acknowledged: the head then always holds
        // exactly the records up to its max_seq, which is what a flush may mark as flushed.
        std::lock_guard head_lock(head_mu_);
        size_t before = head_->bytes;
        if (has_listeners_.load(std::memory_order_acquire)) {
          std::lock_guard listeners_lock(listeners_mu_);
          for (Writer* x : group)
            for (const auto& b : x->batches)
              for (AppendListener* l : listeners_) l->OnAppend(b.events.tenant, *b.events.events);
        }
        for (Writer* x : group)
          for (auto& b : x->batches) head_->Add(std::string(b.events.tenant), std::move(b.payload), b.first, *b.events.events);
        head_->max_seq = seq.value();
        unflushed_bytes_ += head_->bytes - before;
      }
    }
    lock.lock();
    for (Writer* x : group) {
      writers_.pop_front();
      x->status = st;
      x->done = true;
      if (x != &w) x->cv.notify_one();
    }
    if (!writers_.empty()) writers_.front()->cv.notify_one();
    else commit_drained_.notify_all();
    lock.unlock();
    // A big head flushes early: it bounds memory and how much WAL a restart replays.
    if (st.ok() && unflushed_bytes_ > opt_.flush_head_bytes) bg_cv_.notify_all();
    return taken();
  }

  Status Scan(const ScanRequest& req, ScanVisitor* visitor) override {
    std::vector<std::shared_ptr<const MemTable>> frozen;
    std::vector<std::shared_ptr<LivePart>> parts;
    {
      std::shared_lock state(state_mu_);
      frozen = immutables_;
      for (const auto& p : parts_)
        if (p->meta.tenant == req.tenant && p->meta.max_time >= req.min_time && p->meta.min_time < req.max_time)
          parts.push_back(p);
      std::lock_guard head_lock(head_mu_);
      if (auto it = head_->by_tenant.find(req.tenant); it != head_->by_tenant.end())
        ScanEvents(it->second, req, visitor);
    }
    for (auto it = frozen.rbegin(); it != frozen.rend(); ++it)
      if (auto t = (*it)->by_tenant.find(req.tenant); t != (*it)->by_tenant.end()) ScanEvents(t->second, req, visitor);
    // Blocks of all parts, newest end first: a query that wants the newest N stops as soon as
    // the blocks left are all older than what it has.
    std::vector<ParallelBlockScan::Candidate> candidates;
    std::vector<std::shared_ptr<const PartBlooms>> pinned;
    // The stream filter runs once per distinct stream, over the parts' stream indexes.
    std::unordered_map<std::string_view, bool> stream_ok;
    std::vector<char> part_stream_ok;
    uint64_t pruned_by_stream = 0;
    for (const auto& p : parts) {
      const auto& blocks = p->reader->blocks();
      if (req.stream_filter) {
        const auto& streams = p->reader->streams();
        part_stream_ok.assign(streams.size(), 0);
        for (size_t s = 0; s < streams.size(); ++s) {
          auto [it, fresh] = stream_ok.try_emplace(streams[s], false);
          if (fresh) it->second = req.stream_filter->Matches(streams[s]);
          part_stream_ok[s] = it->second;
        }
        if (std::none_of(part_stream_ok.begin(), part_stream_ok.end(), [](char ok) { return ok; })) {
          for (const auto& b : blocks) pruned_by_stream += b.max_time >= req.min_time && b.min_time < req.max_time;
          continue;
        }
      }
      const PartBlooms* blooms = nullptr;
      if (req.filter) {
        // A damaged filter is reported when the block's own filter is read (and then read whole).
        auto pin = p->reader->PinBlooms();
        if (pin.ok() && pin.value()) blooms = pinned.emplace_back(std::move(pin).value()).get();
      }
      for (size_t i = 0; i < blocks.size(); ++i) {
        if (blocks[i].max_time < req.min_time || blocks[i].min_time >= req.max_time) continue;
        if (req.stream_filter && !part_stream_ok[blocks[i].stream_id]) {
          ++pruned_by_stream;
          continue;
        }
        candidates.push_back({p->reader.get(), i, blocks[i].max_time, blooms});
      }
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.max_time > b.max_time; });
    ScanStats local;
    ScanStats* stats = req.stats ? req.stats : &local;
    stats->blocks += pruned_by_stream;
    stats->blocks_pruned += pruned_by_stream;
    ParallelBlockScan scan(req, visitor, std::move(candidates));
    RETURN_IF_ERROR(scan.Run(stats));
    return Status::Ok();
  }

  void Subscribe(AppendListener* listener) override {
    std::lock_guard lock(listeners_mu_);
    listeners_.push_back(listener);
    has_listeners_ = true;
  }
  void Unsubscribe(AppendListener* listener) override {
    std::lock_guard lock(listeners_mu_);
    std::erase(listeners_, listener);
    has_listeners_ = !listeners_.empty();
  }

  Status Flush() override {
    std::lock_guard flush_lock(flush_mu_);
    {
      std::unique_lock state(state_mu_);
      std::lock_guard head_lock(head_mu_);
      if (head_->rows > 0) {
        uint64_t seq = head_->max_seq;
        immutables_.push_back(std::shared_ptr<const MemTable>(std::move(head_)));
        head_ = std::make_unique<MemTable>();
        head_->max_seq = seq;
      }
    }
    for (;;) {
      std::shared_ptr<const MemTable> oldest;
      {
        std::shared_lock state(state_mu_);
        if (immutables_.empty()) break;
        oldest = immutables_.front();
      }
      RETURN_IF_ERROR(WriteParts(*oldest));
    }
    std::lock_guard wal_lock(wal_mu_);
    return wal_->DeleteUpTo(manifest_.flushed_seq);
  }

  StoreStats Stats() override {
    StoreStats s;
    std::shared_lock state(state_mu_);
    for (const auto& p : parts_) {
      ++s.parts;
      s.part_rows += p->meta.rows;
      s.part_bytes += p->meta.bytes;
    }
    for (const auto& m : immutables_) s.head_rows += m->rows;
    std::lock_guard head_lock(head_mu_);
    s.head_rows += head_->rows;
    s.head_bytes = unflushed_bytes_;
    s.wal_seq = head_->max_seq;
    return s;
  }

  Status Close() override {
    if (closed_.exchange(true)) return Status::Ok();
    {
      std::lock_guard bg(bg_mu_);
      stop_ = true;
    }
    bg_cv_.notify_all();
    if (flusher_.joinable()) flusher_.join();
    if (maintainer_.joinable()) maintainer_.join();
    // Wait for commits in flight, then flush so that the next start replays nothing.
    {
      std::unique_lock lock(commit_mu_);
      commit_drained_.wait(lock, [&] { return writers_.empty(); });
    }
    if (!wal_) return Status::Ok();
    RETURN_IF_ERROR(Flush());
    uint64_t flushed;
    {
      std::lock_guard flush_lock(flush_mu_);
      flushed = manifest_.flushed_seq;
    }
    // Everything is in parts now: leave an empty WAL behind.
    std::lock_guard wal_lock(wal_mu_);
    RETURN_IF_ERROR(wal_->Rotate());
    return wal_->DeleteUpTo(flushed);
  }

 private:
  struct Writer {
    struct Batch {
      TenantEvents events;
      std::string payload;  // its WAL record
      size_t first = 0;     // where the events start in payload
    };
    std::vector<Batch> batches;
    size_t bytes = 0;  // of the payloads
    Status status;
    bool done = false;
    std::condition_variable cv;
  };

  // Writes one frozen memtable as parts (one per tenant and day), then switches the manifest.
  Status WriteParts(const MemTable& mem) {
    Manifest next = manifest_;
    std::vector<std::shared_ptr<LivePart>> added;
    // Grouped by tenant and UTC day number (formatting a date per event would cost more).
    std::map<std::pair<std::string, int64_t>, std::vector<EncodedEvent>> groups;
    for (const auto& [tenant, batches] : mem.by_tenant) {
      int64_t day = DayNumber(batches.front().min_time);
      auto* group = &groups[{tenant, day}];
      for (const auto& b : batches) {
        Decoder in(std::string_view(b.payload).substr(b.first));
        EncodedEvent e;
        for (size_t i = 0; i < b.count; ++i) {
          // Encoded by this process (or checked at replay): damage here is memory's, not disk's.
          if (!SkipEvent(&in, &e)) return Status::Corruption("an event of the head does not decode");
          int64_t d = DayNumber(e.time);
          if (d != day) group = &groups[{tenant, day = d}];
          group->push_back(e);
        }
      }
    }
    auto cleanup = [&] {
      for (const auto& p : added) (void)env_->RemoveFile(p->reader->path());
    };
    for (auto& [key, events] : groups) {
      PartMeta meta;
      meta.tenant = key.first;
      meta.day = FormatDay(key.second * kNanosPerDay);
      meta.id = next.next_part_id++;
      const std::string path = JoinPath(opt_.dir, meta.RelativePath());
      Status st = MakePartDir(DirName(path));
      // Without bloom filters: a merge rewrites the part within seconds, with them (the flush,
      // the one thread that keeps up with ingest, saves tokenizing every message once).
      // Templated test stores stand for the merged parts, filters included.
      Result<PartSummary> summary =
          st.ok() ? WritePart(env_, path + ".tmp", std::move(events), opt_.always_template,
                              /*filters=*/opt_.always_template)
                  : Result<PartSummary>(st);
      if (summary.ok()) st = env_->RenameFile(path + ".tmp", path);
      else st = summary.status();
      if (st.ok()) st = env_->SyncDir(DirName(path));
      Result<std::unique_ptr<PartReader>> reader = st.ok() ? PartReader::Open(env_, path, &bloom_cache_) : Result<std::unique_ptr<PartReader>>(st);
      if (!reader.ok()) {
        (void)env_->RemoveFile(path + ".tmp");
        (void)env_->RemoveFile(path);
        cleanup();
        manifest_.next_part_id = next.next_part_id;
        return reader.status().Annotate("cannot write part " + path);
      }
      meta.rows = summary->rows;
      meta.min_time = summary->min_time;
      meta.max_time = summary->max_time;
      meta.bytes = summary->bytes;
      next.parts.push_back(meta);
      added.push_back(std::make_shared<LivePart>(LivePart{meta, std::move(reader).value(), env_->NowNanos()}));
    }
    next.flushed_seq = mem.max_seq;
    // Part ids are never reused, even when this flush fails: a manifest whose rename reached
    // the disk despite an error may name them.
    manifest_.next_part_id = next.next_part_id;
    Status st = env_->WriteFileAtomic(JoinPath(opt_.dir, kManifestFile), next.Encode());
    if (!st.ok()) {
      // The parts stay: if the new manifest did reach the disk it needs them, and if it did not,
      // the next start removes them as orphans.
      return st.Annotate("cannot write the manifest");
    }
    std::unique_lock state(state_mu_);
    manifest_ = std::move(next);
    parts_.insert(parts_.end(), added.begin(), added.end());
    immutables_.erase(immutables_.begin());
    unflushed_bytes_ -= mem.bytes;
    return Status::Ok();
  }

  Status Maintain() override {
    // One maintenance round at a time: two could merge the same parts.
    std::lock_guard maintain_lock(maintain_mu_);
    RETURN_IF_ERROR(ApplyRetention());
    // Between merges, a shutdown wins: the remaining merges wait for the next start.
    while (!StopRequested()) {
      bool lasting = false;
      std::vector<std::shared_ptr<LivePart>> inputs = PickPartsToMerge(&lasting);
      if (inputs.empty()) return Status::Ok();
      RETURN_IF_ERROR(Merge(inputs, lasting));
    }
    return Status::Ok();
  }

  bool StopRequested() {
    std::lock_guard bg(bg_mu_);
    return stop_;
  }

  // The parts of the first partition that needs a merge by size tiers, else of the first settled
  // one with parts to make last (*lasting set), else the flushed parts (without bloom filters)
  // that no tier took within unfiltered_merge_delay_ns in a partition that never settles.
  std::vector<std::shared_ptr<LivePart>> PickPartsToMerge(bool* lasting) {
    std::shared_lock state(state_mu_);
    std::map<std::pair<std::string, std::string>, std::vector<std::shared_ptr<LivePart>>> partitions;
    for (const auto& p : parts_) partitions[{p->meta.tenant, p->meta.day}].push_back(p);
    auto pick_with = [&](bool settled) -> std::vector<std::shared_ptr<LivePart>> {
      const int64_t now = env_->NowNanos();
      for (auto& [key, parts] : partitions) {
        std::vector<PartMeta> metas;
        std::vector<bool> lasting_parts;
        int64_t newest = 0;
        for (const auto& p : parts) {
          metas.push_back(p->meta);
          lasting_parts.push_back(p->reader->has_msg_pairs());  // only parts written to last have pairs
          newest = std::max(newest, p->added_ns);
        }
        if (settled && now - newest < opt_.settle_ns) continue;
        std::vector<size_t> pick = settled ? PickSettledMerge(metas, lasting_parts) : PickMerge(metas);
        if (pick.empty()) continue;
        std::vector<std::shared_ptr<LivePart>> out;
        for (size_t i : pick) out.push_back(parts[i]);
        return out;
      }
      return {};
    };
    auto out = pick_with(false);
    if (out.empty() && opt_.settle_ns >= 0) {
      out = pick_with(true);
      *lasting = !out.empty();
    }
    if (out.empty()) out = PickUnfiltered(partitions);
    return out;
  }

  // Of the first partition with one due: its flushed parts (without bloom filters), at most
  // kMaxMergeParts, once one of them has waited unfiltered_merge_delay_ns for a tier.
  std::vector<std::shared_ptr<LivePart>> PickUnfiltered(
      const std::map<std::pair<std::string, std::string>, std::vector<std::shared_ptr<LivePart>>>& partitions) {
    const int64_t now = env_->NowNanos();
    for (const auto& [key, parts] : partitions) {
      std::vector<std::shared_ptr<LivePart>> unfiltered;
      bool due = false;
      for (const auto& p : parts) {
        if (p->reader->has_filters() || unfiltered.size() == kMaxMergeParts) continue;
        unfiltered.push_back(p);
        // A clock set back counts as time passed.
        due = due || now - p->added_ns >= opt_.unfiltered_merge_delay_ns || now < p->added_ns;
      }
      if (due) return unfiltered;
    }
    return {};
  }

  Status Merge(const std::vector<std::shared_ptr<LivePart>>& inputs, bool lasting) {
    PartMeta meta;
    meta.tenant = inputs[0]->meta.tenant;
    meta.day = inputs[0]->meta.day;
    {
      std::lock_guard flush_lock(flush_mu_);
      meta.id = manifest_.next_part_id++;
    }
    const std::string path = JoinPath(opt_.dir, meta.RelativePath());
    std::vector<const PartReader*> readers;
    for (const auto& p : inputs) readers.push_back(p->reader.get());
    auto summary = MergeParts(env_, readers, path + ".tmp", lasting);
    Status st = summary.status();
    if (st.ok()) st = env_->RenameFile(path + ".tmp", path);
    if (st.ok()) st = env_->SyncDir(DirName(path));
    auto reader = st.ok() ? PartReader::Open(env_, path, &bloom_cache_) : Result<std::unique_ptr<PartReader>>(st);
    if (!reader.ok()) {
      (void)env_->RemoveFile(path + ".tmp");
      (void)env_->RemoveFile(path);
      return reader.status().Annotate("cannot merge into " + path);
    }
    meta.rows = summary->rows;
    meta.min_time = summary->min_time;
    meta.max_time = summary->max_time;
    meta.bytes = summary->bytes;
    auto merged = std::make_shared<LivePart>(LivePart{meta, std::move(reader).value(), env_->NowNanos()});
    std::vector<uint64_t> gone;
    for (const auto& p : inputs) gone.push_back(p->meta.id);
    RETURN_IF_ERROR(SwitchParts(gone, merged));
    return Status::Ok();
  }

  // Drops day partitions past the age limit, then the oldest days while over the size limit.
  Status ApplyRetention() {
    std::vector<uint64_t> gone;
    {
      std::shared_lock state(state_mu_);
      std::map<std::string, uint64_t> day_bytes;  // over all tenants
      uint64_t total = 0;
      for (const auto& p : parts_) {
        day_bytes[p->meta.day] += p->meta.bytes;
        total += p->meta.bytes;
      }
      std::vector<std::string> drop_days;
      if (opt_.retention_ns > 0) {
        // A day goes when all of it is older than the limit.
        const std::string oldest_kept = FormatDay(env_->NowNanos() - opt_.retention_ns);
        for (const auto& [day, bytes] : day_bytes)
          if (day < oldest_kept) drop_days.push_back(day);
      }
      if (opt_.max_disk_bytes > 0) {
        for (const auto& d : drop_days) total -= day_bytes[d];
        for (auto it = day_bytes.begin(); total > opt_.max_disk_bytes && std::next(it) != day_bytes.end(); ++it) {
          if (std::find(drop_days.begin(), drop_days.end(), it->first) != drop_days.end()) continue;
          drop_days.push_back(it->first);  // never the newest day
          total -= it->second;
        }
      }
      for (const auto& p : parts_)
        if (std::find(drop_days.begin(), drop_days.end(), p->meta.day) != drop_days.end()) gone.push_back(p->meta.id);
    }
    if (gone.empty()) return Status::Ok();
    return SwitchParts(gone, nullptr);
  }

  // Replaces the parts with ids `gone` by `added` (may be null) in one manifest change, then
  // deletes their files. A crash before the manifest switch keeps the old parts, after it the
  // new ones; the other side's files are removed as orphans at the next start.
  Status SwitchParts(const std::vector<uint64_t>& gone, const std::shared_ptr<LivePart>& added) {
    std::vector<std::shared_ptr<LivePart>> removed;
    {
      std::lock_guard flush_lock(flush_mu_);
      for (uint64_t id : gone)
        if (std::none_of(manifest_.parts.begin(), manifest_.parts.end(), [&](const PartMeta& m) { return m.id == id; }))
          return Status::Internal("part " + std::to_string(id) + " to be replaced is no longer live");
      Manifest next = manifest_;
      std::erase_if(next.parts, [&](const PartMeta& m) { return std::find(gone.begin(), gone.end(), m.id) != gone.end(); });
      if (added) next.parts.push_back(added->meta);
      RETURN_IF_ERROR(env_->WriteFileAtomic(JoinPath(opt_.dir, kManifestFile), next.Encode()).Annotate("cannot write the manifest"));
      std::unique_lock state(state_mu_);
      manifest_ = std::move(next);
      for (auto& p : parts_)
        if (std::find(gone.begin(), gone.end(), p->meta.id) != gone.end()) removed.push_back(p);
      std::erase_if(parts_, [&](const auto& p) { return std::find(gone.begin(), gone.end(), p->meta.id) != gone.end(); });
      if (added) parts_.push_back(added);
    }
    // Scans holding the removed parts keep reading them: an open file outlives its name.
    for (const auto& p : removed) {
      const std::string path = JoinPath(opt_.dir, p->meta.RelativePath());
      Status st = env_->RemoveFile(path);
      if (!st.ok() && st.code() != Code::kNotFound) LogWarn("cannot remove " + path + ": " + st.ToString());
      if (!added) {
        // A dropped day's directory goes with its last part.
        auto left = env_->GetChildren(DirName(path));
        if (left.ok() && left->empty()) (void)env_->RemoveDir(DirName(path));
        LogInfo("retention: dropped " + path);
      }
    }
    return Status::Ok();
  }

  // Creates tenants/<tenant>/<day> and makes each new directory entry durable; a directory
  // counts as done only once its parents' syncs succeeded (a failed attempt is redone).
  Status MakePartDir(const std::string& dir) {
    if (synced_dirs_.count(dir)) return Status::Ok();
    RETURN_IF_ERROR(env_->CreateDirs(dir));
    std::string d = dir;
    for (int i = 0; i < 3; ++i) {
      d = DirName(d);
      RETURN_IF_ERROR(env_->SyncDir(d));
    }
    synced_dirs_.insert(dir);
    return Status::Ok();
  }

  // Every file in the part directories, as paths relative to the data directory.
  Result<std::vector<std::string>> ListPartDirFiles() {
    std::vector<std::string> out;
    const std::string root = JoinPath(opt_.dir, "tenants");
    if (!env_->FileExists(root)) return out;
    ASSIGN_OR_RETURN(auto tenants, env_->GetChildren(root));
    for (const auto& t : tenants) {
      auto days = env_->GetChildren(JoinPath(root, t));
      if (!days.ok()) continue;
      for (const auto& d : *days) {
        auto files = env_->GetChildren(JoinPath(JoinPath(root, t), d));
        if (!files.ok()) continue;
        for (const auto& f : *files) out.push_back("tenants/" + t + "/" + d + "/" + f);
      }
    }
    return out;
  }

  // Part files not in the manifest were written by a flush that a crash interrupted.
  Status RemoveOrphans(const std::vector<std::string>& files) {
    std::set<std::string> live;
    for (const auto& p : manifest_.parts) live.insert(p.RelativePath());
    for (const auto& rel : files) {
      if (live.count(rel)) continue;
      LogInfo("removing " + JoinPath(opt_.dir, rel) + ": not in the manifest (left by an interrupted flush)");
      RETURN_IF_ERROR(env_->RemoveFile(JoinPath(opt_.dir, rel)));
    }
    return Status::Ok();
  }

  void MaintenanceLoop() {
    std::unique_lock lock(bg_mu_);
    while (!stop_) {
      bg_cv_.wait_for(lock, std::chrono::seconds(1));
      if (stop_) break;
      lock.unlock();
      Status st = Maintain();
      if (!st.ok()) LogError("maintenance (merge or retention) failed, will retry: " + st.ToString());
      lock.lock();
    }
  }

  void FlushLoop() {
    std::unique_lock lock(bg_mu_);
    while (!stop_) {
      bg_cv_.wait_for(lock, std::chrono::nanoseconds(opt_.flush_interval_ns));
      if (stop_) break;
      lock.unlock();
      Status st = Flush();
      if (!st.ok()) {
        // Nothing is lost: the events stay in the head and the WAL, and the next round retries.
        LogError("flush failed, will retry: " + st.ToString());
      }
      lock.lock();
    }
  }

  StoreOptions opt_;
  Env* env_;
  BloomCache bloom_cache_;  // before the parts: their readers use it until they go
  std::mutex listeners_mu_;
  std::vector<AppendListener*> listeners_;
  std::atomic<bool> has_listeners_{false};
  std::unique_ptr<Wal> wal_;
  std::mutex wal_mu_;

  std::mutex commit_mu_;
  std::deque<Writer*> writers_;
  std::condition_variable commit_drained_;

  std::shared_mutex state_mu_;  // immutables_, parts_; taken before head_mu_
  std::mutex head_mu_;
  std::unique_ptr<MemTable> head_;
  std::vector<std::shared_ptr<const MemTable>> immutables_;  // oldest first
  std::vector<std::shared_ptr<LivePart>> parts_;
  std::mutex flush_mu_;  // one flush at a time; guards manifest_ and synced_dirs_
  std::set<std::string> synced_dirs_;  // part directories whose entries are durable
  std::mutex maintain_mu_;  // one maintenance round at a time
  Manifest manifest_;
  std::atomic<size_t> unflushed_bytes_{0};

  std::thread flusher_;
  std::thread maintainer_;
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;
  std::atomic<bool> closed_{false};
};

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  auto store = std::make_unique<StoreImpl>(std::move(options));
  Status st = store->Init();
  if (!st.ok()) return st;
  return std::unique_ptr<Store>(std::move(store));
}

Status DescribeStore(Env* env, const std::string& dir, std::string* report) {
  ASSIGN_OR_RETURN(Manifest manifest, LoadManifest(env, dir));
  struct ColumnTotals {
    uint64_t raw = 0, stored = 0, bloom = 0, blocks = 0;
  };
  std::map<std::string, ColumnTotals> columns;
  std::map<std::string, std::pair<uint64_t, uint64_t>> partitions;  // tenant/day -> parts, rows
  uint64_t rows = 0, bytes = 0, blocks = 0;
  for (const auto& meta : manifest.parts) {
    ASSIGN_OR_RETURN(auto reader, PartReader::Open(env, JoinPath(dir, meta.RelativePath())));
    rows += meta.rows;
    bytes += meta.bytes;
    auto& part = partitions[meta.tenant + "/" + meta.day];
    ++part.first;
    part.second += meta.rows;
    for (const auto& b : reader->blocks()) {
      ++blocks;
      for (const auto& c : b.columns) {
        auto& t = columns[c.name];
        t.raw += c.raw_size;
        t.stored += c.size;
        t.bloom += c.bloom_size;
        ++t.blocks;
      }
    }
  }
  char line[256];
  std::snprintf(line, sizeof(line), "%zu parts, %zu partitions, %llu blocks, %llu rows, %.1f MB on disk\n\n",
                manifest.parts.size(), partitions.size(), static_cast<unsigned long long>(blocks),
                static_cast<unsigned long long>(rows), static_cast<double>(bytes) / 1e6);
  *report += line;
  *report += "partition                         parts         rows\n";
  for (const auto& [name, v] : partitions) {
    std::snprintf(line, sizeof(line), "%-32s %6llu %12llu\n", name.c_str(), static_cast<unsigned long long>(v.first),
                  static_cast<unsigned long long>(v.second));
    *report += line;
  }
  *report += "\ncolumn                         blocks   encoded MB    stored MB   ratio   bloom MB\n";
  uint64_t raw_total = 0, stored_total = 0, bloom_total = 0;
  for (const auto& [name, t] : columns) {
    std::snprintf(line, sizeof(line), "%-30s %7llu %12.2f %12.2f %7.1f %10.2f\n", name.substr(0, 30).c_str(),
                  static_cast<unsigned long long>(t.blocks), static_cast<double>(t.raw) / 1e6,
                  static_cast<double>(t.stored) / 1e6, t.stored ? static_cast<double>(t.raw) / static_cast<double>(t.stored) : 0.0,
                  static_cast<double>(t.bloom) / 1e6);
    *report += line;
    raw_total += t.raw;
    stored_total += t.stored;
    bloom_total += t.bloom;
  }
  std::snprintf(line, sizeof(line), "%-30s %7s %12.2f %12.2f %7.1f %10.2f\n", "all columns", "",
                static_cast<double>(raw_total) / 1e6, static_cast<double>(stored_total) / 1e6,
                stored_total ? static_cast<double>(raw_total) / static_cast<double>(stored_total) : 0.0,
                static_cast<double>(bloom_total) / 1e6);
  *report += line;
  return Status::Ok();
}

Status CheckStore(Env* env, const std::string& dir, std::string* report) {
  size_t problems = 0;
  auto note = [&](const Status& st) {
    if (!st.ok()) {
      ++problems;
      *report += st.ToString() + "\n";
    }
  };
  auto loaded = LoadManifest(env, dir);
  note(loaded.status());
  Manifest manifest = loaded.ok() ? std::move(loaded).value() : Manifest();
  uint64_t rows = 0;
  for (const auto& meta : manifest.parts) {
    auto reader = PartReader::Open(env, JoinPath(dir, meta.RelativePath()));
    if (!reader.ok()) {
      note(reader.status());
      continue;
    }
    note(reader.value()->Check());
    rows += meta.rows;
  }
  note(Wal::Verify(env, JoinPath(dir, "wal"), report));
  *report += "checked " + std::to_string(manifest.parts.size()) + " parts (" + std::to_string(rows) +
             " rows) and the WAL: " + (problems == 0 ? "no damage found" : std::to_string(problems) + " problems") + "\n";
  return problems == 0 ? Status::Ok() : Status::Corruption(std::to_string(problems) + " damaged files in " + dir);
}

}  // namespace sawlog
