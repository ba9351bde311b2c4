// Fuzzes the auto parser (line_parser_check.h's invariants), and: it never refuses a line, and
// the last field names the format that read it.
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* parser = sawlog::MakeAutoParser().release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  sawlog::ParsedLine parsed;
  if (!sawlog::fuzz::CheckLineParser(parser, line, sawlog::fuzz::FuzzContext(), true, &parsed).ok()) __builtin_trap();
  if (parsed.fields.empty() || parsed.fields.back().name != "parser") __builtin_trap();
  return 0;
}
