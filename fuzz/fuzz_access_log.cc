// Fuzzes the Apache/nginx access-log parsers (line_parser_check.h's invariants), and: no line is
// both a common and a combined one; a parsed line has a time, a client and a 3-digit status.
#include "line_parser_check.h"
#include "parse/parsers.h"

namespace {

void CheckParsed(const sawlog::ParsedLine& p) {
  if (!p.time || p.fields.empty() || p.fields[0].name != "client.address") __builtin_trap();
  for (const auto& f : p.fields)
    if (f.name == "http.response.status_code" && f.value.size() != 3) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* common = sawlog::MakeAccessLogParser(sawlog::AccessLogFormat::kCommon).release();
  static auto* combined = sawlog::MakeAccessLogParser(sawlog::AccessLogFormat::kCombined).release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto ctx = sawlog::fuzz::FuzzContext();
  sawlog::ParsedLine a, b;
  bool common_ok = sawlog::fuzz::CheckLineParser(common, line, ctx, true, &a).ok();
  bool combined_ok = sawlog::fuzz::CheckLineParser(combined, line, ctx, true, &b).ok();
  if (common_ok && combined_ok) __builtin_trap();
  if (common_ok) CheckParsed(a);
  if (combined_ok) CheckParsed(b);
  return 0;
}
