// Fuzzes the regex parser: the input's first line is the pattern (refused patterns are fine:
// InvalidArgument), the rest the log line, checked with line_parser_check.h's invariants.
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  sawlog::RegexOptions options;
  options.pattern = std::string(input.substr(0, newline));
  sawlog::fuzz::CheckConfiguredParser(sawlog::MakeRegexParser(options), input.substr(newline + 1), sawlog::fuzz::FuzzContext());
  return 0;
}
