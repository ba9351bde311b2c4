#include "query/template_search.h"

#include <algorithm>

#include "store/templated.h"

namespace sawlog::query {

namespace {

// One field's value, as the matcher reads a row.
class OneField final : public RowView {
 public:
  OneField(std::string_view name, std::string_view value) : name_(name), value_(value) {}
  int64_t time() const override { return 0; }
  std::optional<std::string_view> Find(std::string_view name) const override {
    return name == name_ ? std::optional<std::string_view>(value_) : std::nullopt;
  }
  void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const override {
    fn(name_, value_);
  }

 private:
  std::string_view name_, value_;
};

}  // namespace

std::unique_ptr<TemplateSearch> TemplateSearch::For(const Node* root) {
  // A prefix may start a variable (`blk*`), and a phrase without tokens is a substring: neither
  // is decided by templates.
  if ((root->kind != NodeKind::kWord && root->kind != NodeKind::kPhrase) || root->tokens.empty()) return nullptr;
  auto search = std::unique_ptr<TemplateSearch>(new TemplateSearch(root));
  if (!search->constant_ && !search->variable_) return nullptr;
  return search;
}

TemplateSearch::TemplateSearch(const Node* node) : node_(node), matcher_(node) {
  const auto& tokens = node->tokens;
  constant_ = std::none_of(tokens.begin(), tokens.end(), IsVariableToken);
  if (tokens.size() == 1 && !constant_) variable_.emplace(tokens[0]);
}

Result<bool> TemplateSearch::Match(TemplatedColumn& column, std::vector<uint8_t>* match) const {
  const auto& ids = column.row_ids();
  match->assign(ids.size(), 0);
  if (constant_) {
    // A value's tokens are its template's with a variable for each "0": tokens without digits
    // equal neither, so they match (in sequence, as whole tokens) in both or in neither.
    std::vector<uint8_t> matches(column.templates().size());
    for (size_t t = 0; t < matches.size(); ++t)
      matches[t] = matcher_.Matches(OneField(node_->field, column.templates()[t]));
    for (size_t r = 0; r < ids.size(); ++r) (*match)[r] = ids[r] != TemplatedColumn::kAbsent && matches[ids[r]];
    return true;
  }
  // A token with a digit is a whole variable of the value or not there at all; the variables
  // stand one per line, so a whole-token hit is a whole variable. Hits are rare: rows are found
  // only for them, by counting the variables before each hit against the rows' counts.
  ASSIGN_OR_RETURN(std::string_view variables, column.Variables());
  const auto& marks = column.marks();
  size_t pos = variable_->Find(variables, 0, true);
  size_t counted = 0, index = 0;  // variables ending before `counted`
  size_t r = 0, row_end = 0;      // row r's variables end before variable row_end
  auto row_vars = [&](size_t row) { return ids[row] == TemplatedColumn::kAbsent ? 0 : marks[ids[row]]; };
  if (!ids.empty()) row_end = row_vars(0);
  while (pos != std::string_view::npos) {
    index += static_cast<size_t>(std::count(variables.begin() + static_cast<ptrdiff_t>(counted),
                                            variables.begin() + static_cast<ptrdiff_t>(pos), kVariableEnd));
    counted = pos;
    while (r < ids.size() && row_end <= index) row_end += ++r < ids.size() ? row_vars(r) : 0;
    if (r >= ids.size()) return Status::Corruption("column: templated: more variables than the rows hold");
    (*match)[r] = 1;
    pos = variable_->Find(variables, pos + 1, true);
  }
  return true;
}

}  // namespace sawlog::query
