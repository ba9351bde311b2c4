// `limit N` (or `head N`) passes the first N rows and stops the query; `offset N` skips N.
#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

class LimitPipe final : public Pipe {
 public:
  LimitPipe(uint64_t n, bool offset) : n_(n), offset_(offset) {}
  std::string ToString() const override { return (offset_ ? "offset " : "limit ") + std::to_string(n_); }
  size_t RowLimit() const override { return offset_ ? static_cast<size_t>(-1) : n_; }
  size_t RowsSkipped() const override { return offset_ ? n_ : 0; }
  Reads FieldsRead(std::vector<std::string>*) const override { return Reads::kPassThrough; }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return std::make_unique<Processor>(next, n_, offset_);
  }

 private:
  class Processor final : public PipeProcessor {
   public:
    Processor(PipeProcessor* next, uint64_t n, bool offset) : next_(next), n_(n), offset_(offset) {}
    bool Push(Row&& row) override {
      if (offset_) {
        if (seen_++ < n_) return true;
        return next_->Push(std::move(row));
      }
      if (seen_ >= n_) return false;
      ++seen_;
      return next_->Push(std::move(row)) && seen_ < n_;
    }
    void Finish() override { next_->Finish(); }

   private:
    PipeProcessor* next_;
    uint64_t n_, seen_ = 0;
    bool offset_;
  };
  uint64_t n_;
  bool offset_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseLimit(PipeLexer& lex) {
  ASSIGN_OR_RETURN(uint64_t n, lex.ExpectCount("the number of rows after 'limit'"));
  return std::unique_ptr<Pipe>(new LimitPipe(n, false));
}

Result<std::unique_ptr<Pipe>> ParseOffset(PipeLexer& lex) {
  ASSIGN_OR_RETURN(uint64_t n, lex.ExpectCount("the number of rows to skip after 'offset'"));
  return std::unique_ptr<Pipe>(new LimitPipe(n, true));
}

}  // namespace sawlog::query::pipes
