// `patterns [from field]`: the templates of the messages, with how many match each and when the
// first and last were, most frequent first. `patterns tag`: every row with its template in a
// `pattern` field instead (the final template of its group, so rows are held until the end).
#include <algorithm>
#include <map>

#include "core/timestamp.h"
#include "query/patterns.h"
#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

class PatternsPipe final : public Pipe {
 public:
  PatternsPipe(std::string from, bool tag) : from_(std::move(from)), tag_(tag) {}
  std::string ToString() const override { return std::string("patterns") + (tag_ ? " tag" : "") + " from " + from_; }
  bool NeedsAllRows() const override { return true; }
  Reads FieldsRead(std::vector<std::string>* fields) const override {
    if (tag_) return Reads::kAll;
    fields->push_back(from_);
    return Reads::kOnly;
  }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return std::make_unique<Processor>(next, *this, ctx);
  }

 private:
  class Processor final : public PipeProcessor {
   public:
    Processor(PipeProcessor* next, const PatternsPipe& pipe, const PipeContext& ctx) : next_(next), pipe_(pipe), ctx_(ctx) {}
    bool Push(Row&& row) override {
      const std::string* msg = row.Find(pipe_.from_);
      size_t id = miner_.Add(msg ? *msg : std::string_view());
      if (id >= stats_.size()) stats_.resize(id + 1);
      auto& s = stats_[id];
      ++s.hits;
      s.first = std::min(s.first, row.time);
      s.last = std::max(s.last, row.time);
      size_t bytes = miner_.bytes() + stats_.size() * sizeof(Stat);
      if (pipe_.tag_) {
        for (const auto& f : row.fields) held_bytes_ += sizeof(Field) + f.name.size() + f.value.size();
        rows_.emplace_back(id, std::move(row));
        bytes += held_bytes_;
      }
      if (ctx_.max_memory_bytes && bytes > ctx_.max_memory_bytes) {
        if (ctx_.error && ctx_.error->ok())
          *ctx_.error = Status::ResourceExhausted("'patterns' needs more than " + std::to_string(ctx_.max_memory_bytes >> 20) +
                                                  " MiB (the server's --max-query-memory); narrow the query");
        return false;
      }
      return true;
    }
    void Finish() override {
      if (pipe_.tag_) {
        for (auto& [id, row] : rows_) {
          row.Set("pattern", miner_.Template(id));
          if (!next_->Push(std::move(row))) break;
        }
      } else {
        // Groups whose templates became the same text are one pattern.
        std::map<std::string, Stat> by_text;
        for (size_t id = 0; id < stats_.size(); ++id) {
          Stat& s = by_text[miner_.Template(id)];
          s.hits += stats_[id].hits;
          s.first = std::min(s.first, stats_[id].first);
          s.last = std::max(s.last, stats_[id].last);
        }
        std::vector<std::pair<std::string, Stat>> out_rows(by_text.begin(), by_text.end());
        std::stable_sort(out_rows.begin(), out_rows.end(), [](const auto& a, const auto& b) { return a.second.hits > b.second.hits; });
        for (auto& [text, s] : out_rows) {
          Row out;
          out.fields = {{"pattern", text},
                        {"hits", std::to_string(s.hits)},
                        {"first", FormatRfc3339Nano(s.first)},
                        {"last", FormatRfc3339Nano(s.last)}};
          if (!next_->Push(std::move(out))) break;
        }
      }
      next_->Finish();
    }

   private:
    struct Stat {
      uint64_t hits = 0;
      int64_t first = INT64_MAX, last = INT64_MIN;
    };
    PipeProcessor* next_;
    const PatternsPipe& pipe_;
    PipeContext ctx_;
    PatternMiner miner_;
    std::vector<Stat> stats_;
    std::vector<std::pair<size_t, Row>> rows_;
    size_t held_bytes_ = 0;
  };

  std::string from_;
  bool tag_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParsePatterns(PipeLexer& lex) {
  const bool tag = lex.Accept("tag");
  std::string from = "_msg";
  if (lex.Accept("from")) {
    ASSIGN_OR_RETURN(from, lex.ExpectName("a field name after 'from'"));
  }
  return std::unique_ptr<Pipe>(new PatternsPipe(std::move(from), tag));
}

}  // namespace sawlog::query::pipes
