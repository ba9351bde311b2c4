// `parse json`, `parse logfmt from payload`, `parse syslog`, …: any line format sawlog reads
// (docs/parsers.md) applied at query time to _msg or a field; the fields it finds are added to
// the row (replacing fields of the same name). Rows it cannot parse are left as they are.
#include "parse/line_parser.h"
#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

class ParsePipe final : public Pipe {
 public:
  ParsePipe(std::string format, std::string from) : format_(std::move(format)), from_(std::move(from)) {}
  std::string ToString() const override { return "parse " + format_ + " from " + from_; }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    auto parser = MakeLineParser(format_);  // known: checked when the query was parsed
    std::shared_ptr<LineParser> p = parser.ok() ? std::move(parser).value() : nullptr;
    return Map(next, [this, p, now = ctx.now_ns, parsed = std::make_shared<ParsedLine>()](Row& row) {
      const std::string* source = row.Find(from_);
      if (source == nullptr || p == nullptr) return true;
      ParseContext pc;
      pc.now = now;
      if (!p->Parse(*source, pc, parsed.get()).ok()) return true;
      for (auto& f : parsed->fields) row.Set(f.name, std::move(f.value));
      return true;
    });
  }

 private:
  std::string format_;
  std::string from_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseParse(PipeLexer& lex) {
  const PipeToken name = lex.Peek();
  ASSIGN_OR_RETURN(std::string format, lex.ExpectName("a format after 'parse', e.g. json or logfmt"));
  if (!MakeLineParser(format).ok()) {
    std::string known;
    for (auto n : LineParserNames()) known += (known.empty() ? "" : ", ") + std::string(n);
    return lex.ErrorAt(name, "unknown format '" + format + "'; known: " + known);
  }
  std::string from = "_msg";
  if (lex.Accept("from")) {
    ASSIGN_OR_RETURN(from, lex.ExpectName("a field name after 'from'"));
  }
  return std::unique_ptr<Pipe>(new ParsePipe(std::move(format), std::move(from)));
}

}  // namespace sawlog::query::pipes
