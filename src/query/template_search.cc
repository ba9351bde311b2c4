#include "query/template_search.h"

#include <algorithm>

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

struct TemplateSearch::Term {
  enum class Kind { kTrue, kAnd, kOr, kNot, kConstant, kVariable };
  Kind kind = Kind::kTrue;
  const Node* node = nullptr;
  std::unique_ptr<Matcher> matcher;  // kConstant: the word or phrase, run on templates
  std::optional<TokenSearch> search;  // kVariable
  VariableKind variable_kind = VariableKind::kDigits;
  bool reads_variables = false;  // it or a term under it is kVariable
  std::vector<Term> children;
};

TemplateSearch::TemplateSearch() = default;
TemplateSearch::~TemplateSearch() = default;

std::unique_ptr<TemplateSearch> TemplateSearch::For(const Node* root) {
  std::unique_ptr<TemplateSearch> search(new TemplateSearch);
  search->root_ = std::make_unique<Term>();
  if (!Compile(*root, true, &search->field_, search->root_.get()) || search->field_.empty()) return nullptr;
  search->reads_variables_ = search->root_->reads_variables;
  return search;
}

// conjunct: n is ANDed at the top, where the scan applies time ranges and stream selectors
// itself (NarrowTimeRange, CollectStreamSelectors). *field: the one field the words are on.
bool TemplateSearch::Compile(const Node& n, bool conjunct, std::string* field, Term* out) {
  out->node = &n;
  switch (n.kind) {
    case NodeKind::kAll:
      out->kind = Term::Kind::kTrue;
      return true;
    case NodeKind::kTime:
    case NodeKind::kStream:
      out->kind = Term::Kind::kTrue;
      return conjunct;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot: {
      out->kind = n.kind == NodeKind::kAnd ? Term::Kind::kAnd : n.kind == NodeKind::kOr ? Term::Kind::kOr : Term::Kind::kNot;
      out->children.resize(n.children.size());
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (!Compile(*n.children[i], conjunct && n.kind == NodeKind::kAnd, field, &out->children[i])) return false;
        out->reads_variables |= out->children[i].reads_variables;
      }
      // Terms decided from the templates first: an AND left with no row, or an OR with every
      // row, then never decompresses the variables.
      std::stable_partition(out->children.begin(), out->children.end(), [](const Term& t) { return !t.reads_variables; });
      return true;
    }
    case NodeKind::kWord:
    case NodeKind::kPhrase: {
      // A phrase without tokens is a substring, which templates do not decide.
      if (n.tokens.empty() || (!field->empty() && *field != n.field)) return false;
      *field = n.field;
      if (std::none_of(n.tokens.begin(), n.tokens.end(), IsVariableToken)) {
        // A value's tokens are its template's with a variable for each mark: tokens without
        // digits equal neither, so they match (in sequence, as whole tokens) in both or in neither.
        out->kind = Term::Kind::kConstant;
        out->matcher = std::make_unique<Matcher>(&n);
        return true;
      }
      if (n.tokens.size() != 1) return false;
      out->kind = Term::Kind::kVariable;
      out->search.emplace(n.tokens[0]);
      out->variable_kind = KindOfVariable(n.tokens[0]);
      out->reads_variables = true;
      return true;
    }
    default:  // prefixes (`blk*` may start a variable), exact, regex and numeric filters
      return false;
  }
}

Result<bool> TemplateSearch::Match(TemplatedColumn& column, std::vector<uint8_t>* match) const {
  // Format 5 keeps all variables in one stream, without row ends: its rows are tested rebuilt.
  if (reads_variables_ && !column.split()) return false;
  RETURN_IF_ERROR(Eval(*root_, column, match));
  return true;
}

Status TemplateSearch::Eval(const Term& t, TemplatedColumn& column, std::vector<uint8_t>* rows) {
  const size_t n = column.rows();
  switch (t.kind) {
    case Term::Kind::kTrue:
      rows->assign(n, 1);
      return Status::Ok();
    case Term::Kind::kNot:
      RETURN_IF_ERROR(Eval(t.children[0], column, rows));
      for (auto& r : *rows) r = !r;
      return Status::Ok();
    case Term::Kind::kAnd:
    case Term::Kind::kOr: {
      const bool all = t.kind == Term::Kind::kAnd;
      std::vector<uint8_t> child;
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i == 0) {
          RETURN_IF_ERROR(Eval(t.children[0], column, rows));
        } else {
          // Decided already for every row: an AND with none left, an OR with all.
          if (std::all_of(rows->begin(), rows->end(), [&](uint8_t r) { return r == (all ? 0 : 1); })) break;
          RETURN_IF_ERROR(Eval(t.children[i], column, &child));
          for (size_t r = 0; r < n; ++r) (*rows)[r] = all ? (*rows)[r] & child[r] : (*rows)[r] | child[r];
        }
      }
      return Status::Ok();
    }
    case Term::Kind::kConstant: {
      RETURN_IF_ERROR(column.ReadTemplates());
      const auto& ids = column.row_ids();
      const auto& templates = column.templates();
      std::vector<uint8_t> matches(templates.size());
      for (size_t i = 0; i < matches.size(); ++i)
        matches[i] = t.matcher->Matches(OneField(t.node->field, templates[i]));
      rows->assign(n, 0);
      for (size_t r = 0; r < n; ++r) (*rows)[r] = ids[r] != TemplatedColumn::kAbsent && matches[ids[r]];
      return Status::Ok();
    }
    case Term::Kind::kVariable: {
      // A token with a digit is a whole variable of the value, of the token's kind, or not there
      // at all; the stream ends each variable and each row with bytes that are not token bytes,
      // so a whole-token hit is a whole variable, in the row whose line it is on. Hits are rare:
      // lines are counted only up to each.
      ASSIGN_OR_RETURN(std::string_view variables, column.Variables(t.variable_kind));
      const Presence& presence = column.presence();
      rows->assign(n, 0);
      size_t counted = 0, line = 0;  // row ends before `counted`
      size_t r = 0, before = 0;      // present rows before row r
      for (size_t pos = t.search->Find(variables, 0, true); pos != std::string_view::npos;
           pos = t.search->Find(variables, pos + 1, true)) {
        line += static_cast<size_t>(std::count(variables.begin() + static_cast<ptrdiff_t>(counted),
                                               variables.begin() + static_cast<ptrdiff_t>(pos), kRowEnd));
        counted = pos;
        for (; r < n; ++r)
          if (presence.Has(r)) {
            if (before == line) break;
            ++before;
          }
        if (r == n) return Status::Corruption("column: templated: more lines of variables than the block has rows");
        (*rows)[r] = 1;
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace sawlog::query
