// Filters answered from templated columns (store/templated.h) without rebuilding a value: words
// and phrases on the column's field, joined by AND, OR and NOT. A word or phrase without digits is
// decided once per template (it can only match a value's constant tokens, which its template holds
// as they are); a word with digits on the variables of its kind alone (only a variable can be it;
// format 6 only). Time ranges and stream selectors ANDed at the top are the scan's to apply.
// Prefixes, phrases with digits and other fields are not decided (the scan then tests the rebuilt
// values).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/query.h"
#include "query/token_search.h"
#include "store/store.h"
#include "store/templated.h"

namespace sawlog::query {

class TemplateSearch final : public TemplatedRowFilter {
 public:
  // For a filter templates decide (above); nullptr for any other.
  static std::unique_ptr<TemplateSearch> For(const Node* root);
  ~TemplateSearch() override;

  const std::string& field() const override { return field_; }
  Result<bool> Match(TemplatedColumn& column, std::vector<uint8_t>* match) const override;

 private:
  struct Term;
  TemplateSearch();
  static bool Compile(const Node& n, bool conjunct, std::string* field, Term* out);
  static Status Eval(const Term& t, TemplatedColumn& column, std::vector<uint8_t>* rows);

  std::string field_;
  std::unique_ptr<Term> root_;
  bool reads_variables_ = false;
};

}  // namespace sawlog::query
