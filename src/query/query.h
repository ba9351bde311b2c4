// The query subsystem: text → AST → plan → execution over the store.
//
// The language of this version (docs/query-language.md): words, "phrases", field:word,
// field:"phrase", prefix*, `*`, AND / OR / NOT / -, parentheses, and _time:5m or
// _time:[start, end) ranges.
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
#include "store/store.h"

namespace sawlog::query {

// Errors are InvalidArgument: "column 7: expected ')' to close '(' at column 1".
// now_ns resolves relative times such as _time:5m.
Result<std::unique_ptr<Node>> ParseQuery(std::string_view text, int64_t now_ns);

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
};

inline constexpr size_t kMaxQueryLimit = 1'000'000;

struct QueryStats {
  uint64_t rows_matched = 0;
  ScanStats scan;
};

// Runs a query; returns the newest `limit` matching events, newest first.
Result<std::vector<Event>> RunQuery(Store* store, const QueryRequest& request, QueryStats* stats = nullptr);

}  // namespace sawlog::query
