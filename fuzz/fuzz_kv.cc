// Fuzzes the key=value parser (line_parser_check.h's invariants) with the default options and
// with ',' / ':' delimiters and standalone keys refused; every field has a non-empty name.
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* plain = sawlog::MakeKvParser().release();
  static auto* custom = sawlog::MakeKvParser({',', ':', false}).release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto ctx = sawlog::fuzz::FuzzContext();
  for (auto* parser : {plain, custom}) {
    sawlog::ParsedLine parsed;
    if (!sawlog::fuzz::CheckLineParser(parser, line, ctx, true, &parsed).ok()) continue;
    for (const auto& f : parsed.fields)
      if (f.name.empty()) __builtin_trap();
  }
  return 0;
}
