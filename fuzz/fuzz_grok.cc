// Fuzzes grok: the input's first line is the match pattern over a small built-in library (with
// Oniguruma constructs grok.cc rewrites: atomic groups, look-behind, possessive and nested
// quantifiers, \h, named groups), the rest the log line. Refused patterns are InvalidArgument;
// parsed lines hold line_parser_check.h's invariants.
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
      {"ANY", ".?*"},
      {"NAMED", "(?<[a][b]>x+)y"},
  };
  options.match.emplace_back(input.substr(0, newline));
  sawlog::fuzz::CheckConfiguredParser(sawlog::MakeGrokParser(options), input.substr(newline + 1), sawlog::fuzz::FuzzContext());
  return 0;
}
