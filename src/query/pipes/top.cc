// `top 10 by (path)`: the most frequent values with a `hits` count, most frequent first (ties by
// value); `uniq by (host, level)`: the distinct combinations, in order. Both are the stats fold.
#include "query/pipes/pipes.h"
#include "query/pipes/stats.h"

namespace sawlog::query::pipes {

namespace {

class TopPipe final : public Pipe {
 public:
  TopPipe(uint64_t n, std::vector<std::string> fields, bool uniq) : n_(n), fields_(std::move(fields)), uniq_(uniq) {
    for (const auto& f : fields_) spec_.keys.push_back({f, 0});
    if (!uniq_) {
      spec_.funcs.push_back({Func::kCount, "", 0.5, "hits"});
      spec_.by_count = true;
      spec_.max_groups = n_;
    }
  }
  std::string ToString() const override {
    std::string s = uniq_ ? "uniq by (" : "top " + std::to_string(n_) + " by (";
    for (size_t i = 0; i < fields_.size(); ++i) s += (i ? ", " : "") + fields_[i];
    return s + ")";
  }
  bool NeedsAllRows() const override { return true; }
  Reads FieldsRead(std::vector<std::string>* fields) const override {
    fields->insert(fields->end(), fields_.begin(), fields_.end());
    return Reads::kOnly;
  }
  std::unique_ptr<Fold> StartFold(const PipeContext& ctx) const override { return StartStatsFold(spec_, ctx); }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return FoldRows(StartFold(ctx), next);
  }

 private:
  uint64_t n_;
  std::vector<std::string> fields_;
  bool uniq_;
  StatsSpec spec_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseTop(PipeLexer& lex) {
  uint64_t n = 10;
  if (lex.Peek().kind == PipeToken::kNumber) {
    ASSIGN_OR_RETURN(n, lex.ExpectCount("how many values after 'top'"));
  }
  RETURN_IF_ERROR(lex.Expect("by", "top " + std::to_string(n)));
  ASSIGN_OR_RETURN(auto fields, ParseFieldList(lex, "top by"));
  if (fields.empty()) return lex.Error("expected at least one field in 'top by (...)'");
  return std::unique_ptr<Pipe>(new TopPipe(n, std::move(fields), false));
}

Result<std::unique_ptr<Pipe>> ParseUniq(PipeLexer& lex) {
  RETURN_IF_ERROR(lex.Expect("by", "uniq"));
  ASSIGN_OR_RETURN(auto fields, ParseFieldList(lex, "uniq by"));
  if (fields.empty()) return lex.Error("expected at least one field in 'uniq by (...)'");
  return std::unique_ptr<Pipe>(new TopPipe(0, std::move(fields), true));
}

}  // namespace sawlog::query::pipes
