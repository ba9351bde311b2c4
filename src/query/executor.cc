// Runs a query over the store: plan the scan range from the filter, keep the newest matches.
#include <algorithm>
#include <optional>
#include <queue>
#include <utility>

#include "query/query.h"
#include "store/templated.h"
#include "query/stream_selector.h"
#include "query/template_search.h"
#include "query/token_search.h"

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
  // A phrase's neighbouring words (whole tokens without digits) must follow each other in some
  // event: a block holding "received" and "block" only in different messages is ruled out.
  static bool AllPairs(const Node& n, BlockProbe& probe) {
    for (size_t i = 0; i + 1 < n.tokens.size(); ++i)
      if (!IsVariableToken(n.tokens[i]) && !IsVariableToken(n.tokens[i + 1]) &&
          !probe.MayContainTokenPair(n.field, n.tokens[i], n.tokens[i + 1]))
        return false;
    return true;
  }
  static bool May(const Node& n, BlockProbe& probe) {
    switch (n.kind) {
      case NodeKind::kAll:
      case NodeKind::kTime:
      case NodeKind::kStream:  // pruned by StreamSelectorFilter when it can be, else per row
      case NodeKind::kNot:
        return true;
      case NodeKind::kRegex:
      case NodeKind::kRange:
      case NodeKind::kIpRange:
        return probe.HasField(n.field);
      case NodeKind::kExact:  // every token of the value is in the field
        return AllTokens(n, n.tokens.size(), probe) && probe.HasField(n.field);
      case NodeKind::kAnd:
        return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return May(*c, probe); });
      case NodeKind::kOr:
        return std::any_of(n.children.begin(), n.children.end(), [&](const auto& c) { return May(*c, probe); });
      case NodeKind::kWord:
        return AllTokens(n, n.tokens.size(), probe);
      case NodeKind::kPhrase:
        if (n.tokens.empty()) return n.text.empty() || probe.HasField(n.field);
        return AllTokens(n, n.tokens.size(), probe) && AllPairs(n, probe);
      case NodeKind::kPrefix:
        if (n.tokens.empty()) return probe.HasField(n.field);
        // The last token is a prefix: only the ones before it must be whole tokens.
        return AllTokens(n, n.tokens.size() - 1, probe) && probe.HasField(n.field);
    }
    return true;
  }
  const Node* root_;
};


// The longest token that every match holds in its _msg (of a word, phrase or prefix under the
// filter's top-level ANDs); empty when there is none.
void LongestRequiredMsgToken(const Node& n, std::string* best) {
  switch (n.kind) {
    case NodeKind::kWord:
    case NodeKind::kPhrase:
    case NodeKind::kPrefix:  // its last token is a prefix: still text the message holds
      if (n.field != "_msg") return;
      for (const auto& t : n.tokens)
        if (t.size() > best->size()) *best = t;
      return;
    case NodeKind::kAnd:
      for (const auto& c : n.children) LongestRequiredMsgToken(*c, best);
      return;
    default:
      return;
  }
}

// Finds a required token in a block's messages, anywhere (a superset of the rows holding it as
// a whole token, which is all a prefilter may claim).
class TokenPrefilter final : public MsgPrefilter {
 public:
  explicit TokenPrefilter(std::string token) : search_(std::move(token)) {}
  size_t Find(std::string_view bytes, size_t from) const override { return search_.Find(bytes, from, false); }

 private:
  TokenSearch search_;
};

// The matcher as the scan's row filter: stateless, so any number of scan threads may share it.
class MatcherFilter final : public RowFilter {
 public:
  explicit MatcherFilter(const Node* root) : matcher_(root) {}
  bool Matches(const RowView& row) const override { return matcher_.Matches(row); }

 private:
  Matcher matcher_;
};

// Row-local pipes (fields, rename, where, ...) run one row at a time: the last one hands its
// output here.
class CaptureRow final : public PipeProcessor {
 public:
  bool Push(Row&& row) override {
    row_ = std::move(row);
    return true;
  }
  void Finish() override {}
  std::optional<Row> Take() { return std::exchange(row_, std::nullopt); }

 private:
  std::optional<Row> row_;
};

// The end of a pipe chain: the first `limit` rows.
class CollectRows final : public PipeProcessor {
 public:
  explicit CollectRows(size_t limit) : limit_(limit) {}
  bool Push(Row&& row) override {
    if (rows_.size() < limit_) rows_.push_back(std::move(row));
    return rows_.size() < limit_;
  }
  void Finish() override {}
  std::vector<Row> Take() { return std::move(rows_); }

 private:
  size_t limit_;
  std::vector<Row> rows_;
};

// Processors of pipes[begin, end) chained in front of `last`; returns the head of the chain.
PipeProcessor* StartChain(const std::vector<std::unique_ptr<Pipe>>& pipes, size_t begin, size_t end,
                          PipeProcessor* last, const PipeContext& ctx,
                          std::vector<std::unique_ptr<PipeProcessor>>* owned) {
  PipeProcessor* next = last;
  for (size_t i = end; i > begin; --i) {
    owned->push_back(pipes[i - 1]->Start(next, ctx));
    next = owned->back().get();
  }
  return next;
}

size_t RowBytes(const Row& r) {
  size_t n = sizeof(Row);
  for (const auto& f : r.fields) n += sizeof(Field) + f.name.size() + f.value.size();
  return n;
}

// Keeps the `limit` newest matching events in a min-heap on time, each after the row-local
// pipes (which may drop it: `where`).
class TopNewest final : public ScanVisitor {
 public:
  TopNewest(size_t limit, size_t max_bytes, QueryStats* stats, PipeProcessor* prefix, CaptureRow* capture)
      : limit_(limit), max_bytes_(max_bytes), stats_(stats), prefix_(prefix), capture_(capture) {}

  bool WantRange(int64_t min_time, int64_t max_time) override {
    if (bytes_ > max_bytes_) return false;
    // Equal times still count: ties are broken by ingest time, which blocks do not record.
    return heap_.size() < limit_ || max_time >= heap_.top().time;
  }
  // Called with events that passed the matcher (the scan applies it as its RowFilter).
  bool Test(const Event& e) override {
    ++stats_->rows_matched;
    if (bytes_ > max_bytes_) return false;
    return heap_.size() < limit_ || Newer(e.time, e.ingest_time, heap_.top());
  }
  void Take(Event&& e) override {
    // Rows taken earlier from the same block may have filled the heap since Test().
    if (heap_.size() == limit_ && !Newer(e.time, e.ingest_time, heap_.top())) return;
    Kept k{e.time, e.ingest_time, Row::FromEvent(e), 0};
    if (prefix_) {
      prefix_->Push(std::move(k.row));
      std::optional<Row> out = capture_->Take();
      if (!out) return;  // a `where` dropped it
      k.row = std::move(*out);
    }
    k.bytes = RowBytes(k.row);
    if (heap_.size() == limit_) {
      bytes_ -= heap_.top().bytes;
      heap_.pop();
    }
    bytes_ += k.bytes;
    heap_.push(std::move(k));
  }
  // Whether the results outgrew the memory allowed, which stopped the scan.
  bool OverMemory() const { return bytes_ > max_bytes_; }
  std::vector<Row> TakeSorted() {
    std::vector<Row> out;
    out.reserve(heap_.size());
    while (!heap_.empty()) {
      out.push_back(std::move(const_cast<Kept&>(heap_.top()).row));
      heap_.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  struct Kept {
    int64_t time, ingest_time;
    Row row;
    size_t bytes;
  };
  static bool Newer(int64_t time, int64_t ingest_time, const Kept& k) {
    return time != k.time ? time > k.time : ingest_time > k.ingest_time;
  }
  struct NewerFirst {
    bool operator()(const Kept& a, const Kept& b) const { return Newer(a.time, a.ingest_time, b); }
  };

  size_t limit_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  QueryStats* stats_;
  PipeProcessor* prefix_;
  CaptureRow* capture_;
  // top() is the oldest kept event.
  std::priority_queue<Kept, std::vector<Kept>, NewerFirst> heap_;
};

// The visitor of a folding scan: the fold gets the rows; every block is wanted.
class EveryRange final : public ScanVisitor {
 public:
  bool WantRange(int64_t, int64_t) override { return true; }
  bool Test(const Event&) override { return false; }
  void Take(Event&&) override {}
};

// Feeds every matching event into a pipe chain that needs all rows (stats, sort, top, uniq);
// stops the scan when the chain wants no more.
class AllRows final : public ScanVisitor {
 public:
  AllRows(PipeProcessor* chain, QueryStats* stats) : chain_(chain), stats_(stats) {}
  bool WantRange(int64_t, int64_t) override { return !done_; }
  bool Test(const Event&) override {
    ++stats_->rows_matched;
    return !done_;
  }
  void Take(Event&& e) override {
    if (!done_ && !chain_->Push(Row::FromEvent(e))) done_ = true;
  }

 private:
  PipeProcessor* chain_;
  QueryStats* stats_;
  bool done_ = false;
};

}  // namespace

Result<std::vector<Row>> RunQuery(Store* store, const QueryRequest& request, QueryStats* stats) {
  if (request.limit == 0 || request.limit > kMaxQueryLimit)
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxQueryLimit));
  if (request.end <= request.start) return Status::InvalidArgument("the query's end is not after its start");
  ASSIGN_OR_RETURN(ParsedQuery query, ParseQuery(request.text, request.now_ns));
  const Node* root = query.filter.get();
  ScanRequest scan;
  scan.tenant = request.tenant;
  scan.min_time = request.start;
  scan.max_time = request.end;
  NarrowTimeRange(*root, &scan.min_time, &scan.max_time);
  QueryStats local;
  if (stats == nullptr) stats = &local;
  TokenBlockFilter filter(root);
  scan.filter = &filter;
  std::vector<const Node*> selectors;
  CollectStreamSelectors(*root, &selectors);
  const bool by_stream = !selectors.empty();
  StreamSelectorFilter streams(std::move(selectors));
  if (by_stream) scan.stream_filter = &streams;
  std::vector<std::string> fields;
  CollectFilterFields(*root, &fields);
  scan.fields = &fields;
  scan.stats = &stats->scan;
  MatcherFilter matcher(root);
  if (root->kind != NodeKind::kAll) scan.row_filter = &matcher;  // `*` tests nothing
  std::unique_ptr<TemplateSearch> templated = TemplateSearch::For(root);
  scan.templated_filter = templated.get();
  std::string required;
  LongestRequiredMsgToken(*root, &required);
  std::optional<TokenPrefilter> prefilter;
  if (!required.empty()) scan.msg_prefilter = &prefilter.emplace(required);
  const bool scanning = scan.min_time < scan.max_time;
  if (request.timeout_ns > 0) scan.deadline_ns = SteadyNanos() + request.timeout_ns;
  scan.cancel = request.cancel;

  Status pipe_error;
  PipeContext ctx{request.now_ns, request.max_memory_bytes, &pipe_error};
  std::vector<std::unique_ptr<PipeProcessor>> owned;
  CollectRows collect(request.limit);
  const auto& pipes = query.pipes;
  const bool all_rows = std::any_of(pipes.begin(), pipes.end(), [](const auto& p) { return p->NeedsAllRows(); });
  if (all_rows) {
    // Decode for each match only the columns the pipes read, when they say which.
    std::vector<std::string> read;
    bool projected = false;
    for (const auto& p : pipes) {
      Pipe::Reads r = p->FieldsRead(&read);
      if (r == Pipe::Reads::kPassThrough) continue;
      projected = r == Pipe::Reads::kOnly;
      break;
    }
    if (projected) scan.result_fields = &read;
    if (std::unique_ptr<Fold> fold = pipes[0]->StartFold(ctx)) {
      // The first pipe folds: it runs inside the scan, on every thread, on rows read in place.
      PipeProcessor* rest = StartChain(pipes, 1, pipes.size(), &collect, ctx, &owned);
      scan.fold = fold.get();
      EveryRange everything;
      if (scanning) RETURN_IF_ERROR(store->Scan(scan, &everything));
      RETURN_IF_ERROR(pipe_error);
      fold->Emit(rest);
      RETURN_IF_ERROR(pipe_error);
      return collect.Take();
    }
    PipeProcessor* chain = StartChain(pipes, 0, pipes.size(), &collect, ctx, &owned);
    AllRows visitor(chain, stats);
    if (scanning) RETURN_IF_ERROR(store->Scan(scan, &visitor));
    RETURN_IF_ERROR(pipe_error);
    chain->Finish();
    RETURN_IF_ERROR(pipe_error);
    return collect.Take();
  }
  // The newest events after the row-local pipes before the first limit/offset; the rest of the
  // pipes run on those, in order.
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t split = 0;
  while (split < pipes.size() && pipes[split]->RowLimit() == kNone && pipes[split]->RowsSkipped() == 0) ++split;
  // Enough rows for the rest of the pipes: every row they may skip, and the smallest limit.
  size_t skipped = 0, limit = request.limit;
  for (size_t i = split; i < pipes.size(); ++i) {
    skipped += pipes[i]->RowsSkipped();
    limit = std::min(limit, pipes[i]->RowLimit());
  }
  const size_t keep = std::max<size_t>(1, std::min(kMaxQueryLimit + skipped, skipped + limit));
  CaptureRow capture;
  PipeProcessor* prefix = split > 0 ? StartChain(pipes, 0, split, &capture, ctx, &owned) : nullptr;
  TopNewest top(keep, request.max_memory_bytes, stats, prefix, &capture);
  if (scanning) RETURN_IF_ERROR(store->Scan(scan, &top));
  if (top.OverMemory())
    return Status::ResourceExhausted("the query's results need more than " +
                                     std::to_string(request.max_memory_bytes >> 20) +
                                     " MiB of memory (the server's --max-query-memory); lower 'limit' or narrow the query");
  PipeProcessor* suffix = StartChain(pipes, split, pipes.size(), &collect, ctx, &owned);
  for (auto& row : top.TakeSorted())
    if (!suffix->Push(std::move(row))) break;
  suffix->Finish();
  RETURN_IF_ERROR(pipe_error);
  return collect.Take();
}

}  // namespace sawlog::query
