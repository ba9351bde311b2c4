// Runs a query over the store: plan the scan range from the filter, keep the newest matches.
#include <algorithm>
#include <queue>

#include "query/query.h"
#include "query/stream_selector.h"

namespace sawlog::query {

namespace {

// The time range every match must fall in: from _time filters ANDed at the top level.
void NarrowTimeRange(const Node& n, int64_t* min_time, int64_t* max_time) {
  if (n.kind == NodeKind::kTime) {
    *min_time = std::max(*min_time, n.min_time);
    *max_time = std::min(*max_time, n.max_time);
  } else if (n.kind == NodeKind::kAnd) {
    for (const auto& c : n.children) NarrowTimeRange(*c, min_time, max_time);
  }
}

// The stream selectors ANDed at the top level: the store answers them from its stream index
// before reading any block.
void CollectStreamSelectors(const Node& n, std::vector<const Node*>* out) {
  if (n.kind == NodeKind::kStream) out->push_back(&n);
  else if (n.kind == NodeKind::kAnd)
    for (const auto& c : n.children) CollectStreamSelectors(*c, out);
}

class StreamSelectorFilter final : public StreamFilter {
 public:
  explicit StreamSelectorFilter(std::vector<const Node*> selectors) : selectors_(std::move(selectors)) {}
  bool Matches(std::string_view stream) const override {
    return std::all_of(selectors_.begin(), selectors_.end(),
                       [&](const Node* n) { return StreamMatches(n->labels, stream); });
  }

 private:
  std::vector<const Node*> selectors_;
};

// Rules out stored blocks whose bloom filters lack a token that every match needs.
class TokenBlockFilter final : public BlockFilter {
 public:
  explicit TokenBlockFilter(const Node* root) : root_(root) {}
  bool MayMatch(BlockProbe& probe) const override { return May(*root_, probe); }

 private:
  static bool AllTokens(const Node& n, size_t count, BlockProbe& probe) {
    for (size_t i = 0; i < count; ++i)
      if (!probe.MayContainToken(n.field, n.tokens[i])) return false;
    return true;
  }
  static bool May(const Node& n, BlockProbe& probe) {
    switch (n.kind) {
      case NodeKind::kAll:
      case NodeKind::kTime:
      case NodeKind::kStream:  // pruned by StreamSelectorFilter when it can be, else per row
      case NodeKind::kNot:
        return true;
      case NodeKind::kAnd:
        return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return May(*c, probe); });
      case NodeKind::kOr:
        return std::any_of(n.children.begin(), n.children.end(), [&](const auto& c) { return May(*c, probe); });
      case NodeKind::kWord:
        return AllTokens(n, n.tokens.size(), probe);
      case NodeKind::kPhrase:
        if (n.tokens.empty()) return n.text.empty() || probe.HasField(n.field);
        return AllTokens(n, n.tokens.size(), probe);
      case NodeKind::kPrefix:
        if (n.tokens.empty()) return probe.HasField(n.field);
        // The last token is a prefix: only the ones before it must be whole tokens.
        return AllTokens(n, n.tokens.size() - 1, probe) && probe.HasField(n.field);
    }
    return true;
  }
  const Node* root_;
};

// The fields a filter reads, so that a scan decodes only those columns to test rows.
void CollectFields(const Node& n, std::vector<std::string>* fields) {
  for (const auto& c : n.children) CollectFields(*c, fields);
  if (n.kind == NodeKind::kWord || n.kind == NodeKind::kPrefix || n.kind == NodeKind::kPhrase) {
    if (std::find(fields->begin(), fields->end(), n.field) == fields->end()) fields->push_back(n.field);
  }
}

// The matcher as the scan's row filter: stateless, so any number of scan threads may share it.
class MatcherFilter final : public RowFilter {
 public:
  explicit MatcherFilter(const Node* root) : matcher_(root) {}
  bool Matches(const RowView& row) const override { return matcher_.Matches(row); }

 private:
  Matcher matcher_;
};

struct NewerFirst {
  bool operator()(const Event& a, const Event& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.ingest_time > b.ingest_time;
  }
};

// Keeps the `limit` newest matching events in a min-heap on time.
class TopNewest final : public ScanVisitor {
 public:
  TopNewest(size_t limit, size_t max_bytes, QueryStats* stats) : limit_(limit), max_bytes_(max_bytes), stats_(stats) {}

  bool WantRange(int64_t min_time, int64_t max_time) override {
    if (bytes_ > max_bytes_) return false;
    // Equal times still count: ties are broken by ingest time, which blocks do not record.
    return heap_.size() < limit_ || max_time >= heap_.top().time;
  }
  // Called with events that passed the matcher (the scan applies it as its RowFilter).
  bool Test(const Event& e) override {
    ++stats_->rows_matched;
    if (bytes_ > max_bytes_) return false;
    return heap_.size() < limit_ || NewerFirst()(e, heap_.top());
  }
  void Take(Event&& e) override {
    // Rows taken earlier from the same block may have filled the heap since Test().
    if (heap_.size() == limit_) {
      if (!NewerFirst()(e, heap_.top())) return;
      bytes_ -= heap_.top().ApproximateBytes();
      heap_.pop();
    }
    bytes_ += e.ApproximateBytes();
    heap_.push(std::move(e));
  }
  // Whether the results outgrew the memory allowed, which stopped the scan.
  bool OverMemory() const { return bytes_ > max_bytes_; }
  std::vector<Event> TakeSorted() {
    std::vector<Event> out;
    out.reserve(heap_.size());
    while (!heap_.empty()) {
      out.push_back(std::move(const_cast<Event&>(heap_.top())));
      heap_.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  size_t limit_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  QueryStats* stats_;
  // top() is the oldest kept event.
  std::priority_queue<Event, std::vector<Event>, NewerFirst> heap_;
};

}  // namespace

Result<std::vector<Event>> RunQuery(Store* store, const QueryRequest& request, QueryStats* stats) {
  if (request.limit == 0 || request.limit > kMaxQueryLimit)
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxQueryLimit));
  if (request.end <= request.start) return Status::InvalidArgument("the query's end is not after its start");
  ASSIGN_OR_RETURN(auto root, ParseQuery(request.text, request.now_ns));
  ScanRequest scan;
  scan.tenant = request.tenant;
  scan.min_time = request.start;
  scan.max_time = request.end;
  NarrowTimeRange(*root, &scan.min_time, &scan.max_time);
  QueryStats local;
  if (stats == nullptr) stats = &local;
  TokenBlockFilter filter(root.get());
  scan.filter = &filter;
  std::vector<const Node*> selectors;
  CollectStreamSelectors(*root, &selectors);
  const bool by_stream = !selectors.empty();
  StreamSelectorFilter streams(std::move(selectors));
  if (by_stream) scan.stream_filter = &streams;
  std::vector<std::string> fields;
  CollectFields(*root, &fields);
  scan.fields = &fields;
  scan.stats = &stats->scan;
  MatcherFilter matcher(root.get());
  scan.row_filter = &matcher;
  TopNewest top(request.limit, request.max_memory_bytes, stats);
  if (scan.min_time < scan.max_time) RETURN_IF_ERROR(store->Scan(scan, &top));
  if (top.OverMemory())
    return Status::ResourceExhausted("the query's results need more than " +
                                     std::to_string(request.max_memory_bytes >> 20) +
                                     " MiB of memory (the server's --max-query-memory); lower 'limit' or narrow the query");
  return top.TakeSorted();
}

}  // namespace sawlog::query
