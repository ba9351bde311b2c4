#include "store/merge.h"

#include <algorithm>
#include <map>
#include <queue>

#include "store/part_format.h"

namespace sawlog {

namespace {

// Reads one part's events in order, a block at a time. Streams are compared by their rank in
// the sorted union of the inputs' streams, not by name, in the merge's inner loop.
class PartCursor {
 public:
  PartCursor(const PartReader* part, const std::map<std::string_view, size_t>* ranks) : part_(part), ranks_(ranks) {}
  Status Next() {
    ++row_;
    while (row_ >= events_.size()) {
      if (block_ >= part_->blocks().size()) return Status::Ok();
      events_.clear();
      row_ = 0;
      rank_ = ranks_->at(part_->blocks()[block_].stream);
      RETURN_IF_ERROR(part_->ReadBlock(block_++, &events_));
    }
    return Status::Ok();
  }
  bool done() const { return row_ >= events_.size(); }
  Event& event() { return events_[row_]; }
  size_t rank() const { return rank_; }

 private:
  const PartReader* part_;
  const std::map<std::string_view, size_t>* ranks_;
  size_t block_ = 0;
  size_t row_ = static_cast<size_t>(-1);
  size_t rank_ = 0;
  std::vector<Event> events_;
};

}  // namespace

Result<PartSummary> MergeParts(Env* env, const std::vector<const PartReader*>& inputs, const std::string& path) {
  std::map<std::string_view, size_t> ranks;
  for (const PartReader* p : inputs)
    for (const auto& b : p->blocks()) ranks.emplace(b.stream, 0);
  size_t rank = 0;
  for (auto& [stream, r] : ranks) r = rank++;
  std::vector<std::unique_ptr<PartCursor>> cursors;
  for (const PartReader* p : inputs) {
    cursors.push_back(std::make_unique<PartCursor>(p, &ranks));
    RETURN_IF_ERROR(cursors.back()->Next());
  }
  auto later = [&](size_t a, size_t b) {
    if (cursors[a]->rank() != cursors[b]->rank()) return cursors[a]->rank() > cursors[b]->rank();
    return cursors[a]->event().time > cursors[b]->event().time;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < cursors.size(); ++i)
    if (!cursors[i]->done()) heap.push(i);
  uint64_t input_bytes = 0;
  for (const PartReader* p : inputs) input_bytes += p->size();
  const int level = input_bytes < part::kSmallMergeBytes ? part::kSmallMergeZstdLevel : part::kMergeZstdLevel;
  ASSIGN_OR_RETURN(auto writer, PartWriter::Create(env, path, level));
  while (!heap.empty()) {
    size_t i = heap.top();
    heap.pop();
    RETURN_IF_ERROR(writer->Add(std::move(cursors[i]->event())));
    RETURN_IF_ERROR(cursors[i]->Next());
    if (!cursors[i]->done()) heap.push(i);
  }
  return writer->Finish();
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

}  // namespace sawlog
