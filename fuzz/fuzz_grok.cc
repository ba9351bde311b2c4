// Fuzzes grok: the input's first line is the match pattern over a small built-in library (with
// Oniguruma constructs grok.cc rewrites: atomic groups, look-behind, possessive and nested
// quantifiers, \h, named groups), the rest the log line. Refused patterns are InvalidArgument;
// parsed lines hold line_parser_check.h's invariants; and the backtracker (backtracker.h) gives
// exactly what the one RE2 gives: the same match or error, fields, time and message.
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  sawlog::GrokOptions options;
  options.patterns = {
      {"INT", "(?:[+-]?(?:[0-9]+))"},
      {"NUM", "(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\\.[0-9]+)?)|(?:\\.[0-9]+)))"},
      {"WORD", "\\b\\w+\\b"},
      {"HEX", "\\h{2,8}"},
      {"QS", "(?>(?<!\\\\)(?>\"(?>\\\\.|[^\\\\\"]+)+\"|\"\"))"},
      {"HOST", "\\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(\\.?|\\b)"},
      {"LOOP", "%{LOOP}"},
      {"DATA", ".*?"},
      {"GREEDY", ".*"},
      {"NS", "\\S+"},
      {"USER", "[a-zA-Z0-9._-]+"},
      {"IP4", "(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.]){3}(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])"},
      {"MON", "\\b(?:[Jj]an(?:uary|uar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Mm]a(?:y|i)?)\\b"},
      {"ANY", ".?*"},
      {"NAMED", "(?<[a][b]>x+)y"},
  };
  options.match.emplace_back(input.substr(0, newline));
  const std::string_view line = input.substr(newline + 1);
  const sawlog::ParseContext ctx = sawlog::fuzz::FuzzContext();
  auto made = sawlog::MakeGrokParser(options);
  sawlog::fuzz::CheckConfiguredParser(made, line, ctx);
  options.engine = sawlog::GrokOptions::Engine::kRe2;
  auto reference = sawlog::MakeGrokParser(options);
  if (made.ok() != reference.ok()) __builtin_trap();
  if (!made.ok()) return 0;
  sawlog::ParsedLine got, want;
  sawlog::Status st = made.value()->Parse(line, ctx, &got);
  sawlog::Status st_want = reference.value()->Parse(line, ctx, &want);
  if (st.ok() != st_want.ok() || st.message() != st_want.message() || !(got == want)) __builtin_trap();
  return 0;
}
