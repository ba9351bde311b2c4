// Lexer and recursive-descent parser for the query language.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/timestamp.h"
#include "core/tokenizer.h"
#include "query/pipe.h"
#include "query/query.h"
#include "query/value.h"
#include "query/quoted.h"
#include "query/stream_selector.h"

namespace sawlog::query {

namespace {

enum class Lex { kEnd, kWord, kPhrase, kRange, kSelector, kLParen, kRParen };

struct Lexeme {
  Lex kind = Lex::kEnd;
  std::string text;     // word as written, phrase unescaped, range or selector inside the brackets
  size_t position = 0;  // 1-based column
  bool glued = false;   // starts right where the previous lexeme ended (no space between)
  char close = 0;       // kRange: ']' or ')'
};

// Nesting (parentheses, negations) deeper than this is refused: it bounds the recursion of the
// parser and of every walk over the tree, and no query a person writes comes near it.
constexpr size_t kMaxNesting = 100;
// Longer query texts are refused before parsing.
constexpr size_t kMaxQueryBytes = 64 * 1024;

Status ErrorAt(size_t column, const std::string& what) {
  return Status::InvalidArgument("column " + std::to_string(column) + ": " + what);
}

Result<std::vector<Lexeme>> Lexify(std::string_view s) {
  std::vector<Lexeme> out;
  size_t i = 0;
  size_t prev_end = static_cast<size_t>(-1);
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    Lexeme lx;
    lx.position = i + 1;
    lx.glued = i == prev_end;
    if (i >= s.size()) {
      out.push_back(lx);
      return out;
    }
    char c = s[i];
    if (c == '(' || c == ')') {
      lx.kind = c == '(' ? Lex::kLParen : Lex::kRParen;
      ++i;
    } else if (c == '"' || c == '\'') {
      lx.kind = Lex::kPhrase;
      if (!ReadQuoted(s, &i, &lx.text))
        return ErrorAt(lx.position, std::string("unterminated phrase: expected a closing ") + c);
    } else if (c == '[' && !out.empty() && out.back().kind == Lex::kWord && lx.glued && out.back().text.ends_with(':')) {
      lx.kind = Lex::kRange;
      ++i;
      size_t start = i;
      while (i < s.size() && s[i] != ']' && s[i] != ')') ++i;
      if (i >= s.size()) return ErrorAt(lx.position, "unterminated time range: expected ']' or ')'");
      lx.text = std::string(s.substr(start, i - start));
      lx.close = s[i++];
    } else if (c == '{' && !out.empty() && out.back().kind == Lex::kWord && lx.glued && out.back().text.ends_with(':')) {
      // A stream selector: up to the '}' outside quotes.
      lx.kind = Lex::kSelector;
      ++i;
      size_t start = i;
      char quote = 0;
      for (; i < s.size() && (quote || s[i] != '}'); ++i) {
        if (quote && s[i] == '\\') ++i;
        else if (quote && s[i] == quote) quote = 0;
        else if (!quote && (s[i] == '"' || s[i] == '\'')) quote = s[i];
      }
      if (i >= s.size()) return ErrorAt(lx.position, "unterminated stream selector: expected '}'");
      lx.text = std::string(s.substr(start, i - start));
      ++i;
    } else {
      lx.kind = Lex::kWord;
      size_t start = i;
      while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '(' &&
             s[i] != ')' && s[i] != '"' && s[i] != '\'') {
        ++i;
        if (s[i - 1] == ':' && i < s.size() && (s[i] == '[' || s[i] == '{')) break;
      }
      lx.text = std::string(s.substr(start, i - start));
    }
    prev_end = i;
    out.push_back(std::move(lx));
  }
}

bool IsFieldName(std::string_view f) {
  if (f.empty()) return false;
  char c0 = f[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_' || c0 == '@')) return false;
  return std::all_of(f.begin(), f.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '@' || c == '-' || c == '/';
  });
}

bool IsKeyword(const Lexeme& lx, std::string_view kw) {
  if (lx.kind != Lex::kWord || lx.text.size() != kw.size()) return false;
  for (size_t i = 0; i < kw.size(); ++i)
    if (FoldCase(lx.text[i]) != FoldCase(kw[i])) return false;
  return true;
}

class Parser {
 public:
  Parser(std::vector<Lexeme> lexemes, int64_t now) : lx_(std::move(lexemes)), now_(now) {}

  Result<std::unique_ptr<Node>> Parse() {
    if (Peek().kind == Lex::kEnd) return MakeAll(1);
    ASSIGN_OR_RETURN(auto root, ParseOr());
    if (Peek().kind == Lex::kRParen) return ErrorAt(Peek().position, "unexpected ')' with no matching '('");
    if (Peek().kind != Lex::kEnd) return ErrorAt(Peek().position, "unexpected '" + Peek().text + "'");
    return root;
  }

 private:
  const Lexeme& Peek() const { return lx_[pos_]; }
  const Lexeme& Next() { return lx_[pos_ < lx_.size() - 1 ? pos_++ : pos_]; }

  static std::unique_ptr<Node> MakeAll(size_t position) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kAll;
    n->position = position;
    return n;
  }

  static std::unique_ptr<Node> Combine(NodeKind kind, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    if (a->kind == kind) {
      a->children.push_back(std::move(b));
      return a;
    }
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->position = a->position;
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  bool AtTermStart() const {
    const Lexeme& l = Peek();
    if (l.kind == Lex::kEnd || l.kind == Lex::kRParen) return false;
    return !IsKeyword(l, "OR");
  }

  Result<std::unique_ptr<Node>> ParseOr() {
    ASSIGN_OR_RETURN(auto left, ParseAnd());
    while (IsKeyword(Peek(), "OR")) {
      const Lexeme& op = Next();
      if (!AtTermStart()) return ErrorAt(Peek().position, "expected a filter after 'OR' at column " + std::to_string(op.position));
      ASSIGN_OR_RETURN(auto right, ParseAnd());
      left = Combine(NodeKind::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> ParseAnd() {
    if (!AtTermStart()) return ErrorAt(Peek().position, Peek().kind == Lex::kEnd ? "expected a filter, found the end of the query" : "expected a filter");
    ASSIGN_OR_RETURN(auto left, ParseUnary());
    while (true) {
      if (IsKeyword(Peek(), "AND")) {
        const Lexeme& op = Next();
        if (!AtTermStart()) return ErrorAt(Peek().position, "expected a filter after 'AND' at column " + std::to_string(op.position));
      } else if (!AtTermStart()) {
        break;
      }
      ASSIGN_OR_RETURN(auto right, ParseUnary());
      left = Combine(NodeKind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> Negate(size_t position) {
    if (!AtTermStart()) return ErrorAt(Peek().position, "expected a filter after the negation at column " + std::to_string(position));
    ASSIGN_OR_RETURN(auto inner, ParseUnary());
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kNot;
    n->position = position;
    n->children.push_back(std::move(inner));
    return n;
  }

  Result<std::unique_ptr<Node>> ParseUnary() {
    const Lexeme& l = Peek();
    if (++depth_ > kMaxNesting) return ErrorAt(l.position, "nested more than " + std::to_string(kMaxNesting) + " levels deep");
    struct Leave {
      size_t& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    if (IsKeyword(l, "NOT") || (l.kind == Lex::kWord && (l.text == "-" || l.text == "!"))) {
      size_t p = Next().position;
      return Negate(p);
    }
    if (l.kind == Lex::kWord && l.text.size() > 1 && (l.text[0] == '-' || l.text[0] == '!')) {
      // "-word": strip the sign and parse the rest as the negated filter.
      size_t p = l.position;
      lx_[pos_].text.erase(0, 1);
      lx_[pos_].position += 1;
      return Negate(p);
    }
    if (l.kind == Lex::kLParen) {
      size_t open = Next().position;
      if (Peek().kind == Lex::kRParen) return ErrorAt(Peek().position, "empty parentheses");
      ASSIGN_OR_RETURN(auto inner, ParseOr());
      if (Peek().kind != Lex::kRParen)
        return ErrorAt(Peek().position, "expected ')' to close '(' at column " + std::to_string(open));
      Next();
      return inner;
    }
    return ParseTerm();
  }

  Result<std::unique_ptr<Node>> ParseTerm() {
    Lexeme l = Next();
    std::string field = "_msg";
    bool explicit_field = false;
    if (l.kind == Lex::kWord) {
      size_t colon = l.text.find(':');
      if (colon != std::string::npos && IsFieldName(std::string_view(l.text).substr(0, colon))) {
        field = l.text.substr(0, colon);
        explicit_field = true;
        size_t value_pos = l.position + colon + 1;
        std::string rest = l.text.substr(colon + 1);
        if (rest.empty()) {
          const Lexeme& v = Peek();
          if (!v.glued || (v.kind != Lex::kPhrase && v.kind != Lex::kRange && v.kind != Lex::kSelector && v.kind != Lex::kWord))
            return ErrorAt(value_pos, "expected a value after '" + field + ":'");
          l = Next();
        } else {
          l.text = rest;
          l.position = value_pos;
        }
      }
    }
    if (field == "_time") return TimeFilter(l);
    if (l.kind == Lex::kRange) return NumberRange(field, l);
    if (l.kind == Lex::kWord && explicit_field && !l.text.empty()) {
      // field:=value, field:~"regex", field:>=N, field:10.0.0.0/8
      ASSIGN_OR_RETURN(auto special, ValueFilter(field, l));
      if (special) return special;
    }
    if (l.kind == Lex::kSelector) {
      if (field != "_stream") return ErrorAt(l.position, "a selector {...} applies only to _stream");
      auto n = std::make_unique<Node>();
      n->kind = NodeKind::kStream;
      n->field = field;
      n->position = l.position;
      ASSIGN_OR_RETURN(n->labels, ParseStreamSelector(l.text, l.position + 1));
      return n;
    }
    auto n = std::make_unique<Node>();
    n->field = field;
    n->position = l.position;
    n->text = l.text;
    if (l.kind == Lex::kWord && l.text == "*") {
      n->kind = NodeKind::kAll;
      if (field != "_msg") n->kind = NodeKind::kPrefix;  // field:* — the field exists
      return n;
    }
    bool prefix = l.kind == Lex::kWord && l.text.size() > 1 && l.text.back() == '*';
    n->tokens = Tokenize(prefix ? std::string_view(l.text).substr(0, l.text.size() - 1) : l.text);
    if (prefix && !n->tokens.empty()) n->kind = NodeKind::kPrefix;
    else if (n->tokens.size() == 1 && l.kind == Lex::kWord) n->kind = NodeKind::kWord;
    else n->kind = NodeKind::kPhrase;
    return n;
  }

  // The operand of `field:=`, `field:~`, `field:>`…: the rest of the word, or a quoted phrase
  // right after it.
  Result<std::string> Operand(const Lexeme& l, size_t skip, const char* what) {
    if (l.text.size() > skip) return l.text.substr(skip);
    const Lexeme& v = Peek();
    if (!v.glued || (v.kind != Lex::kPhrase && v.kind != Lex::kWord))
      return ErrorAt(l.position + skip, std::string("expected ") + what + " after '" + l.text + "'");
    return Next().text;
  }

  // Null when the word is an ordinary value (a word or phrase search).
  Result<std::unique_ptr<Node>> ValueFilter(const std::string& field, const Lexeme& l) {
    auto n = std::make_unique<Node>();
    n->field = field;
    n->position = l.position;
    const std::string& t = l.text;
    if (t[0] == '=') {
      n->kind = NodeKind::kExact;
      ASSIGN_OR_RETURN(n->text, Operand(l, 1, "a value"));
      n->tokens = Tokenize(n->text);  // all of them must be in a matching block
      return n;
    }
    if (t[0] == '~') {
      n->kind = NodeKind::kRegex;
      ASSIGN_OR_RETURN(n->text, Operand(l, 1, "a quoted regex"));
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const RE2>(n->text, options);
      if (!re->ok()) return ErrorAt(l.position + 1, "bad regex: " + re->error());
      n->regex = std::move(re);
      return n;
    }
    if (t[0] == '>' || t[0] == '<') {
      const bool or_equal = t.size() > 1 && t[1] == '=';
      const size_t skip = or_equal ? 2 : 1;
      ASSIGN_OR_RETURN(std::string operand, Operand(l, skip, "a number"));
      double v;
      if (!ParseNumberText(operand, &v)) return ErrorAt(l.position + skip, "expected a number, got '" + operand + "'");
      n->kind = NodeKind::kRange;
      n->lo = -INFINITY;
      n->hi = INFINITY;
      if (t[0] == '>') n->lo = v, n->lo_open = !or_equal;
      else n->hi = v, n->hi_open = !or_equal;
      return n;
    }
    uint32_t lo, hi;
    if (ParseCidr(t, &lo, &hi)) {
      n->kind = NodeKind::kIpRange;
      n->ip_lo = lo;
      n->ip_hi = hi;
      n->text = t;
      return n;
    }
    return std::unique_ptr<Node>();
  }

  // field:[a, b) — numbers; `[`/`]` include the bound, `(`/`)` exclude it.
  Result<std::unique_ptr<Node>> NumberRange(const std::string& field, const Lexeme& l) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kRange;
    n->field = field;
    n->position = l.position;
    size_t comma = l.text.find(',');
    if (comma == std::string::npos) return ErrorAt(l.position, "expected 'low, high' inside the range");
    auto trim = [](std::string_view s) {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      return std::string(s);
    };
    std::string a = trim(std::string_view(l.text).substr(0, comma)), b = trim(std::string_view(l.text).substr(comma + 1));
    if (!ParseNumberText(a, &n->lo)) return ErrorAt(l.position + 1, "expected a number, got '" + a + "'");
    if (!ParseNumberText(b, &n->hi)) return ErrorAt(l.position + 1 + comma + 1, "expected a number, got '" + b + "'");
    n->hi_open = l.close == ')';
    if (n->hi < n->lo) return ErrorAt(l.position, "the range ends before it starts");
    return n;
  }

  Result<std::unique_ptr<Node>> TimeFilter(const Lexeme& l) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kTime;
    n->field = "_time";
    n->position = l.position;
    constexpr int64_t kForever = std::numeric_limits<int64_t>::max();
    if (l.kind == Lex::kWord && !l.text.empty() && (l.text[0] == '>' || l.text[0] == '<')) {
      // _time:>=2026-11-01T10:00:00Z — one bound.
      const bool greater = l.text[0] == '>', inclusive = l.text.size() > 1 && l.text[1] == '=';
      const size_t skip = inclusive ? 2 : 1;
      ASSIGN_OR_RETURN(std::string text, Operand(l, skip, "a time"));
      auto t = ParseTimestamp(text);
      if (!t.ok()) return ErrorAt(l.position + skip, t.status().message());
      n->min_time = greater ? t.value() + (inclusive ? 0 : 1) : std::numeric_limits<int64_t>::min();
      n->max_time = greater ? kForever : t.value() + (inclusive ? 1 : 0);
    } else if (l.kind == Lex::kWord) {
      if (auto d = ParseDuration(l.text); d.ok()) {
        // _time:5m — the last five minutes (and whatever is stamped in the future).
        n->min_time = now_ - d.value();
        n->max_time = kForever;
      } else if (auto period = WholePeriod(l.text); period.first < period.second) {
        // _time:2026-11-01 — that whole day (or month, hour, minute).
        n->min_time = period.first;
        n->max_time = period.second;
      } else {
        return ErrorAt(l.position, d.status().message() + "; expected a duration like 5m, a day like 2026-11-01 or a range like [2026-11-01, 2026-11-02)");
      }
    } else if (l.kind == Lex::kRange) {
      ASSIGN_OR_RETURN(auto range, TimeRange(l));
      n->min_time = range.first;
      n->max_time = range.second;
    } else {
      return ErrorAt(l.position, "expected a duration like 5m or a range like [2026-11-01, 2026-11-02) after '_time:'");
    }
    // `offset 1h` moves the window into the past: _time:5m offset 1h is the five minutes that
    // ended an hour ago (as in LogQL and LogsQL). Without a valid duration after it, `offset` is
    // an ordinary word.
    if (IsKeyword(Peek(), "offset") && pos_ + 1 < lx_.size() && lx_[pos_ + 1].kind == Lex::kWord &&
        ParseDuration(lx_[pos_ + 1].text).ok()) {
      Next();
      const int64_t off = ParseDuration(Next().text).value();
      if (n->max_time == kForever) n->max_time = now_;
      n->min_time = n->min_time == std::numeric_limits<int64_t>::min() ? n->min_time : n->min_time - off;
      n->max_time -= off;
    }
    return n;
  }

  // [start, end) or [start, end] of times.
  Result<std::pair<int64_t, int64_t>> TimeRange(const Lexeme& l) {
    size_t comma = l.text.find(',');
    if (comma == std::string::npos) return ErrorAt(l.position, "expected 'start, end' inside the time range");
    auto trim = [](std::string_view s) {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      return s;
    };
    auto start = ParseTimestamp(trim(std::string_view(l.text).substr(0, comma)));
    if (!start.ok()) return ErrorAt(l.position + 1, start.status().message());
    auto end = ParseTimestamp(trim(std::string_view(l.text).substr(comma + 1)));
    if (!end.ok()) return ErrorAt(l.position + 1 + comma + 1, end.status().message());
    int64_t lo = start.value(), hi = end.value();
    if (l.close == ']' && hi < std::numeric_limits<int64_t>::max()) ++hi;
    if (hi <= lo) return ErrorAt(l.position, "the time range ends before it starts");
    return std::pair(lo, hi);
  }

  // The period a partial RFC 3339 time names, UTC: "2026-11" a month, "2026-11-01" a day,
  // "2026-11-01T10" an hour, "2026-11-01T10:05" a minute. {0, 0} when the text is none of these.
  static std::pair<int64_t, int64_t> WholePeriod(std::string_view text) {
    auto digits = [&](size_t at, size_t n) {
      return text.size() >= at + n &&
             std::all_of(text.begin() + at, text.begin() + at + n, [](char c) { return c >= '0' && c <= '9'; });
    };
    // [start, start + length), or {0, 0} when start is not a valid time (2026-02-30).
    auto period = [](const std::string& start, int64_t length) {
      auto t = ParseRfc3339(start);
      return t.ok() ? std::pair(t.value(), t.value() + length) : std::pair<int64_t, int64_t>{0, 0};
    };
    constexpr int64_t kMinute = 60'000'000'000, kHour = 60 * kMinute, kDay = 24 * kHour;
    const std::string s(text);
    if (!digits(0, 4) || text.size() < 7 || text[4] != '-' || !digits(5, 2)) return {0, 0};
    if (text.size() == 7) {
      const int year = std::stoi(s.substr(0, 4)), month = std::stoi(s.substr(5, 2));
      char next[16];
      std::snprintf(next, sizeof next, "%04d-%02d-01", year + month / 12, month % 12 + 1);
      auto first = period(s + "-01", 0), end = period(next, 0);
      return first.first != 0 && end.first != 0 ? std::pair(first.first, end.first) : std::pair<int64_t, int64_t>{0, 0};
    }
    if (text.size() < 10 || text[7] != '-' || !digits(8, 2)) return {0, 0};
    const bool clock = text.size() > 10 && (text[10] == 'T' || text[10] == ' ') && digits(11, 2);
    if (text.size() == 10) return period(s, kDay);
    if (text.size() == 13 && clock) return period(s + ":00:00", kHour);
    if (text.size() == 16 && clock && text[13] == ':' && digits(14, 2)) return period(s + ":00", kMinute);
    return {0, 0};
  }

  std::vector<Lexeme> lx_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  int64_t now_;
};

}  // namespace

Result<std::unique_ptr<Node>> ParseFilter(std::string_view query, size_t base, std::string_view text, int64_t now_ns) {
  auto lexemes = Lexify(text);
  Result<std::unique_ptr<Node>> root = lexemes.ok() ? Parser(std::move(lexemes).value(), now_ns).Parse()
                                                    : Result<std::unique_ptr<Node>>(lexemes.status());
  if (root.ok()) return root;
  // The lexer and parser count columns in `text`: say where that is in the whole query.
  const Status st = root.status();
  const std::string& msg = st.message();
  size_t column = 0, i = std::string_view("column ").size();
  if (!msg.starts_with("column ")) return root;
  while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9') column = column * 10 + static_cast<size_t>(msg[i++] - '0');
  if (column == 0 || msg.compare(i, 2, ": ") != 0) return root;
  // Columns named inside the message ("to close '(' at column 16") are relative too.
  std::string what = msg.substr(i + 2);
  static constexpr std::string_view kAt = " at column ";
  for (size_t at = what.find(kAt); at != std::string::npos; at = what.find(kAt, at + 1)) {
    size_t j = at + kAt.size(), c = 0;
    while (j < what.size() && what[j] >= '0' && what[j] <= '9') c = c * 10 + static_cast<size_t>(what[j++] - '0');
    if (c == 0) continue;
    std::string where = QueryErrorAt(query, base + c - 1, "").message();  // "line L, column C: "
    what.replace(at + 4, j - at - 4, where.substr(0, where.size() - 2));
  }
  return QueryErrorAt(query, base + column - 1, what);
}

namespace {

// Where the query's top-level `|`s are: outside quotes, brackets, braces and parentheses.
std::vector<size_t> PipeSeparators(std::string_view s) {
  std::vector<size_t> out;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == '|' && depth == 0) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace

Result<ParsedQuery> ParseQuery(std::string_view text, int64_t now_ns) {
  if (text.size() > kMaxQueryBytes)
    return Status::InvalidArgument("the query is " + std::to_string(text.size()) + " bytes long; the limit is " +
                                   std::to_string(kMaxQueryBytes));
  std::vector<size_t> bars = PipeSeparators(text);
  ParsedQuery q;
  const size_t filter_end = bars.empty() ? text.size() : bars[0];
  ASSIGN_OR_RETURN(q.filter, ParseFilter(text, 0, text.substr(0, filter_end), now_ns));
  for (size_t k = 0; k < bars.size(); ++k) {
    const size_t begin = bars[k] + 1, end = k + 1 < bars.size() ? bars[k + 1] : text.size();
    PipeLexer lex(text, begin, text.substr(begin, end - begin));
    ASSIGN_OR_RETURN(auto pipe, ParsePipe(text, lex, now_ns));
    q.pipes.push_back(std::move(pipe));
  }
  return q;
}

std::string ParsedQuery::ToString() const {
  std::string s = filter->ToString();
  for (const auto& p : pipes) s += " | " + p->ToString();
  return s;
}

std::string Node::ToString() const {
  auto leaf = [&](const char* kind) {
    std::string s = std::string(kind) + "(" + field + ":";
    for (size_t i = 0; i < tokens.size(); ++i) s += (i ? " " : "") + tokens[i];
    if (tokens.empty()) s += "'" + text + "'";
    return s + ")";
  };
  switch (kind) {
    case NodeKind::kAll: return "*";
    case NodeKind::kWord: return leaf("word");
    case NodeKind::kPrefix: return leaf("prefix");
    case NodeKind::kPhrase: return leaf("phrase");
    case NodeKind::kTime: return "time(" + std::to_string(min_time) + "," + std::to_string(max_time) + ")";
    case NodeKind::kStream: return "stream(" + SelectorToString(labels) + ")";
    case NodeKind::kExact: return "exact(" + field + ":'" + text + "')";
    case NodeKind::kRegex: return "regex(" + field + ":'" + text + "')";
    case NodeKind::kRange:
      return "range(" + field + ":" + (lo_open ? "(" : "[") + FormatNumber(lo) + ", " + FormatNumber(hi) +
             (hi_open ? ")" : "]") + ")";
    case NodeKind::kIpRange: return "ip(" + field + ":" + text + ")";
    case NodeKind::kNot: return "NOT " + children[0]->ToString();
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      std::string s = "(";
      for (size_t i = 0; i < children.size(); ++i)
        s += (i ? (kind == NodeKind::kAnd ? " AND " : " OR ") : "") + children[i]->ToString();
      return s + ")";
    }
  }
  return "?";
}

}  // namespace sawlog::query
