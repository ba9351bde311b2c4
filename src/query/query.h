// The query subsystem: text → AST → plan → execution over the store.
//
// The language (docs/query-language.md): filters (words, "phrases", field:word, prefix*, AND /
// OR / NOT, parentheses, _time ranges, _stream:{...} selectors), then pipes (pipe.h).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "query/ast.h"
#include "query/pipe.h"
#include "store/store.h"

namespace sawlog::query {

// A query: a filter, then pipes (`error | stats count() by (host)`).
struct ParsedQuery {
  std::unique_ptr<Node> filter;
  std::vector<std::unique_ptr<Pipe>> pipes;
  std::string ToString() const;  // a canonical form, for tests
};

// Errors are InvalidArgument: "line 1, column 7: expected ')' to close '(' at column 1".
// now_ns resolves relative times such as _time:5m.
Result<ParsedQuery> ParseQuery(std::string_view text, int64_t now_ns);

// Adds the fields a filter reads to *fields (once each).
void CollectFilterFields(const Node& filter, std::vector<std::string>* fields);

// The filter language alone: `text` is the part of `query` starting at byte `base` (errors say
// where in the whole query). Used for the filter before the first pipe and by `where`.
Result<std::unique_ptr<Node>> ParseFilter(std::string_view query, size_t base, std::string_view text, int64_t now_ns);

// Evaluates a parsed query against single events. Thread-safe once built; root must outlive it.
class Matcher {
 public:
  explicit Matcher(const Node* root);
  ~Matcher();
  bool Matches(const RowView& row) const;
  bool Matches(const Event& event) const;

 private:
  struct Term;
  static bool Eval(const Term& t, const RowView& row);
  std::unique_ptr<Term> root_;
};

struct QueryRequest {
  std::string tenant = std::string(kDefaultTenant);
  std::string text;
  int64_t start = std::numeric_limits<int64_t>::min();  // inclusive
  int64_t end = std::numeric_limits<int64_t>::max();    // exclusive
  size_t limit = 1000;
  int64_t now_ns = 0;
  // The results kept while scanning may take this much memory; more fails the query.
  size_t max_memory_bytes = 512u << 20;
  // Longer fails the query with DeadlineExceeded; 0: no limit.
  int64_t timeout_ns = 0;
  // Turned true when the asker is gone: the query stops (Unavailable).
  const std::atomic<bool>* cancel = nullptr;
};

inline constexpr size_t kMaxQueryLimit = 1'000'000;

struct QueryStats {
  uint64_t rows_matched = 0;
  ScanStats scan;
};

// Runs a query; returns the newest `limit` matching events, newest first.
// Without pipes, or with only pipes that keep rows apart (fields, rename, where, limit...): the
// newest `limit` matching events, newest first. With pipes that need every row (stats, sort,
// top, uniq): every match goes through them, and the first `limit` rows they give are returned.
Result<std::vector<Row>> RunQuery(Store* store, const QueryRequest& request, QueryStats* stats = nullptr);

}  // namespace sawlog::query
