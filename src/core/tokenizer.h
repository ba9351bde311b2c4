// The tokenizer shared by ingestion (indexes) and queries; its rules are in docs/formats/tokenizer.md.
// A token is a maximal run of ASCII letters, digits, '_' and bytes >= 0x80 (so UTF-8 letters stay
// inside words). Tokens compare after ASCII case folding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sawlog {

inline bool IsTokenByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

inline char FoldCase(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Calls fn(std::string_view token) for each token of text, in order; tokens are views into text.
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && !IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < n && IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

// The case-folded tokens of text.
std::vector<std::string> Tokenize(std::string_view text);
bool TokenEquals(std::string_view token, std::string_view folded);
bool TokenHasPrefix(std::string_view token, std::string_view folded_prefix);

}  // namespace sawlog
