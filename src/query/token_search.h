// Finding one case-folded token in text as a whole token (docs/formats/tokenizer.md), the inner
// loop of every word search. Prepared once per query term, run on every row the scan tests.
#pragma once

#include <string>
#include <string_view>

namespace sawlog::query {

class TokenSearch {
 public:
  // token: already case-folded, not empty.
  explicit TokenSearch(std::string token);

  // Whether text holds the token with no token bytes right before or after it.
  bool FoundIn(std::string_view text) const { return Find(text, 0, true) != std::string_view::npos; }
  // The first position at or after `from` where text holds the token (ASCII case folded), as a
  // whole token or, with whole_token false, anywhere; npos when nowhere.
  size_t Find(std::string_view text, size_t from, bool whole_token) const;
  const std::string& token() const { return token_; }

 private:
  bool MatchesAt(std::string_view text, size_t i, bool whole_token) const;

  std::string token_;
  // OR-ed into text bytes before comparing with the token's first/last byte: 0x20 when that byte
  // is a letter, which folds 'A'..'Z' onto 'a'..'z' and nothing else onto a letter.
  unsigned char first_fold_ = 0, last_fold_ = 0;
};

}  // namespace sawlog::query
