// The parsed form of a query: a tree of filters. Built by ParseQuery (parser.cc), evaluated by
// Matcher (matcher.cc), inspected by the planner for what the store can prune with.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace sawlog::query {

enum class NodeKind {
  kAll,     // `*`: every event
  kWord,    // one token, whole-token match
  kPrefix,  // `err*`: a token starting with the prefix
  kPhrase,  // consecutive tokens; with no tokens (e.g. "---" or ""), an exact substring / empty test
  kTime,    // `_time:...`: a time range
  kStream,  // `_stream:{service="api", host=~"web-.*"}`: the event's stream labels
  kExact,   // `status:=500`, `msg:="Disk full"`: the whole value, case-sensitive
  kRegex,   // `path:~"^/api/v[12]/"`: an RE2 regex found in the value
  kRange,   // `status:>=500`, `duration:[0.5, 3)`: a number in a range
  kIpRange, // `client_ip:10.0.0.0/8`: an IPv4 address in a CIDR block
  kAnd,
  kOr,
  kNot,
};

// One `label op "value"` of a stream selector. A missing label has the value "" (as in LogQL).
struct LabelMatcher {
  enum class Op { kEq, kNe, kRegex, kNotRegex };
  std::string name;
  Op op = Op::kEq;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;  // kRegex, kNotRegex: value, anchored at both ends
};

struct Node {
  NodeKind kind = NodeKind::kAll;
  std::string field = "_msg";            // the field a leaf applies to
  std::vector<std::string> tokens;       // case-folded tokens of a word, prefix or phrase
  std::string text;                      // the literal as written (phrases without tokens)
  int64_t min_time = 0, max_time = 0;    // kTime: [min_time, max_time)
  std::vector<LabelMatcher> labels;      // kStream: every one must hold
  std::shared_ptr<const re2::RE2> regex; // kRegex
  double lo = 0, hi = 0;                 // kRange: lo < or <= value < or <= hi
  bool lo_open = false, hi_open = false; //   true: the bound itself is excluded
  uint32_t ip_lo = 0, ip_hi = 0;         // kIpRange, inclusive
  std::vector<std::unique_ptr<Node>> children;
  size_t position = 0;                   // 1-based column where the node starts

  std::string ToString() const;  // a canonical form, for tests and errors
};

}  // namespace sawlog::query
