// `where FILTER` filters rows after the pipes before it, with the filter language of queries
// (on fields that extraction or stats made, too).
#include "query/pipes/pipes.h"
#include "query/query.h"

namespace sawlog::query::pipes {

namespace {

class WherePipe final : public Pipe {
 public:
  explicit WherePipe(std::unique_ptr<Node> filter) : filter_(std::move(filter)), matcher_(filter_.get()) {}
  std::string ToString() const override { return "where " + filter_->ToString(); }
  Reads FieldsRead(std::vector<std::string>* fields) const override {
    CollectFilterFields(*filter_, fields);
    return Reads::kPassThrough;
  }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return Map(next, [this](Row& row) { return matcher_.Matches(RowOfPipe(row)); });
  }

 private:
  std::unique_ptr<Node> filter_;
  Matcher matcher_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseWhere(std::string_view query, PipeLexer& lex, int64_t now_ns) {
  size_t offset = 0;
  std::string_view text = lex.Rest(&offset);
  if (lex.AtEnd()) return lex.Error("expected a filter after 'where'");
  ASSIGN_OR_RETURN(auto filter, ParseFilter(query, offset, text, now_ns));
  while (!lex.AtEnd()) lex.Next();
  return std::unique_ptr<Pipe>(new WherePipe(std::move(filter)));
}

}  // namespace sawlog::query::pipes
