// `extract "<ip> - - [<_>] \"<method> <path> "` reads fields out of _msg (or `from field`) with a
// template: each literal is found after the previous one, and a placeholder takes the text
// between. Rows the template does not fit are left as they are.
#include "query/pipes/pipes.h"
#include "query/pipes/template.h"

namespace sawlog::query::pipes {

namespace {

class ExtractPipe final : public Pipe {
 public:
  ExtractPipe(std::string text, Template t, std::string from)
      : text_(std::move(text)), t_(std::move(t)), from_(std::move(from)) {}
  std::string ToString() const override { return "extract '" + text_ + "' from " + from_; }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return Map(next, [this](Row& row) {
      const std::string* source = row.Find(from_);
      if (source == nullptr) return true;
      std::string_view s = *source;
      // The first literal anchors nothing when empty; otherwise it must be found.
      size_t pos = s.find(t_.literals[0]);
      if (pos == std::string_view::npos) return true;
      pos += t_.literals[0].size();
      std::vector<std::pair<const std::string*, std::string>> got;
      for (size_t i = 0; i < t_.placeholders.size(); ++i) {
        const std::string& lit = t_.literals[i + 1];
        size_t end = lit.empty() ? s.size() : s.find(lit, pos);
        if (end == std::string_view::npos) return true;
        if (!t_.placeholders[i].empty()) got.emplace_back(&t_.placeholders[i], std::string(s.substr(pos, end - pos)));
        pos = end + lit.size();
      }
      for (auto& [name, value] : got) row.Set(*name, std::move(value));
      return true;
    });
  }

 private:
  std::string text_;
  Template t_;
  std::string from_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseExtract(PipeLexer& lex) {
  const PipeToken t = lex.Peek();
  if (t.kind != PipeToken::kString) return lex.Error("expected a quoted template like \"user=<user> \" after 'extract'");
  lex.Next();
  auto tmpl = ParseTemplate(t.text);
  if (!tmpl.ok()) return lex.ErrorAt(t, tmpl.status().message());
  if (tmpl->placeholders.empty()) return lex.ErrorAt(t, "the template has no <field> to extract");
  std::string from = "_msg";
  if (lex.Accept("from")) {
    ASSIGN_OR_RETURN(from, lex.ExpectName("a field name after 'from'"));
  }
  return std::unique_ptr<Pipe>(new ExtractPipe(t.text, std::move(tmpl).value(), std::move(from)));
}

}  // namespace sawlog::query::pipes
