// Fuzzes the logfmt parser (line_parser_check.h's invariants), and: on valid UTF-8, the fields
// written back as logfmt (quoted with JSON escapes where needed) parse to the same fields.
#include <cstdio>

#include "line_parser_check.h"
#include "parse/parsers.h"

namespace {

std::string Encode(const std::vector<sawlog::Field>& fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out.push_back(' ');
    out += f.name + "=";
    bool plain = !f.value.empty();
    for (char c : f.value)
      if (static_cast<unsigned char>(c) <= ' ' || c == '=' || c == '"' || c == '\'' || c == '\\') plain = false;
    if (plain) {
      out += f.value;
      continue;
    }
    out.push_back('"');
    for (char c : f.value) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (static_cast<unsigned char>(c) < ' ') {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
        out += buf;
      } else {
        out.push_back(c);
      }
    }
    out.push_back('"');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* parser = sawlog::MakeLogfmtParser().release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  sawlog::ParsedLine parsed;
  auto ctx = sawlog::fuzz::FuzzContext();
  if (!sawlog::fuzz::CheckLineParser(parser, line, ctx, true, &parsed).ok()) return 0;
  if (parsed.time || parsed.msg) __builtin_trap();
  if (!sawlog::IsValidUtf8(line)) return 0;
  std::string encoded = Encode(parsed.fields);
  sawlog::ParsedLine again;
  if (!parser->Parse(encoded, ctx, &again).ok() || again.fields != parsed.fields) __builtin_trap();
  return 0;
}
