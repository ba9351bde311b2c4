// `top 10 by (path)`: the most frequent values (with a `hits` count), most frequent first;
// `uniq by (host, level)`: the distinct combinations, in order.
#include <algorithm>
#include <unordered_map>

#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

class TopPipe final : public Pipe {
 public:
  TopPipe(uint64_t n, std::vector<std::string> fields, bool uniq) : n_(n), fields_(std::move(fields)), uniq_(uniq) {}
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
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return std::make_unique<Processor>(next, *this, ctx);
  }

 private:
  class Processor final : public PipeProcessor {
   public:
    Processor(PipeProcessor* next, const TopPipe& pipe, const PipeContext& ctx) : next_(next), pipe_(pipe), ctx_(ctx) {}
    bool Push(Row&& row) override {
      std::string key;
      for (const auto& f : pipe_.fields_) {
        if (const std::string* v = row.Find(f)) key += *v;
        key.push_back('\0');
      }
      auto [it, fresh] = counts_.try_emplace(std::move(key), 0);
      ++it->second;
      if (fresh) {
        bytes_ += it->first.size() + 48;
        order_.push_back(&it->first);
      }
      if (ctx_.max_memory_bytes && bytes_ > ctx_.max_memory_bytes) {
        if (ctx_.error && ctx_.error->ok())
          *ctx_.error = Status::ResourceExhausted(std::string("'") + (pipe_.uniq_ ? "uniq" : "top") + "' needs more than " +
                                                  std::to_string(ctx_.max_memory_bytes >> 20) +
                                                  " MiB for its values (the server's --max-query-memory)");
        return false;
      }
      return true;
    }
    void Finish() override {
      std::vector<std::pair<const std::string*, uint64_t>> rows;
      for (const std::string* k : order_) rows.emplace_back(k, counts_[*k]);
      // Most frequent first (top) and then by value, so that the answer does not depend on the
      // order the scan met the rows in.
      std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        if (!pipe_.uniq_ && a.second != b.second) return a.second > b.second;
        return *a.first < *b.first;
      });
      if (!pipe_.uniq_ && rows.size() > pipe_.n_) rows.resize(pipe_.n_);
      for (const auto& [key, hits] : rows) {
        Row out;
        size_t start = 0;
        for (const auto& f : pipe_.fields_) {
          size_t end = key->find('\0', start);
          out.fields.push_back({f, key->substr(start, end - start)});
          start = end + 1;
        }
        if (!pipe_.uniq_) out.fields.push_back({"hits", std::to_string(hits)});
        if (!next_->Push(std::move(out))) break;
      }
      next_->Finish();
    }

   private:
    PipeProcessor* next_;
    const TopPipe& pipe_;
    PipeContext ctx_;
    std::unordered_map<std::string, uint64_t> counts_;
    std::vector<const std::string*> order_;
    size_t bytes_ = 0;
  };
  uint64_t n_;
  std::vector<std::string> fields_;
  bool uniq_;
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
