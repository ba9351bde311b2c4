// `field_names`: every field name of the matching rows with how many rows have it, by name
// (what a UI lists beside the results to filter on).
#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

class NamesPart final : public RowFold::Part {
 public:
  bool Add(const RowView& row) override {
    row.ForEachField([&](std::string_view name, std::string_view) {
      auto it = counts_.find(name);
      if (it == counts_.end()) it = counts_.emplace(std::string(name), 0).first;
      ++it->second;
    });
    return true;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> counts_;

 public:
  auto& table() { return counts_; }
};

class NamesFold final : public Fold {
 public:
  std::unique_ptr<Part> NewPart() override { return std::make_unique<NamesPart>(); }
  void Merge(std::unique_ptr<Part> part) override {
    for (auto& [name, n] : static_cast<NamesPart&>(*part).table()) counts_[name] += n;
  }
  void Emit(PipeProcessor* next) override {
    std::vector<std::pair<std::string, uint64_t>> rows(counts_.begin(), counts_.end());
    std::sort(rows.begin(), rows.end());
    for (auto& [name, n] : rows) {
      Row r;
      r.fields = {{"name", name}, {"hits", std::to_string(n)}};
      if (!next->Push(std::move(r))) break;
    }
    next->Finish();
  }

 private:
  std::unordered_map<std::string, uint64_t> counts_;
};

class FieldNamesPipe final : public Pipe {
 public:
  std::string ToString() const override { return "field_names"; }
  bool NeedsAllRows() const override { return true; }
  std::unique_ptr<Fold> StartFold(const PipeContext&) const override { return std::make_unique<NamesFold>(); }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return FoldRows(StartFold(ctx), next);
  }
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseFieldNames(PipeLexer&) { return std::unique_ptr<Pipe>(new FieldNamesPipe); }

}  // namespace sawlog::query::pipes
