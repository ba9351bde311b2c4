// Word and phrase filters answered from templated columns (store/templated.h): once per template
// when the query's tokens have no digits (they can only match a value's constant tokens, which
// its template holds as they are), on the variables of its kind alone for a word with digits
// (only a variable can be it; format 6 only), and not at all otherwise (the scan then tests the
// rebuilt values).
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
  // For a filter that is one word or phrase (with tokens); nullptr for any other.
  static std::unique_ptr<TemplateSearch> For(const Node* root);

  const std::string& field() const override { return node_->field; }
  Result<bool> Match(TemplatedColumn& column, std::vector<uint8_t>* match) const override;

 private:
  explicit TemplateSearch(const Node* node);

  const Node* node_;
  Matcher matcher_;                      // the query on a template, as on a value
  bool constant_ = false;                // no token has a digit: decided per template
  std::optional<TokenSearch> variable_;  // one token with a digit: a variable
  VariableKind kind_ = VariableKind::kDigits;  // variable_'s
};

}  // namespace sawlog::query
