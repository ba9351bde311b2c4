// Grok: regexes assembled from named patterns, `%{NAME}`, `%{NAME:field}`, `%{NAME:field:type}`,
// with the pattern libraries users already know (logstash-patterns-core, loaded from their
// files, never re-typed here). A match pattern is expanded recursively into ONE RE2 whose only
// capturing groups are the named fields, so a line costs one anchored match.
//
// That regex is run by a Backtracker (backtracker.h) compiled from the same text, not by RE2:
// with a program this large (IPORHOST's IPv6 alternatives) and many groups RE2 extracts the
// groups with its NFA, ~12 MiB/s for COMBINEDAPACHELOG; the backtracker is RE2's BitState
// without its size limits, with character-class runs (`\S+`, `[^"]+`, `.*?`) scanned in tight
// loops and branches skipped when the next bytes rule them out, ~165 MiB/s. It follows
// RE2's leftmost-first order, so the fields are exactly RE2's (tests/unit/parse_test_grok.cc
// compares both on every shared line and every standard pattern, fuzz_grok on random input).
// RE2 stays for what the backtracker refuses: patterns with flags such as `(?m)`, lines with
// non-ASCII bytes (RE2 reads UTF-8 runes) and lines too long for its visited bitmap.
//
// The libraries are written for Oniguruma; RE2 lacks some of its constructs, which expansion
// rewrites: atomic groups `(?>...)` become plain groups and possessive quantifiers (`++`, `*+`)
// greedy ones (same matches for these patterns, no backtracking in RE2 anyway); look-around
// assertions (`(?<![0-9])`, `(?![0-9])`) are dropped, so a pattern may accept a little more than in
// Logstash (an IPv4 address right after a digit). `(?<name>...)` in a definition is a field;
// `\h` is a hex digit; the nested quantifier `x?*` is `x*`.
// RE2 refuses nested counted repetitions whose product passes 1000 (ECS's EMAILLOCALPART,
// `(?:\.[...]{1,62}){0,63}`); such a pattern is compiled again with every bound of
// kRelaxedRepeatBound or more dropped (`{1,62}` → `{1,}`), accepting longer runs than Logstash.
#include <algorithm>
#include <map>
#include <string>

#include "core/env.h"
#include "parse/capture.h"
#include "parse/parsers.h"
#include "parse/utf8.h"

namespace sawlog {

namespace {

constexpr std::string_view kName = "grok";

// How deep %{...} references may nest; the standard libraries need 8.
constexpr size_t kMaxDepth = 64;

// Upper bounds of counted repetitions from which RelaxRepeats drops them: the libraries' length
// limits (hostname labels of 63, e-mail parts of 64) are that large, their small counts
// (IPv6's {1,4}, {0,1}) far smaller.
constexpr int kRelaxedRepeatBound = 32;

// "[http][request][method]" → "http.request.method"; other names as they are.
std::string DottedName(std::string_view name) {
  if (!name.starts_with('[')) return std::string(name);
  std::string out;
  for (char c : name) {
    if (c == '[') continue;
    if (c == ']') out.push_back('.');
    else out.push_back(c);
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  size_t dots;
  while ((dots = out.find("..")) != std::string::npos) out.erase(dots, 1);
  return out;
}

// The end (one past the ']') of the character class starting at s[i] == '['.
size_t EndOfClass(std::string_view s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && s[j] == '^') ++j;
  if (j < s.size() && s[j] == ']') ++j;
  while (j < s.size()) {
    if (s[j] == '\\') j += 2;
    else if (s[j] == '[' && j + 1 < s.size() && s[j + 1] == ':') {
      size_t close = s.find(":]", j + 2);
      j = close == std::string_view::npos ? s.size() : close + 2;
    } else if (s[j] == ']') return j + 1;
    else ++j;
  }
  return s.size() + 1;  // unterminated
}

// The end (one past the ')') of the group starting at s[i] == '('.
size_t EndOfGroup(std::string_view s, size_t i) {
  int depth = 0;
  size_t j = i;
  while (j < s.size()) {
    const char c = s[j];
    if (c == '\\') j += 2;
    else if (c == '[') j = EndOfClass(s, j);
    else {
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return j + 1;
      ++j;
    }
  }
  return s.size() + 1;
}

// `{m,n}` with n >= kRelaxedRepeatBound → `{m,}`, outside escapes and character classes.
std::string RelaxRepeats(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\\') {
      out += s.substr(i, 2);
      i += 2;
    } else if (s[i] == '[') {
      size_t end = std::min(EndOfClass(s, i), s.size());
      out += s.substr(i, end - i);
      i = end;
    } else if (s[i] == '{') {
      size_t close = s.find('}', i);
      size_t comma = s.find(',', i);
      std::string_view upper = close == std::string_view::npos || comma > close
                                   ? std::string_view{}
                                   : s.substr(comma + 1, close - comma - 1);
      if (!upper.empty() && upper.size() < 6 && std::all_of(upper.begin(), upper.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
          std::stoi(std::string(upper)) >= kRelaxedRepeatBound) {
        out += s.substr(i, comma - i + 1);
        out += '}';
        i = close + 1;
      } else {
        out.push_back(s[i++]);
      }
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

struct Expanded {
  std::string regex;
  std::vector<std::string> names;  // one per capturing group, in order
};

class GrokLibrary {
 public:
  Status LoadDirectory(const std::string& dir) {
    auto children = Env::Default()->GetChildren(dir);
    if (!children.ok())
      return Status::InvalidArgument("grok: cannot read the pattern directory '" + dir + "': " +
                                     children.status().message());
    std::vector<std::string> files = children.value();
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto text = Env::Default()->ReadFile(dir + "/" + f);
      if (!text.ok()) continue;  // a subdirectory
      RETURN_IF_ERROR(AddFile(text.value(), dir + "/" + f));
    }
    return Status::Ok();
  }

  // Lines "NAME regex"; '#' comments and blank lines skipped.
  Status AddFile(std::string_view text, const std::string& where) {
    size_t line_no = 0;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      ++line_no;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (line.empty() || line[0] == '#') continue;
      size_t sp = line.find_first_of(" \t");
      if (sp == std::string_view::npos)
        return Status::InvalidArgument("grok: " + where + ":" + std::to_string(line_no) +
                                       ": expected 'NAME regex', got '" + std::string(line.substr(0, 60)) + "'");
      RETURN_IF_ERROR(Define(line.substr(0, sp), line.substr(line.find_first_not_of(" \t", sp)),
                             where + ":" + std::to_string(line_no)));
    }
    return Status::Ok();
  }

  Status Define(std::string_view name, std::string_view regex, const std::string& where) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }))
      return Status::InvalidArgument("grok: " + where + ": bad pattern name '" + std::string(name) +
                                     "' (letters, digits and '_')");
    defs_[std::string(name)] = std::string(regex);
    return Status::Ok();
  }

  // Expands `pattern` (a match pattern, not a name) into one RE2 regex.
  Result<Expanded> Expand(std::string_view pattern) {
    Expanded out;
    std::vector<std::string> stack;
    RETURN_IF_ERROR(Translate(pattern, &stack, &out));
    return out;
  }

 private:
  Status Error(const std::vector<std::string>& stack, std::string_view why) const {
    std::string chain;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) chain += (chain.empty() ? "" : " in ") + *it;
    return Status::InvalidArgument(std::string(why) + (chain.empty() ? "" : " (in pattern " + chain + ")"));
  }

  Status ExpandName(const std::string& name, std::vector<std::string>* stack, Expanded* out) {
    if (auto it = memo_.find(name); it != memo_.end()) {
      *out = it->second;
      return Status::Ok();
    }
    auto def = defs_.find(name);
    if (def == defs_.end()) return Error(*stack, "unknown pattern '" + name + "'");
    if (std::find(stack->begin(), stack->end(), name) != stack->end()) {
      std::string cycle;
      for (const auto& s : *stack) cycle += s + " → ";
      return Error({}, "patterns refer to each other in a cycle: " + cycle + name);
    }
    if (stack->size() >= kMaxDepth) return Error(*stack, "patterns nest deeper than " + std::to_string(kMaxDepth));
    stack->push_back(name);
    Status st = Translate(def->second, stack, out);
    stack->pop_back();
    if (st.ok()) memo_[name] = *out;
    return st;
  }

  // Oniguruma text with %{...} references → RE2 text whose only capturing groups are fields.
  Status Translate(std::string_view s, std::vector<std::string>* stack, Expanded* out) {
    bool after_quantifier = false;
    for (size_t i = 0; i < s.size();) {
      const char c = s[i];
      const bool was_quantifier = after_quantifier;
      after_quantifier = false;
      if (c == '\\') {
        // Oniguruma's \h (a hex digit) is not RE2's.
        const char e = i + 1 < s.size() ? s[i + 1] : '\0';
        if (e == 'h' || e == 'H') out->regex += e == 'h' ? "[0-9A-Fa-f]" : "[^0-9A-Fa-f]";
        else out->regex += s.substr(i, 2);
        i += 2;
      } else if (c == '*' && was_quantifier && out->regex.back() == '?') {
        out->regex.back() = '*';  // Oniguruma's nested x?* is x*
        after_quantifier = true;
        ++i;
      } else if (c == '[') {
        size_t end = EndOfClass(s, i);
        if (end > s.size()) return Error(*stack, "unterminated '[' in '" + std::string(s.substr(0, 80)) + "'");
        out->regex += s.substr(i, end - i);
        i = end;
      } else if (s.substr(i).starts_with("%{")) {
        size_t close = s.find('}', i);
        if (close == std::string_view::npos) return Error(*stack, "unterminated '%{' in '" + std::string(s.substr(i, 80)) + "'");
        std::string_view spec = s.substr(i + 2, close - i - 2);
        size_t colon = spec.find(':');
        std::string name(spec.substr(0, colon));
        std::string field;
        if (colon != std::string_view::npos) {
          std::string_view rest = spec.substr(colon + 1);
          // %{NAME:field:type}: the type (int, float) is a hint; values stay text, as every field.
          field = DottedName(rest.substr(0, rest.find(':')));
          if (field.empty() || !IsValidUtf8(field))
            return Error(*stack, "bad field name in '%{" + std::string(spec) + "}' (empty or not UTF-8)");
        }
        Expanded inner;
        RETURN_IF_ERROR(ExpandName(name, stack, &inner));
        out->regex += field.empty() ? "(?:" : "(";
        if (!field.empty()) out->names.push_back(field);
        out->regex += inner.regex;
        out->regex += ')';
        out->names.insert(out->names.end(), inner.names.begin(), inner.names.end());
        i = close + 1;
      } else if (c == '(') {
        std::string_view rest = s.substr(i);
        if (rest.starts_with("(?<=") || rest.starts_with("(?<!") || rest.starts_with("(?=") ||
            rest.starts_with("(?!")) {
          size_t end = EndOfGroup(s, i);
          if (end > s.size()) return Error(*stack, "unbalanced '(' in '" + std::string(s.substr(0, 80)) + "'");
          i = end;  // look-around: RE2 has none (see the file comment)
        } else if (rest.starts_with("(?<") || rest.starts_with("(?P<")) {
          size_t open = rest.find('<') + 1;
          size_t close = rest.find('>');
          if (close == std::string_view::npos) return Error(*stack, "unterminated '(?<' name");
          std::string field = DottedName(rest.substr(open, close - open));
          if (field.empty() || !IsValidUtf8(field)) return Error(*stack, "bad group name (empty or not UTF-8)");
          out->regex += '(';
          out->names.push_back(std::move(field));
          i += close + 1;
        } else if (rest.starts_with("(?>")) {
          out->regex += "(?:";
          i += 3;
        } else if (rest.starts_with("(?")) {
          out->regex += "(?";
          i += 2;
        } else {
          out->regex += "(?:";
          ++i;
        }
      } else if (c == '+' && was_quantifier) {
        ++i;  // possessive → greedy
      } else {
        out->regex.push_back(c);
        after_quantifier = c == '+' || c == '*' || c == '?' || c == '}';
        ++i;
      }
    }
    return Status::Ok();
  }

  std::map<std::string, std::string, std::less<>> defs_;
  std::map<std::string, Expanded, std::less<>> memo_;
};

class GrokParser final : public LineParser {
 public:
  GrokParser(CaptureSink sink, std::vector<RegexProgram> programs, std::vector<std::string> match)
      : sink_(std::move(sink)), programs_(std::move(programs)), match_(std::move(match)) {}

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    for (auto& p : programs_) {
      out->Clear();
      ASSIGN_OR_RETURN(bool matched, p.Match(line, ctx, sink_, out));
      if (matched) return Status::Ok();
    }
    out->Clear();
    return LineError(kName, 0,
                     programs_.size() == 1 ? "the line does not match '" + match_[0].substr(0, 80) + "'"
                                           : "the line matches none of the " + std::to_string(programs_.size()) +
                                                 " patterns");
  }

 private:
  CaptureSink sink_;
  std::vector<RegexProgram> programs_;
  std::vector<std::string> match_;
};

}  // namespace

Result<std::unique_ptr<LineParser>> MakeGrokParser(const GrokOptions& options) {
  if (options.match.empty()) return Status::InvalidArgument("grok: the 'match' option is missing");
  GrokLibrary library;
  for (const auto& dir : options.pattern_dirs) RETURN_IF_ERROR(library.LoadDirectory(dir));
  for (const auto& [name, regex] : options.patterns) RETURN_IF_ERROR(library.Define(name, regex, "option 'pattern'"));
  ASSIGN_OR_RETURN(CaptureSink sink, CaptureSink::Make(kName, options.capture));
  std::vector<RegexProgram> programs;
  for (const auto& m : options.match) {
    auto expanded = library.Expand(m);
    if (!expanded.ok()) return Status::InvalidArgument("grok: match '" + m + "': " + expanded.status().message());
    const std::string regex = RelaxRepeats(expanded.value().regex);
    auto program = RegexProgram::Make(kName, regex, expanded.value().names, RE2::ANCHOR_BOTH, sink);
    if (!program.ok()) return Status::InvalidArgument("grok: match '" + m + "': " + program.status().message());
    if (options.engine != GrokOptions::Engine::kRe2 && !program.value().AddBacktracker(regex) &&
        options.engine == GrokOptions::Engine::kBacktracker)
      return Status::InvalidArgument("grok: match '" + m + "': beyond the backtracker");
    programs.push_back(std::move(program).value());
  }
  return std::unique_ptr<LineParser>(std::make_unique<GrokParser>(std::move(sink), std::move(programs), options.match));
}

}  // namespace sawlog
