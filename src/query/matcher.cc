// Evaluation of the filter tree against one event.
#include <algorithm>

#include "core/tokenizer.h"
#include "query/query.h"

namespace sawlog::query {

namespace {

// Whether text holds the folded token as a whole token: a case-folding Boyer-Moore-Horspool
// search for candidates, then a check of the token boundaries. Most texts do not hold the word,
// and skipping through them beats tokenizing them.
bool HasWholeToken(std::string_view text, std::string_view token) {
  const size_t m = token.size(), n = text.size();
  if (m == 0 || m > n) return false;
  size_t shift[256];
  for (auto& x : shift) x = m;
  for (size_t k = 0; k + 1 < m; ++k) {
    auto c = static_cast<unsigned char>(token[k]);
    shift[c] = m - 1 - k;
    if (c >= 'a' && c <= 'z') shift[c - 32] = m - 1 - k;
  }
  size_t i = 0;
  while (i + m <= n) {
    size_t j = m - 1;
    while (FoldCase(text[i + j]) == token[j]) {
      if (j == 0) {
        bool start_ok = i == 0 || !IsTokenByte(static_cast<unsigned char>(text[i - 1]));
        bool end_ok = i + m == n || !IsTokenByte(static_cast<unsigned char>(text[i + m]));
        if (start_ok && end_ok) return true;
        break;
      }
      --j;
    }
    i += shift[static_cast<unsigned char>(text[i + m - 1])];
  }
  return false;
}

// Whether text holds the folded tokens consecutively; with last_prefix, the last one only
// needs to start the text's token.
bool HasTokenSequence(std::string_view text, const std::vector<std::string>& tokens, bool last_prefix) {
  const size_t n = tokens.size();
  if (n == 1 && !last_prefix) return HasWholeToken(text, tokens[0]);
  // Every whole token of a phrase must be somewhere in the text: a cheap test before tokenizing.
  for (size_t k = 0; k + (last_prefix ? 1 : 0) < n; ++k)
    if (!HasWholeToken(text, tokens[k])) return false;
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
