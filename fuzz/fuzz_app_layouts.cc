// Fuzzes the application layout parsers java, python and go (line_parser_check.h's invariants),
// and: every parsed line has a message; java a time and a severity; python a severity and a
// logger; go a time.
#include <algorithm>

#include "line_parser_check.h"
#include "parse/parsers.h"

namespace {

bool Has(const sawlog::ParsedLine& p, std::string_view name) {
  return std::any_of(p.fields.begin(), p.fields.end(), [&](const sawlog::Field& f) { return f.name == name; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* java = sawlog::MakeJavaParser().release();
  static auto* python = sawlog::MakePythonParser().release();
  static auto* go = sawlog::MakeGoParser().release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  const sawlog::ParseContext ctx = sawlog::fuzz::FuzzContext();
  sawlog::ParsedLine parsed;
  if (sawlog::fuzz::CheckLineParser(java, line, ctx, true, &parsed).ok() &&
      (!parsed.msg || !parsed.time || !Has(parsed, "severity")))
    __builtin_trap();
  if (sawlog::fuzz::CheckLineParser(python, line, ctx, true, &parsed).ok() &&
      (!parsed.msg || !Has(parsed, "severity") || !Has(parsed, "logger")))
    __builtin_trap();
  if (sawlog::fuzz::CheckLineParser(go, line, ctx, true, &parsed).ok() && (!parsed.msg || !parsed.time))
    __builtin_trap();
  return 0;
}
