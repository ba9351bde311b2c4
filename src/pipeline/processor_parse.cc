// parse: applies a line parser from the registry (src/parse), with its options, to a field.
#include <algorithm>
#include <mutex>

#include "parse/line_parser.h"
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"format", OptionType::kString, true, {}, "the parser's name (docs/parsers.md)"},
    {"field", OptionType::kString, false, "_msg", "the field holding the text to parse"},
    {"options", OptionType::kMap, false, {}, "the parser's options (docs/parsers.md): `pattern`, `time_format`, ..."},
    {"zone", OptionType::kString, false, {}, "the IANA time zone of times written without one (default UTC)"},
};

inline constexpr std::string_view kParseErrorField = "parse_error";

class ParseProcessor final : public Processor {
 public:
  ParseProcessor(std::string format, ParserOptions options, std::string field, std::shared_ptr<const TimeZone> zone)
      : format_(std::move(format)), options_(std::move(options)), field_(std::move(field)), zone_(std::move(zone)) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    std::unique_ptr<LineParser> parser = Take();
    ParsedLine parsed;
    for (Record* r : records) {
      Event& e = r->event;
      const std::string* text = GetField(e, field_);
      if (text == nullptr) continue;  // nothing to parse is not a parse error
      Status st = parser->Parse(*text, ParseContext{.now = e.ingest_time, .zone = zone_.get()}, &parsed);
      if (!st.ok()) {
        // Kept, never dropped silently: the error is searchable next to the raw text.
        SetField(&e, kParseErrorField, st.message());
        continue;
      }
      for (auto& f : parsed.fields) SetField(&e, f.name, std::move(f.value));
      if (parsed.time) e.time = *parsed.time;
      if (parsed.msg) e.msg = std::move(*parsed.msg);
    }
    Give(std::move(parser));
  }

  // Parsers are not thread-safe and keep buffers: a few are kept for the threads that run
  // this processor at once.
  std::unique_ptr<LineParser> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto p = std::move(idle_.back());
        idle_.pop_back();
        return p;
      }
    }
    return std::move(MakeLineParser(format_, options_).value());  // checked at load
  }
  void Give(std::unique_ptr<LineParser> p) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(p));
  }

 private:
  const std::string format_;
  const ParserOptions options_;
  const std::string field_;
  const std::shared_ptr<const TimeZone> zone_;  // null: UTC
  std::mutex mu_;
  std::vector<std::unique_ptr<LineParser>> idle_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  const ParserOptions& options = o.Map("options");
  auto parser = MakeLineParser(o.String("format"), options);
  if (!parser.ok()) {
    auto names = LineParserNames();
    const bool known = std::find(names.begin(), names.end(), o.String("format")) != names.end();
    return o.Error(known ? "options" : "format", parser.status().message());
  }
  std::shared_ptr<const TimeZone> zone;
  if (o.Given("zone")) {
    auto z = LoadTimeZone(o.String("zone"));
    if (!z.ok()) return o.Error("zone", z.status().message());
    zone = std::move(z).value();
  }
  auto p = std::make_unique<ParseProcessor>(o.String("format"), options, o.String("field"), std::move(zone));
  p->Give(std::move(parser).value());
  return std::unique_ptr<Processor>(std::move(p));
}

}  // namespace

const ProcessorType kParseType{
    "parse", "parses a field with a line parser: fields merged, _msg and the time set when the parser gives them",
    kOptions, Make};

}  // namespace sawlog::pipeline
