#include "store/merge.h"

#include <algorithm>
#include <memory>
#include <set>

#include "store/part_format.h"

namespace sawlog {

namespace {

// An input block, decoded, kept while the output block being built takes rows from it.
struct SourceBlock {
  BlockReader reader;
  const BlockInfo* info = nullptr;
  std::vector<size_t> row_bytes;  // each row as Event::ApproximateBytes counts it (the block size limit)
  std::vector<int> out_column;    // per column: its column in the output block; -1: none yet
  std::vector<int> occurrence;    // per column: how many before it have its name
  bool in_output = false;         // some row of it is in the output block
};

Result<std::shared_ptr<SourceBlock>> LoadBlock(const PartReader& part, size_t i) {
  auto b = std::make_shared<SourceBlock>();
  b->info = &part.blocks()[i];
  RETURN_IF_ERROR(b->reader.Load(part, i));
  RETURN_IF_ERROR(b->reader.Decode(nullptr));
  const auto& columns = b->info->columns;
  const size_t rows = b->reader.rows();
  b->row_bytes.assign(rows, Event::BaseBytes(b->info->stream.size(), 0));
  b->out_column.assign(columns.size(), -1);
  b->occurrence.assign(columns.size(), 0);
  for (size_t c = 2; c < columns.size(); ++c) {
    const auto& values = b->reader.Values(c);
    const size_t overhead = c == 2 ? 0 : Event::FieldBytes(columns[c].name.size(), 0);
    for (size_t r = 0; r < rows; ++r)
      if (values[r]) b->row_bytes[r] += overhead + values[r]->size();
    for (size_t d = 3; d < c; ++d) b->occurrence[c] += columns[d].name == columns[c].name;
  }
  return b;
}

// One input's blocks of one stream, row by row.
class StreamCursor {
 public:
  StreamCursor(const PartReader* part, size_t input, size_t first, size_t end)
      : part_(part), input_(input), next_(first), end_(end) {}
  Status Start() { return NextBlock(); }
  bool done() const { return block_ == nullptr; }
  int64_t time() const { return block_->reader.Time(row_); }
  size_t input() const { return input_; }
  // Orders rows of equal time by input, so a merge's output does not depend on its inner loop.
  bool Before(const StreamCursor& o) const { return time() < o.time() || (time() == o.time() && input_ < o.input_); }
  const std::shared_ptr<SourceBlock>& block() const { return block_; }
  size_t row() const { return row_; }
  Status Next() { return ++row_ < block_->reader.rows() ? Status::Ok() : NextBlock(); }

 private:
  Status NextBlock() {
    block_.reset();
    row_ = 0;
    if (next_ == end_) return Status::Ok();
    ASSIGN_OR_RETURN(block_, LoadBlock(*part_, next_++));
    return Status::Ok();
  }

  const PartReader* part_;
  size_t input_, next_, end_;
  std::shared_ptr<SourceBlock> block_;
  size_t row_ = 0;
};

// The output block being built, as references to input rows; written as columns.
class OutputBlock {
 public:
  explicit OutputBlock(PartWriter* writer) : writer_(writer) {}
  bool Full() const { return part::BlockFull(rows_.size(), bytes_); }
  void Add(const std::shared_ptr<SourceBlock>& b, size_t row) {
    if (!b->in_output) {
      b->in_output = true;
      sources_.push_back(b);
    }
    rows_.push_back({b.get(), row});
    bytes_ += b->row_bytes[row];
  }

  Status Write() {
    if (rows_.empty()) return Status::Ok();
    const size_t n = rows_.size();
    BlockColumns out;
    out.stream = rows_.front().block->info->stream;
    out.time.resize(n);
    out.ingest.resize(n);
    out.msg.resize(n);
    // Columns by (name, occurrence) in order of first appearance in the rows, as PartWriter
    // orders the fields of events.
    std::vector<std::pair<std::string_view, int>> keys;
    for (size_t r = 0; r < n; ++r) {
      SourceBlock& b = *rows_[r].block;
      const size_t row = rows_[r].row;
      out.time[r] = b.reader.Time(row);
      out.ingest[r] = b.reader.ingest_times()[row];
      out.msg[r] = b.reader.Values(2)[row];
      const auto& columns = b.info->columns;
      for (size_t c = 3; c < columns.size(); ++c) {
        const auto& v = b.reader.Values(c)[row];
        if (!v) continue;
        if (b.out_column[c] < 0) {
          const std::pair<std::string_view, int> key(columns[c].name, b.occurrence[c]);
          auto it = std::find(keys.begin(), keys.end(), key);
          if (it == keys.end()) {
            keys.push_back(key);
            out.names.push_back(key.first);
            out.values.emplace_back(n);
            it = keys.end() - 1;
          }
          b.out_column[c] = static_cast<int>(it - keys.begin());
        }
        out.values[static_cast<size_t>(b.out_column[c])][r] = v;
      }
    }
    RETURN_IF_ERROR(writer_->AddBlock(out));
    for (const auto& b : sources_) {
      b->in_output = false;
      std::fill(b->out_column.begin(), b->out_column.end(), -1);
    }
    sources_.clear();
    rows_.clear();
    bytes_ = 0;
    return Status::Ok();
  }

 private:
  struct Row {
    SourceBlock* block;
    size_t row;
  };
  PartWriter* writer_;
  std::vector<Row> rows_;
  std::vector<std::shared_ptr<SourceBlock>> sources_;  // kept alive until written
  size_t bytes_ = 0;
};

}  // namespace

Result<PartSummary> MergeParts(Env* env, const std::vector<const PartReader*>& inputs, const std::string& path,
                               bool lasting) {
  std::set<std::string_view> streams;
  uint64_t input_bytes = 0, input_rows = 0;
  for (const PartReader* p : inputs) {
    for (const auto& b : p->blocks()) {
      streams.insert(b.stream);
      input_rows += b.rows;
    }
    input_bytes += p->size();
  }
  const int level =
      input_bytes < part::kSmallMergeBytes && !lasting ? part::kSmallMergeZstdLevel : part::kMergeZstdLevel;
  ASSIGN_OR_RETURN(auto writer, PartWriter::Create(env, path, level));
  OutputBlock output(writer.get());
  // Each input's blocks are in (stream, time) order: a stream's blocks follow one another.
  std::vector<size_t> next(inputs.size(), 0);
  std::vector<StreamCursor> cursors;
  for (std::string_view stream : streams) {
    cursors.clear();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto& blocks = inputs[i]->blocks();
      const size_t first = next[i];
      while (next[i] < blocks.size() && blocks[next[i]].stream == stream) ++next[i];
      if (next[i] > first) cursors.emplace_back(inputs[i], i, first, next[i]);
    }
    for (auto& c : cursors) RETURN_IF_ERROR(c.Start());
    // Each turn takes the earliest row, then the rows of its input up to the next input's first.
    // In-order logs come in runs, so the comparisons are per run rather than per row.
    for (;;) {
      std::erase_if(cursors, [](const StreamCursor& c) { return c.done(); });
      if (cursors.empty()) break;
      size_t m = 0;
      for (size_t k = 1; k < cursors.size(); ++k)
        if (cursors[k].Before(cursors[m])) m = k;
      const StreamCursor* bound = nullptr;
      for (size_t k = 0; k < cursors.size(); ++k)
        if (k != m && (bound == nullptr || cursors[k].Before(*bound))) bound = &cursors[k];
      StreamCursor& c = cursors[m];
      do {
        if (output.Full()) RETURN_IF_ERROR(output.Write());
        output.Add(c.block(), c.row());
        RETURN_IF_ERROR(c.Next());
      } while (!c.done() && (bound == nullptr || c.Before(*bound)));
    }
    RETURN_IF_ERROR(output.Write());
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (next[i] != inputs[i]->blocks().size())
      return Status::Corruption("part " + inputs[i]->path() + ": blocks are not in stream order; not merged");
  ASSIGN_OR_RETURN(PartSummary summary, writer->Finish());
  if (summary.rows != input_rows)
    return Status::Internal("merge into " + path + " wrote " + std::to_string(summary.rows) + " rows of " +
                            std::to_string(input_rows));
  return summary;
}

std::vector<size_t> PickMerge(const std::vector<PartMeta>& parts) {
  std::vector<size_t> order(parts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return parts[a].bytes < parts[b].bytes; });
  size_t start = 0;
  while (start < order.size()) {
    size_t end = start + 1;
    while (end < order.size() && parts[order[end]].bytes <= 2 * std::max<uint64_t>(parts[order[start]].bytes, 1)) ++end;
    if (end - start >= kMinMergeParts) {
      end = std::min(end, start + kMaxMergeParts);
      return std::vector<size_t>(order.begin() + static_cast<ptrdiff_t>(start), order.begin() + static_cast<ptrdiff_t>(end));
    }
    start = end;
  }
  return {};
}

std::vector<size_t> PickSettledMerge(const std::vector<PartMeta>& parts, const std::vector<bool>& lasting) {
  std::vector<size_t> pick;
  for (size_t i = 0; i < parts.size(); ++i)
    if (!lasting[i] && parts[i].bytes < part::kSmallMergeBytes) pick.push_back(i);
  std::sort(pick.begin(), pick.end(), [&](size_t a, size_t b) { return parts[a].bytes < parts[b].bytes; });
  if (pick.size() > kMaxMergeParts) pick.resize(kMaxMergeParts);
  return pick;
}

}  // namespace sawlog
