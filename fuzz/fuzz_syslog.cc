// Fuzzes the syslog parsers (line_parser_check.h's invariants), and: what "syslog" (auto) makes of
// a line is what one of "syslog3164" and "syslog5424" makes of it; a priority is 0 to 191 and
// agrees with the facility and severity; the message is always set.
#include "line_parser_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sawlog::SyslogFormat;
  static auto* any = sawlog::MakeSyslogParser(SyslogFormat::kAuto).release();
  static auto* bsd = sawlog::MakeSyslogParser(SyslogFormat::kRfc3164).release();
  static auto* ietf = sawlog::MakeSyslogParser(SyslogFormat::kRfc5424).release();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto ctx = sawlog::fuzz::FuzzContext();
  sawlog::ParsedLine a, b, i;
  sawlog::Status st_a = sawlog::fuzz::CheckLineParser(any, line, ctx, true, &a);
  sawlog::Status st_b = sawlog::fuzz::CheckLineParser(bsd, line, ctx, true, &b);
  sawlog::Status st_i = sawlog::fuzz::CheckLineParser(ietf, line, ctx, true, &i);
  if (st_a.ok()) {
    if (!(st_b.ok() && a == b) && !(st_i.ok() && a == i)) __builtin_trap();
    if (!a.msg) __builtin_trap();
    if (!a.fields.empty() && a.fields[0].name == "priority") {
      int pri = std::stoi(a.fields[0].value);
      if (pri < 0 || pri > 191 || a.fields.size() < 3 || a.fields[1].name != "facility" ||
          a.fields[2].name != "severity")
        __builtin_trap();
    }
  } else if (st_b.ok() && st_i.ok()) {
    __builtin_trap();
  }
  return 0;
}
