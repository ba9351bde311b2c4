// Evaluation of the filter tree against one event.
#include <algorithm>

#include "core/tokenizer.h"
#include "query/query.h"

namespace sawlog::query {

namespace {

// Whether text holds the folded tokens consecutively; with last_prefix, the last one only
// needs to start the text's token.
bool HasTokenSequence(std::string_view text, const std::vector<std::string>& tokens, bool last_prefix) {
  const size_t n = tokens.size();
  if (n == 1 && !last_prefix) {
    bool found = false;
    size_t i = 0;
    while (!found && i < text.size()) {
      while (i < text.size() && !IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
      size_t start = i;
      while (i < text.size() && IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
      if (i > start && TokenEquals(text.substr(start, i - start), tokens[0])) found = true;
    }
    return found;
  }
  thread_local std::vector<std::string_view> seen;
  seen.clear();
  ForEachToken(text, [&](std::string_view t) { seen.push_back(t); });
  if (seen.size() < n) return false;
  for (size_t i = 0; i + n <= seen.size(); ++i) {
    size_t k = 0;
    for (; k < n; ++k) {
      bool prefix = last_prefix && k + 1 == n;
      if (!(prefix ? TokenHasPrefix(seen[i + k], tokens[k]) : TokenEquals(seen[i + k], tokens[k]))) break;
    }
    if (k == n) return true;
  }
  return false;
}

bool ContainsFolded(std::string_view text, std::string_view needle) {
  if (needle.empty()) return text.empty();
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return FoldCase(a) == FoldCase(b); });
  return it != text.end();
}

bool Eval(const Node& n, const Event& e) {
  switch (n.kind) {
    case NodeKind::kAll:
      return true;
    case NodeKind::kTime:
      return e.time >= n.min_time && e.time < n.max_time;
    case NodeKind::kNot:
      return !Eval(*n.children[0], e);
    case NodeKind::kAnd:
      return std::all_of(n.children.begin(), n.children.end(), [&](const auto& c) { return Eval(*c, e); });
    case NodeKind::kOr:
      return std::any_of(n.children.begin(), n.children.end(), [&](const auto& c) { return Eval(*c, e); });
    case NodeKind::kWord:
    case NodeKind::kPrefix:
    case NodeKind::kPhrase: {
      const std::string* value = e.Find(n.field);
      if (n.tokens.empty()) {
        if (n.kind == NodeKind::kPrefix) return value != nullptr;  // field:*
        // A phrase without word characters: exact (case-folded) substring; "" means empty or absent.
        if (value == nullptr) return n.text.empty();
        return ContainsFolded(*value, n.text);
      }
      return value != nullptr && HasTokenSequence(*value, n.tokens, n.kind == NodeKind::kPrefix);
    }
  }
  return false;
}

}  // namespace

bool Matcher::Matches(const Event& event) const { return Eval(*root_, event); }

}  // namespace sawlog::query
