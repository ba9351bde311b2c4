// `format "<method> <path> took <duration>s" as summary`: a field made from a template; a
// missing field is written as nothing.
#include "query/pipes/pipes.h"
#include "query/pipes/template.h"

namespace sawlog::query::pipes {

namespace {

class FormatPipe final : public Pipe {
 public:
  FormatPipe(std::string text, Template t, std::string as) : text_(std::move(text)), t_(std::move(t)), as_(std::move(as)) {}
  std::string ToString() const override { return "format '" + text_ + "' as " + as_; }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return Map(next, [this](Row& row) {
      std::string out = t_.literals[0];
      for (size_t i = 0; i < t_.placeholders.size(); ++i) {
        if (const std::string* v = row.Find(t_.placeholders[i])) out += *v;
        out += t_.literals[i + 1];
      }
      row.Set(as_, std::move(out));
      return true;
    });
  }

 private:
  std::string text_;
  Template t_;
  std::string as_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseFormat(PipeLexer& lex) {
  const PipeToken t = lex.Peek();
  if (t.kind != PipeToken::kString) return lex.Error("expected a quoted template like \"<host>:<port>\" after 'format'");
  lex.Next();
  auto tmpl = ParseTemplate(t.text);
  if (!tmpl.ok()) return lex.ErrorAt(t, tmpl.status().message());
  RETURN_IF_ERROR(lex.Expect("as", "format \"...\""));
  ASSIGN_OR_RETURN(std::string as, lex.ExpectName("the new field's name after 'as'"));
  return std::unique_ptr<Pipe>(new FormatPipe(t.text, std::move(tmpl).value(), std::move(as)));
}

}  // namespace sawlog::query::pipes
