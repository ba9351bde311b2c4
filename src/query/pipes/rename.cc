// `rename a as b, c as d` moves fields to new names (replacing what was there); `copy a as b`
// duplicates them.
#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

class RenamePipe final : public Pipe {
 public:
  RenamePipe(std::vector<std::pair<std::string, std::string>> pairs, bool copy) : pairs_(std::move(pairs)), copy_(copy) {}
  std::string ToString() const override {
    std::string s = copy_ ? "copy " : "rename ";
    for (size_t i = 0; i < pairs_.size(); ++i) s += (i ? ", " : "") + pairs_[i].first + " as " + pairs_[i].second;
    return s;
  }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return Map(next, [this](Row& row) {
      for (const auto& [from, to] : pairs_) {
        const std::string* v = row.Find(from);
        if (v == nullptr || from == to) continue;
        std::string value = *v;
        if (!copy_) row.Remove(from);
        row.Set(to, std::move(value));
      }
      return true;
    });
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  bool copy_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseRename(PipeLexer& lex, bool copy) {
  const char* name = copy ? "copy" : "rename";
  std::vector<std::pair<std::string, std::string>> pairs;
  do {
    ASSIGN_OR_RETURN(std::string from, lex.ExpectName(std::string("a field name after '") + name + "'"));
    RETURN_IF_ERROR(lex.Expect("as", std::string(name) + " " + from));
    ASSIGN_OR_RETURN(std::string to, lex.ExpectName("the new field name after 'as'"));
    pairs.emplace_back(std::move(from), std::move(to));
  } while (lex.Accept(","));
  return std::unique_ptr<Pipe>(new RenamePipe(std::move(pairs), copy));
}

}  // namespace sawlog::query::pipes
