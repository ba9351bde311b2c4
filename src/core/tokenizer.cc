#include "core/tokenizer.h"

namespace sawlog {

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> out;
  ForEachFoldedToken(text, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

bool TokenEquals(std::string_view token, std::string_view folded) {
  if (token.size() != folded.size()) return false;
  for (size_t i = 0; i < token.size(); ++i)
    if (FoldCase(token[i]) != folded[i]) return false;
  return true;
}

bool TokenHasPrefix(std::string_view token, std::string_view folded_prefix) {
  return token.size() >= folded_prefix.size() &&
         TokenEquals(token.substr(0, folded_prefix.size()), folded_prefix);
}

}  // namespace sawlog
