// parse: applies a line parser from the registry (src/parse) to a field.
#include <mutex>

#include "parse/line_parser.h"
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"format", OptionType::kString, true, {}, "the parser's name (docs/parsers.md)"},
    {"field", OptionType::kString, false, "_msg", "the field holding the text to parse"},
};

inline constexpr std::string_view kParseErrorField = "parse_error";

class ParseProcessor final : public Processor {
 public:
  ParseProcessor(std::string format, std::string field) : format_(std::move(format)), field_(std::move(field)) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    std::unique_ptr<LineParser> parser = Take();
    ParsedLine parsed;
    for (Record* r : records) {
      Event& e = r->event;
      const std::string* text = GetField(e, field_);
      if (text == nullptr) continue;  // nothing to parse is not a parse error
      Status st = parser->Parse(*text, ParseContext{.now = e.ingest_time}, &parsed);
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
    return std::move(MakeLineParser(format_).value());  // the name was checked at load
  }
  void Give(std::unique_ptr<LineParser> p) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(p));
  }

 private:
  const std::string format_;
  const std::string field_;
  std::mutex mu_;
  std::vector<std::unique_ptr<LineParser>> idle_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  auto parser = MakeLineParser(o.String("format"));
  if (!parser.ok()) return o.Error("format", parser.status().message());
  auto p = std::make_unique<ParseProcessor>(o.String("format"), o.String("field"));
  p->Give(std::move(parser).value());
  return std::unique_ptr<Processor>(std::move(p));
}

}  // namespace

const ProcessorType kParseType{
    "parse", "parses a field with a line parser: fields merged, _msg and the time set when the parser gives them",
    kOptions, Make};

}  // namespace sawlog::pipeline
