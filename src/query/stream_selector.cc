#include "query/stream_selector.h"

#include <re2/re2.h>

#include <utility>

#include "core/event.h"
#include "query/quoted.h"

namespace sawlog::query {

namespace {

Status ErrorAt(size_t column, const std::string& what) {
  return Status::InvalidArgument("column " + std::to_string(column) + ": " + what);
}

bool IsLabelByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '/';
}

const char* OpText(LabelMatcher::Op op) {
  switch (op) {
    case LabelMatcher::Op::kEq: return "=";
    case LabelMatcher::Op::kNe: return "!=";
    case LabelMatcher::Op::kRegex: return "=~";
    case LabelMatcher::Op::kNotRegex: return "!~";
  }
  return "?";
}

}  // namespace

Result<std::vector<LabelMatcher>> ParseStreamSelector(std::string_view s, size_t position) {
  std::vector<LabelMatcher> out;
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  skip_spaces();
  while (i < s.size()) {
    LabelMatcher m;
    size_t start = i;
    while (i < s.size() && IsLabelByte(s[i])) ++i;
    if (i == start) return ErrorAt(position + i, "expected a label name in the stream selector");
    m.name = std::string(s.substr(start, i - start));
    skip_spaces();
    size_t op_at = i;
    bool op_found = false;
    for (auto op : {LabelMatcher::Op::kRegex, LabelMatcher::Op::kNotRegex, LabelMatcher::Op::kNe, LabelMatcher::Op::kEq}) {
      std::string_view text = OpText(op);
      if (s.substr(i, text.size()) == text) {
        m.op = op;
        i += text.size();
        op_found = true;
        break;
      }
    }
    if (!op_found) return ErrorAt(position + op_at, "expected '=', '!=', '=~' or '!~' after label '" + m.name + "'");
    skip_spaces();
    if (i >= s.size() || (s[i] != '"' && s[i] != '\''))
      return ErrorAt(position + i, "expected a quoted value for label '" + m.name + "'");
    const size_t value_at = i + 1;
    if (!ReadQuoted(s, &i, &m.value))
      return ErrorAt(position + value_at - 1, "unterminated value for label '" + m.name + "'");
    if (m.op == LabelMatcher::Op::kRegex || m.op == LabelMatcher::Op::kNotRegex) {
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const RE2>(m.value, options);
      if (!re->ok()) return ErrorAt(position + value_at, "bad regex for label '" + m.name + "': " + re->error());
      m.regex = std::move(re);
    }
    out.push_back(std::move(m));
    skip_spaces();
    if (i < s.size()) {
      if (s[i] != ',') return ErrorAt(position + i, "expected ',' or '}' after the value of label '" + out.back().name + "'");
      ++i;
      skip_spaces();
    }
  }
  return out;
}

bool StreamMatches(const std::vector<LabelMatcher>& matchers, std::string_view stream) {
  thread_local std::vector<std::pair<std::string, std::string>> labels;
  if (!ParseCanonicalStream(stream, &labels)) labels.clear();
  for (const auto& m : matchers) {
    std::string_view value;
    for (const auto& [name, v] : labels)
      if (name == m.name) value = v;
    bool ok = true;
    switch (m.op) {
      case LabelMatcher::Op::kEq: ok = value == m.value; break;
      case LabelMatcher::Op::kNe: ok = value != m.value; break;
      case LabelMatcher::Op::kRegex: ok = RE2::FullMatch(value, *m.regex); break;
      case LabelMatcher::Op::kNotRegex: ok = !RE2::FullMatch(value, *m.regex); break;
    }
    if (!ok) return false;
  }
  return true;
}

std::string SelectorToString(const std::vector<LabelMatcher>& matchers) {
  std::string s = "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i) s += ", ";
    s += matchers[i].name + OpText(matchers[i].op) + "\"";
    for (char c : matchers[i].value) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += "\"";
  }
  return s + "}";
}

}  // namespace sawlog::query
