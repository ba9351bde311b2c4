#include "query/patterns.h"

#include <algorithm>

namespace sawlog::query {

namespace {

constexpr std::string_view kVar = "<*>";
// Words (as written between spaces) that key the group, after the token count: Drain's tree depth.
constexpr size_t kKeyWords = 2;
// Characters that are tokens of their own: the punctuation that format strings put between a
// name and its value (`key=value`, `name: value`, `a, b`) and around values (`(…)`, `[…]`, `{…}`).
constexpr std::string_view kDelimiters = "=:,()[]{}";

bool IsDelimiter(char c) { return kDelimiters.find(c) != std::string_view::npos; }
bool IsPunctuation(std::string_view t) { return t.size() == 1 && IsDelimiter(t[0]); }
bool IsOpen(char c) { return c == '(' || c == '[' || c == '{'; }
bool IsClose(char c) { return c == ')' || c == ']' || c == '}'; }
bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == y; });
}

// A word that is most likely a value, not part of the wording: anything with a digit (ids,
// numbers, times, addresses, sizes), long hex strings, and booleans.
bool IsVariable(std::string_view t) {
  bool hex = t.size() >= 8;
  for (char c : t) {
    if (c >= '0' && c <= '9') return true;
    if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) hex = false;
  }
  return hex || EqualsIgnoringCase(t, "true") || EqualsIgnoringCase(t, "false");
}

// Where the value of a `key=value` that starts at i ends: after its closing quote if quoted,
// else at whitespace, a comma or semicolon, or a closing bracket it did not open.
size_t ValueEnd(std::string_view s, size_t i) {
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    size_t close = s.find(s[i], i + 1);
    if (close != std::string_view::npos) return close + 1;
  }
  int depth = 0;
  for (; i < s.size() && !IsSpace(s[i]) && s[i] != ',' && s[i] != ';'; ++i) {
    if (IsOpen(s[i])) ++depth;
    if (IsClose(s[i]) && depth-- == 0) break;
  }
  return i;
}

struct Token {
  std::string_view text;  // kVar for a variable
  bool space = false;     // whitespace before it: kept to print the template as the messages read
};

// Words and punctuation, variables already replaced by kVar. A `key=value` value is one variable
// whatever it holds (spaces inside quotes, brackets): that is what a key=value pair is for, and
// its length must not change the message's token count; `key=` with nothing after it has no
// value token (the field is missing: another shape of message). `()`, an empty value between
// brackets, holds a variable as `(value)` would, so that the two align. Values in a row, split by
// spaces only, are one variable: lists of ids or addresses vary in length.
std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto after_equals = [&] { return !out.empty() && out.back().text == "="; };
  while (i < s.size()) {
    bool space = false;
    for (; i < s.size() && IsSpace(s[i]); ++i) space = true;
    if (i == s.size()) break;
    if (after_equals() && !space) {
      out.push_back({kVar, false});
      i = ValueEnd(s, i);
      continue;
    }
    if (IsDelimiter(s[i])) {
      if (IsClose(s[i]) && !space && !out.empty() && out.back().text.size() == 1 && IsOpen(out.back().text[0]))
        out.push_back({kVar, false});
      out.push_back({s.substr(i, 1), space});
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i]) && !IsDelimiter(s[i])) ++i;
    std::string_view word = s.substr(start, i - start);
    if (!IsVariable(word)) {
      out.push_back({word, space});
    } else if (!(space && !out.empty() && out.back().text == kVar)) {
      out.push_back({kVar, space});
    }  // else a list of values (`delete blk_1 blk_2 …`): one variable, however long
  }
  return out;
}

// The group: token count and the first words as written (`action:<*>` is one word here, so
// `processHandleBroadcastAction action:TIME_TICK` and `… action:SCREEN_ON` stay apart while
// `updateClipping isOverlap:<*>` groups its true and false).
std::string GroupKey(const std::vector<Token>& tokens) {
  std::string key = std::to_string(tokens.size());
  size_t words = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && tokens[i].space && ++words == kKeyWords) break;
    key += tokens[i].space ? '\x1f' : '\x1e';
    key += tokens[i].text;
  }
  return key;
}

}  // namespace

size_t PatternMiner::Add(std::string_view message) {
  const std::vector<Token> tokens = Tokenize(message);
  std::string key = GroupKey(tokens);
  std::vector<size_t>& group = groups_[key];
  size_t best = SIZE_MAX;
  double best_score = -1;
  for (size_t id : group) {
    const auto& t = templates_[id].tokens;
    // The share of the template's constant tokens that the message has in the same place
    // (values on either side are left out: they say nothing about which message this is).
    // Punctuation is the format's skeleton: where it differs, this is another format.
    size_t same = 0, vars = 0, words = 0;
    bool other_format = false;
    for (size_t i = 0; i < tokens.size() && !other_format; ++i) {
      if (t[i] == kVar) ++vars;
      if (t[i] != tokens[i].text && (IsPunctuation(t[i]) || IsPunctuation(tokens[i].text))) other_format = true;
      if (tokens[i].text == kVar || t[i] == kVar) continue;
      ++words;
      if (t[i] == tokens[i].text) ++same;
    }
    // Another format is never similar, but still nearer than nothing once templates run out.
    double score = other_format ? -0.5 : words == 0 ? 1.0 : static_cast<double>(same) / static_cast<double>(words);
    // Ties go to the template with fewer variables: the more specific one.
    score -= static_cast<double>(vars) * 1e-6;
    if (score > best_score) {
      best_score = score;
      best = id;
    }
  }
  if (best != SIZE_MAX && (best_score >= similarity_ || templates_.size() >= max_templates_)) {
    Entry& t = templates_[best];
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (t.tokens[i] != kVar && t.tokens[i] != tokens[i].text) t.tokens[i] = kVar;
      if (tokens[i].space) t.space_before[i] = true;  // so that variables never run together
    }
    return best;
  }
  Entry t;
  for (const auto& x : tokens) {
    t.tokens.emplace_back(x.text);
    t.space_before.push_back(x.space);
    bytes_ += x.text.size() + sizeof(std::string) + 1;
  }
  bytes_ += key.size() + 64;
  templates_.push_back(std::move(t));
  group.push_back(templates_.size() - 1);
  return templates_.size() - 1;
}

std::string PatternMiner::Template(size_t id) const {
  std::string out;
  const auto& t = templates_[id];
  for (size_t i = 0; i < t.tokens.size(); ++i) {
    if (i > 0 && t.space_before[i]) out += ' ';
    out += t.tokens[i];
  }
  return out;
}

}  // namespace sawlog::query
