#include "query/patterns.h"

#include <algorithm>

namespace sawlog::query {

namespace {

constexpr std::string_view kVar = "<*>";
// Constant tokens that key the group, after the token count (Drain's tree depth).
constexpr size_t kKeyTokens = 2;

// A token that is most likely a value, not part of the wording: anything with a digit (ids,
// numbers, times, addresses, sizes), and long hex strings.
bool IsVariable(std::string_view t) {
  bool hex = t.size() >= 8;
  for (char c : t) {
    if (c >= '0' && c <= '9') return true;
    if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) hex = false;
  }
  return hex;
}

// Words split at spaces; `key=value` is two tokens, `key=` and the value, and the value is taken
// for a variable whatever it looks like: that is what a key=value pair is for.
std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i == start) continue;
    std::string_view t = s.substr(start, i - start);
    size_t eq = t.find('=');
    if (eq != std::string_view::npos && eq > 0 && eq + 1 < t.size()) {
      out.push_back(t.substr(0, eq + 1));
      out.push_back(kVar);
    } else {
      out.push_back(t);
    }
  }
  return out;
}

}  // namespace

size_t PatternMiner::Add(std::string_view message) {
  std::vector<std::string_view> tokens = Tokens(message);
  for (auto& t : tokens)
    if (IsVariable(t)) t = kVar;
  std::string key = std::to_string(tokens.size());
  for (size_t i = 0; i < std::min(kKeyTokens, tokens.size()); ++i) {
    key += '\x1f';
    key += tokens[i];
  }
  std::vector<size_t>& group = groups_[key];
  size_t best = SIZE_MAX;
  double best_score = -1;
  for (size_t id : group) {
    const auto& t = templates_[id];
    // The share of the message's words that the template has in the same place (values are
    // left out: they say nothing about which message this is).
    size_t same = 0, vars = 0, words = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (t[i] == kVar) ++vars;
      if (tokens[i] == kVar) continue;
      ++words;
      if (t[i] == tokens[i]) ++same;
    }
    double score = words == 0 ? 1.0 : static_cast<double>(same) / static_cast<double>(words);
    // Ties go to the template with fewer variables: the more specific one.
    score -= static_cast<double>(vars) * 1e-6;
    if (score > best_score) {
      best_score = score;
      best = id;
    }
  }
  if (best != SIZE_MAX && (best_score >= similarity_ || templates_.size() >= max_templates_)) {
    auto& t = templates_[best];
    for (size_t i = 0; i < tokens.size(); ++i)
      if (t[i] != kVar && t[i] != tokens[i]) t[i] = kVar;
    return best;
  }
  std::vector<std::string> t(tokens.begin(), tokens.end());
  for (const auto& x : t) bytes_ += x.size() + sizeof(std::string);
  bytes_ += key.size() + 64;
  templates_.push_back(std::move(t));
  group.push_back(templates_.size() - 1);
  return templates_.size() - 1;
}

std::string PatternMiner::Template(size_t id) const {
  std::string out;
  for (const auto& t : templates_[id]) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace sawlog::query
