// Log patterns: grouping messages into templates whose variable parts are `<*>`, in one pass
// and bounded memory (Drain-style: messages are grouped by token count and leading constant
// tokens, then joined to the most similar template of their group, which becomes `<*>` where
// they differ).
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
  // similarity: the share of a message's words a template must have in the same places for the
  // message to join it (0.4 scored best over the Loghub sets; see docs/query-language.md).
  explicit PatternMiner(size_t max_templates = 50'000, double similarity = 0.4)
      : max_templates_(max_templates), similarity_(similarity) {}

  // Files the message under a template; returns the template's id. Ids stay valid: a template
  // only grows more general.
  size_t Add(std::string_view message);
  // The template as text: its tokens, variables as <*>, joined by single spaces.
  std::string Template(size_t id) const;
  size_t size() const { return templates_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::vector<std::string>> templates_;  // tokens; "<*>" for variables
  std::unordered_map<std::string, std::vector<size_t>> groups_;
  size_t max_templates_;
  double similarity_;
  size_t bytes_ = 0;
};

}  // namespace sawlog::query
