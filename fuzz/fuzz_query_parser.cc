// Fuzzes the query language: ParseQuery, then Node::ToString and a Matcher over fixed events.
// Invariants: a parsed tree is well formed (NOT has one child, AND/OR at least two, leaves none;
// a time range is not empty) and parsing is deterministic.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "query/query.h"

namespace {

using sawlog::query::Node;
using sawlog::query::NodeKind;

constexpr int64_t kNow = 1'793'534'400'000'000'000;  // 2026-11-01T12:00:00Z

void CheckTree(const Node& n) {
  switch (n.kind) {
    case NodeKind::kNot:
      if (n.children.size() != 1) __builtin_trap();
      break;
    case NodeKind::kAnd:
    case NodeKind::kOr:
      if (n.children.size() < 2) __builtin_trap();
      break;
    case NodeKind::kTime:
      if (!n.children.empty() || n.max_time <= n.min_time) __builtin_trap();
      break;
    case NodeKind::kRegex:
      if (!n.children.empty() || n.regex == nullptr) __builtin_trap();
      break;
    case NodeKind::kRange:
      if (!n.children.empty() || n.hi < n.lo) __builtin_trap();
      break;
    case NodeKind::kIpRange:
      if (!n.children.empty() || n.ip_hi < n.ip_lo) __builtin_trap();
      break;
    case NodeKind::kStream:
      if (!n.children.empty()) __builtin_trap();
      for (const auto& m : n.labels) {
        bool regex = m.op == sawlog::query::LabelMatcher::Op::kRegex || m.op == sawlog::query::LabelMatcher::Op::kNotRegex;
        if (m.name.empty() || regex != (m.regex != nullptr)) __builtin_trap();
      }
      break;
    default:
      if (!n.children.empty()) __builtin_trap();
  }
  if (n.position == 0) __builtin_trap();
  for (const auto& c : n.children) {
    if (!c) __builtin_trap();
    CheckTree(*c);
  }
}

std::vector<sawlog::Event> MakeEvents() {
  std::vector<sawlog::Event> events(3);
  events[0].time = kNow - 60'000'000'000;
  events[0].ingest_time = kNow;
  events[0].stream = "{app=\"api\",host=\"a\"}";
  events[0].msg = "ERROR connection refused: dial tcp 10.0.0.7:5432 (retry 3/5) user=Ünïcode";
  events[0].fields = {{"level", "error"}, {"host", "a"}, {"f", "x y z"}, {"http.status", "502"}, {"empty", ""}};
  events[1].time = kNow - 86'400'000'000'000;
  events[1].stream = "{}";
  events[1].msg = "";
  events[2].time = kNow;
  events[2].stream = "{app=\"web\"}";
  events[2].msg = "--- *** \"quoted\" 'single' ((paren)) err_42 errors";
  events[2].fields = {{"_time", "not a time"}, {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}};
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<sawlog::Event> events = MakeEvents();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = sawlog::query::ParseQuery(text, kNow);
  if (!parsed.ok()) {
    if (parsed.status().code() != sawlog::Code::kInvalidArgument || parsed.status().message().empty())
      __builtin_trap();
    return 0;
  }
  const Node& root = *parsed.value().filter;
  CheckTree(root);
  for (const auto& p : parsed.value().pipes)
    if (!p || p->ToString().empty()) __builtin_trap();
  std::string canonical = parsed.value().ToString();
  if (canonical.empty()) __builtin_trap();

  // Deterministic: the same text parses to the same tree.
  auto again = sawlog::query::ParseQuery(text, kNow);
  if (!again.ok() || again.value().ToString() != canonical) __builtin_trap();

  sawlog::query::Matcher matcher(&root);
  for (const auto& e : events) {
    bool m = matcher.Matches(e);
    // `*` alone matches everything.
    if (root.kind == NodeKind::kAll && !m) __builtin_trap();
  }
  return 0;
}
