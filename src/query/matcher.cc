// Evaluation of the filter tree against one event: the tree compiled once per query into terms
// that hold their prepared token searches.
#include <re2/re2.h>

#include <algorithm>
#include <atomic>

#include "core/tokenizer.h"
#include "query/query.h"
#include "query/stream_selector.h"
#include "query/token_search.h"
#include "query/value.h"

namespace sawlog::query {

struct Matcher::Term {
  const Node* node;
  std::vector<TokenSearch> searches;  // one per whole token (not the prefix of kPrefix)
  std::vector<Term> children;
  // Names this term for the stream answer cache of Eval: unlike its address or its node's, never
  // reused by a later query's term (which once made a selector answer with the last query's result).
  uint64_t id;

  explicit Term(const Node* n) : node(n), id(NextId()) {
    size_t whole = n->tokens.size();
    if (n->kind == NodeKind::kPrefix && whole > 0) --whole;
    for (size_t i = 0; i < whole; ++i) searches.emplace_back(n->tokens[i]);
    for (const auto& c : n->children) children.emplace_back(c.get());
  }

  static uint64_t NextId() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
};

namespace {

// Whether text holds the node's folded tokens consecutively; for kPrefix the last one only
// needs to start the text's token.
bool HasTokenSequence(std::string_view text, const Node& n, const std::vector<TokenSearch>& searches) {
  const bool last_prefix = n.kind == NodeKind::kPrefix;
  // Every whole token must be somewhere in the text: a cheap test before tokenizing.
  for (const auto& s : searches)
    if (!s.FoundIn(text)) return false;
  const auto& tokens = n.tokens;
  const size_t count = tokens.size();
  if (count == 1 && !last_prefix) return true;
  thread_local std::vector<std::string_view> seen;
  seen.clear();
  ForEachToken(text, [&](std::string_view t) { seen.push_back(t); });
  if (seen.size() < count) return false;
  for (size_t i = 0; i + count <= seen.size(); ++i) {
    size_t k = 0;
    for (; k < count; ++k) {
      bool prefix = last_prefix && k + 1 == count;
      if (!(prefix ? TokenHasPrefix(seen[i + k], tokens[k]) : TokenEquals(seen[i + k], tokens[k]))) break;
    }
    if (k == count) return true;
  }
  return false;
}

bool ContainsFolded(std::string_view text, std::string_view needle) {
  if (needle.empty()) return text.empty();
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return FoldCase(a) == FoldCase(b); });
  return it != text.end();
}

}  // namespace

bool Matcher::Eval(const Term& t, const RowView& row) {
  const Node& n = *t.node;
  switch (n.kind) {
    case NodeKind::kAll:
      return true;
    case NodeKind::kTime:
      return row.time() >= n.min_time && row.time() < n.max_time;
    case NodeKind::kStream: {
      // Rows come in runs of one stream: remember the last answer instead of parsing each row's.
      thread_local uint64_t last_term = 0;
      thread_local std::string last_stream;
      thread_local bool last_result = false;
      std::string_view stream = row.Find("_stream").value_or("{}");
      if (last_term != t.id || last_stream != stream) {
        last_term = t.id;
        last_stream.assign(stream);
        last_result = StreamMatches(n.labels, stream);
      }
      return last_result;
    }
    case NodeKind::kExact: {
      std::optional<std::string_view> value = row.Find(n.field);
      return value && *value == n.text;
    }
    case NodeKind::kRegex: {
      std::optional<std::string_view> value = row.Find(n.field);
      return value && RE2::PartialMatch(*value, *n.regex);
    }
    case NodeKind::kRange: {
      std::optional<std::string_view> value = row.Find(n.field);
      double v;
      if (!value || !ParseNumberText(*value, &v)) return false;
      return (n.lo_open ? v > n.lo : v >= n.lo) && (n.hi_open ? v < n.hi : v <= n.hi);
    }
    case NodeKind::kIpRange: {
      std::optional<std::string_view> value = row.Find(n.field);
      uint32_t ip;
      return value && ParseIpv4(*value, &ip) && ip >= n.ip_lo && ip <= n.ip_hi;
    }
    case NodeKind::kNot:
      return !Eval(t.children[0], row);
    case NodeKind::kAnd:
      return std::all_of(t.children.begin(), t.children.end(), [&](const Term& c) { return Eval(c, row); });
    case NodeKind::kOr:
      return std::any_of(t.children.begin(), t.children.end(), [&](const Term& c) { return Eval(c, row); });
    case NodeKind::kWord:
    case NodeKind::kPrefix:
    case NodeKind::kPhrase: {
      std::optional<std::string_view> value = row.Find(n.field);
      if (n.tokens.empty()) {
        if (n.kind == NodeKind::kPrefix) return value.has_value();  // field:*
        // A phrase without word characters: exact (case-folded) substring; "" means empty or absent.
        if (!value) return n.text.empty();
        return ContainsFolded(*value, n.text);
      }
      return value && HasTokenSequence(*value, n, t.searches);
    }
  }
  return false;
}

void CollectFilterFields(const Node& n, std::vector<std::string>* fields) {
  for (const auto& c : n.children) CollectFilterFields(*c, fields);
  if (n.kind == NodeKind::kWord || n.kind == NodeKind::kPrefix || n.kind == NodeKind::kPhrase ||
      n.kind == NodeKind::kExact || n.kind == NodeKind::kRegex || n.kind == NodeKind::kRange ||
      n.kind == NodeKind::kIpRange) {
    if (std::find(fields->begin(), fields->end(), n.field) == fields->end()) fields->push_back(n.field);
  }
}

Matcher::Matcher(const Node* root) : root_(std::make_unique<Term>(root)) {}
Matcher::~Matcher() = default;

bool Matcher::Matches(const RowView& row) const { return Eval(*root_, row); }
bool Matcher::Matches(const Event& event) const { return Eval(*root_, EventRowView(event)); }

}  // namespace sawlog::query
