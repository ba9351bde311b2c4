// Fuzzes the klog parser (line_parser_check.h's invariants), and: a parsed line has a time, a
// message and the four header fields.
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* parser = sawlog::MakeKlogParser().release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  sawlog::ParsedLine parsed;
  if (!sawlog::fuzz::CheckLineParser(parser, line, sawlog::fuzz::FuzzContext(), true, &parsed).ok()) return 0;
  if (!parsed.time || !parsed.msg || parsed.fields.size() != 4) __builtin_trap();
  return 0;
}
