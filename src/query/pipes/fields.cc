// `fields a, b` keeps only the named fields (in that order); `drop a, b` removes them. A name
// ending in `*` stands for every field with that prefix.
#include <algorithm>

#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

bool NameMatches(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with('*')) return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

class FieldsPipe final : public Pipe {
 public:
  FieldsPipe(std::vector<std::string> names, bool drop) : names_(std::move(names)), drop_(drop) {}
  std::string ToString() const override {
    std::string s = drop_ ? "drop " : "fields ";
    for (size_t i = 0; i < names_.size(); ++i) s += (i ? ", " : "") + names_[i];
    return s;
  }
  Reads FieldsRead(std::vector<std::string>* fields) const override {
    if (drop_ || std::any_of(names_.begin(), names_.end(), [](const std::string& n) { return n.ends_with('*'); }))
      return Reads::kAll;
    fields->insert(fields->end(), names_.begin(), names_.end());
    return Reads::kOnly;
  }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return Map(next, [this](Row& row) {
      if (drop_) {
        std::erase_if(row.fields, [&](const Field& f) {
          return std::any_of(names_.begin(), names_.end(), [&](const std::string& p) { return NameMatches(p, f.name); });
        });
        return true;
      }
      std::vector<Field> kept;
      for (const auto& p : names_)
        for (auto& f : row.fields)
          if (NameMatches(p, f.name) &&
              std::none_of(kept.begin(), kept.end(), [&](const Field& k) { return k.name == f.name; }))
            kept.push_back(std::move(f));
      row.fields = std::move(kept);
      return true;
    });
  }

 private:
  std::vector<std::string> names_;
  bool drop_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseFields(PipeLexer& lex, bool drop) {
  ASSIGN_OR_RETURN(auto names, ParseFieldList(lex, drop ? "drop" : "fields"));
  if (names.empty()) return lex.Error(std::string("expected at least one field name after '") + (drop ? "drop" : "fields") + "'");
  return std::unique_ptr<Pipe>(new FieldsPipe(std::move(names), drop));
}

}  // namespace sawlog::query::pipes
