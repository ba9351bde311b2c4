// `sort by (a desc, b)`: all rows, ordered by the fields; numbers compare as numbers, other
// values as text, and a missing field sorts first.
#include <algorithm>

#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

struct SortKey {
  std::string field;
  bool desc = false;
};

// -1, 0, 1
int CompareValues(const std::string* a, const std::string* b) {
  if (a == nullptr || b == nullptr) return (a != nullptr) - (b != nullptr);
  double x, y;
  if (ParseNumberText(*a, &x) && ParseNumberText(*b, &y)) return (x > y) - (x < y);
  int c = a->compare(*b);
  return (c > 0) - (c < 0);
}

class SortPipe final : public Pipe {
 public:
  explicit SortPipe(std::vector<SortKey> keys) : keys_(std::move(keys)) {}
  std::string ToString() const override {
    std::string s = "sort by (";
    for (size_t i = 0; i < keys_.size(); ++i) s += (i ? ", " : "") + keys_[i].field + (keys_[i].desc ? " desc" : "");
    return s + ")";
  }
  bool NeedsAllRows() const override { return true; }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return std::make_unique<Processor>(next, keys_, ctx);
  }

 private:
  class Processor final : public PipeProcessor {
   public:
    Processor(PipeProcessor* next, const std::vector<SortKey>& keys, const PipeContext& ctx)
        : next_(next), keys_(keys), ctx_(ctx) {}
    bool Push(Row&& row) override {
      for (const auto& f : row.fields) bytes_ += sizeof(Field) + f.name.size() + f.value.size();
      if (ctx_.max_memory_bytes && bytes_ > ctx_.max_memory_bytes) {
        if (ctx_.error && ctx_.error->ok())
          *ctx_.error = Status::ResourceExhausted("'sort' needs more than " + std::to_string(ctx_.max_memory_bytes >> 20) +
                                                  " MiB for its rows (the server's --max-query-memory); narrow the query or sort fewer fields");
        return false;
      }
      rows_.push_back(std::move(row));
      return true;
    }
    void Finish() override {
      std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) {
        for (const auto& k : keys_) {
          int c = CompareValues(a.Find(k.field), b.Find(k.field));
          if (c != 0) return k.desc ? c > 0 : c < 0;
        }
        return false;
      });
      for (auto& r : rows_)
        if (!next_->Push(std::move(r))) break;
      rows_.clear();
      next_->Finish();
    }

   private:
    PipeProcessor* next_;
    const std::vector<SortKey>& keys_;
    PipeContext ctx_;
    std::vector<Row> rows_;
    size_t bytes_ = 0;
  };
  std::vector<SortKey> keys_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseSort(PipeLexer& lex) {
  RETURN_IF_ERROR(lex.Expect("by", "sort"));
  RETURN_IF_ERROR(lex.Expect("(", "sort by"));
  std::vector<SortKey> keys;
  do {
    SortKey k;
    ASSIGN_OR_RETURN(k.field, lex.ExpectName("a field name in 'sort by'"));
    if (lex.Accept("desc")) k.desc = true;
    else lex.Accept("asc");
    keys.push_back(std::move(k));
  } while (lex.Accept(","));
  RETURN_IF_ERROR(lex.Expect(")", "sort by (" + keys.back().field));
  return std::unique_ptr<Pipe>(new SortPipe(std::move(keys)));
}

}  // namespace sawlog::query::pipes
