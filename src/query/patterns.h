// Log patterns: grouping messages into templates whose variable parts are `<*>`, in one pass
// and bounded memory, Drain-style (He et al., 2017) with a sharper tokenizer.
//
// A message is split into words and punctuation (`= : , ( ) [ ] { }` are tokens of their own, so
// `isOverlap:false,` is `isOverlap : <*> ,`); words that look like values become `<*>` before any
// grouping: words with a digit, long hex strings, booleans, the value of every `key=value` (one
// token whatever it holds, quotes and brackets included) and the empty value in `()`. Messages are
// grouped by token count and first two words; a message joins the group's template that has at
// least `similarity` of its constant tokens in the same places and the same punctuation
// everywhere, which then becomes `<*>` where they differ; otherwise it starts a template.
// Why these rules, and the grouping accuracy they reach on the Loghub sets: docs/query-language.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sawlog::query {

class PatternMiner {
 public:
  // Past this many templates, a message with no similar template joins its group's nearest.
  // similarity: the share of a template's constant tokens a message must have in the same places
  // to join it. 0.75 lets one word in four differ: a value without digits (a user name) in a
  // short message still joins, while messages whose wording differs in two words of seven
  // ("establish new session" / "renew session <*>") stay apart.
  explicit PatternMiner(size_t max_templates = 50'000, double similarity = 0.75)
      : max_templates_(max_templates), similarity_(similarity) {}

  // Files the message under a template; returns the template's id. Ids stay valid: a template
  // only grows more general.
  size_t Add(std::string_view message);
  // The template as text: its tokens, variables as <*>, spaced as in the first message.
  std::string Template(size_t id) const;
  size_t size() const { return templates_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Entry {
    std::vector<std::string> tokens;  // "<*>" for variables
    std::vector<bool> space_before;
  };
  std::vector<Entry> templates_;
  std::unordered_map<std::string, std::vector<size_t>> groups_;
  size_t max_templates_;
  double similarity_;
  size_t bytes_ = 0;
};

}  // namespace sawlog::query
