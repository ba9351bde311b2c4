// Fuzzes the csv parser (line_parser_check.h's invariants) with a fixed header, and: a parsed line
// has one value per header name (the time and the message taken out of the fields).
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* parser = [] {
    sawlog::CsvOptions options;
    options.header = "time,level,\"a,b\",message";
    return sawlog::MakeCsvParser(options).value().release();
  }();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  sawlog::ParsedLine parsed;
  if (!sawlog::fuzz::CheckLineParser(parser, line, sawlog::fuzz::FuzzContext(), true, &parsed).ok()) return 0;
  if (parsed.fields.size() + (parsed.time ? 1 : 0) + (parsed.msg ? 1 : 0) != 4) __builtin_trap();
  return 0;
}
