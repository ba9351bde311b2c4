// klog / glog lines, as Kubernetes components write them:
//   I0101 12:00:00.123456   1234 file.go:42] the message
//   Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg      (L: I, W, E or F)
// The header has no year and no time zone: the year is inferred from the context's "now", the
// time read at its UTC offset. Field names follow OpenTelemetry's (thread.id, code.filepath,
// code.lineno).
#include <string>

#include "core/timestamp.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

constexpr std::string_view kName = "klog";

class KlogParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    if (line.empty()) return LineError(kName, 0, "empty line");
    std::string_view severity;
    switch (line[0]) {
      case 'I': severity = "info"; break;
      case 'W': severity = "warning"; break;
      case 'E': severity = "error"; break;
      case 'F': severity = "fatal"; break;
      default: return LineError(kName, 0, "expected the severity letter I, W, E or F");
    }
    // "MMDD hh:mm:ss.uuuuuu": up to the second space.
    size_t end = line.find(' ', 1);
    if (end != std::string_view::npos) end = line.find(' ', end + 1);
    if (end == std::string_view::npos) return LineError(kName, 1, "expected 'MMDD hh:mm:ss.uuuuuu' and a space");
    auto time = ParseKlogTime(line.substr(1, end - 1), ctx.now, ctx.utc_offset_seconds);
    if (!time.ok()) return LineError(kName, 1, time.status().message());
    out->time = time.value();
    out->fields.push_back({"severity", std::string(severity)});

    // The thread id, right-aligned in a padded column.
    size_t pos = end;
    while (pos < line.size() && line[pos] == ' ') ++pos;
    size_t start = pos;
    while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9') ++pos;
    if (pos == start || pos >= line.size() || line[pos] != ' ')
      return LineError(kName, start, "expected the thread id and a space");
    out->fields.push_back({"thread.id", std::string(line.substr(start, pos - start))});

    // file:line]
    start = ++pos;
    size_t close = line.find(']', pos);
    if (close == std::string_view::npos) return LineError(kName, start, "expected 'file:line]'");
    std::string_view source = line.substr(start, close - start);
    size_t colon = source.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == source.size())
      return LineError(kName, start, "expected 'file:line]'");
    for (char c : source.substr(colon + 1))
      if (c < '0' || c > '9') return LineError(kName, start + colon + 1, "expected a line number before ']'");
    out->fields.push_back({"code.filepath", std::string(source.substr(0, colon))});
    out->fields.push_back({"code.lineno", std::string(source.substr(colon + 1))});

    pos = close + 1;
    if (pos < line.size() && line[pos] == ' ') ++pos;
    out->msg.emplace(line.substr(pos));
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<LineParser> MakeKlogParser() { return std::make_unique<KlogParser>(); }

}  // namespace sawlog
