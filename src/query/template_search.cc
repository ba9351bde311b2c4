#include "query/template_search.h"

#include <algorithm>

#include "store/templated.h"

namespace sawlog::query {

namespace {

bool HasDigit(std::string_view token) {
  return std::any_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

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
  constant_ = std::none_of(tokens.begin(), tokens.end(), HasDigit);
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
  // stand one per line, so a whole-token hit is a whole variable.
  ASSIGN_OR_RETURN(std::string_view variables, column.Variables());
  thread_local std::vector<size_t> ends;
  RETURN_IF_ERROR(column.VariableEnds(&ends));
  size_t pos = 0, r = 0;
  while ((pos = variable_->Find(variables, pos, true)) != std::string_view::npos) {
    r = static_cast<size_t>(std::upper_bound(ends.begin() + static_cast<ptrdiff_t>(r), ends.end(), pos) - ends.begin());
    if (r >= ids.size()) break;
    (*match)[r] = 1;
    pos = ends[r];
  }
  return true;
}

}  // namespace sawlog::query
