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
  if (tokens.size() == 1 && !constant_) {
    variable_.emplace(tokens[0]);
    kind_ = KindOfVariable(tokens[0]);
  }
}

Result<bool> TemplateSearch::Match(TemplatedColumn& column, std::vector<uint8_t>* match) const {
  if (constant_) {
    // A value's tokens are its template's with a variable for each mark: tokens without digits
    // equal neither, so they match (in sequence, as whole tokens) in both or in neither.
    RETURN_IF_ERROR(column.ReadTemplates());
    const auto& ids = column.row_ids();
    std::vector<uint8_t> matches(column.templates().size());
    for (size_t t = 0; t < matches.size(); ++t)
      matches[t] = matcher_.Matches(OneField(node_->field, column.templates()[t]));
    match->assign(ids.size(), 0);
    for (size_t r = 0; r < ids.size(); ++r) (*match)[r] = ids[r] != TemplatedColumn::kAbsent && matches[ids[r]];
    return true;
  }
  // Format 5 keeps all variables in one stream, without row ends: its rows are tested rebuilt.
  if (!column.split()) return false;
  // A token with a digit is a whole variable of the value, of the token's kind, or not there at
  // all; the stream ends each variable and each row with bytes that are not token bytes, so a
  // whole-token hit is a whole variable, in the row whose line it is on. Hits are rare: lines are
  // counted only up to each.
  ASSIGN_OR_RETURN(std::string_view variables, column.Variables(kind_));
  const Presence& presence = column.presence();
  const size_t rows = column.rows();
  match->assign(rows, 0);
  size_t counted = 0, line = 0;  // row ends before `counted`
  size_t r = 0, before = 0;      // present rows before row r
  for (size_t pos = variable_->Find(variables, 0, true); pos != std::string_view::npos;
       pos = variable_->Find(variables, pos + 1, true)) {
    line += static_cast<size_t>(std::count(variables.begin() + static_cast<ptrdiff_t>(counted),
                                           variables.begin() + static_cast<ptrdiff_t>(pos), kRowEnd));
    counted = pos;
    for (; r < rows; ++r)
      if (presence.Has(r)) {
        if (before == line) break;
        ++before;
      }
    if (r == rows) return Status::Corruption("column: templated: more lines of variables than the block has rows");
    (*match)[r] = 1;
  }
  return true;
}

}  // namespace sawlog::query
