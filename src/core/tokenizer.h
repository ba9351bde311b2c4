// The tokenizer shared by ingestion (indexes) and queries; its rules are in docs/formats/tokenizer.md.
// A token is a maximal run of ASCII letters, digits, '_' and bytes >= 0x80 (so UTF-8 letters stay
// inside words). Tokens compare after ASCII case folding.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace sawlog {

constexpr bool IsTokenByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

constexpr char FoldCase(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

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

// Each byte as it appears in a case-folded token; 0 for the bytes that separate tokens.
inline constexpr std::array<unsigned char, 256> kFoldedTokenByte = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 1; c < 256; ++c)
    if (IsTokenByte(static_cast<unsigned char>(c))) t[c] = static_cast<unsigned char>(FoldCase(static_cast<char>(c)));
  return t;
}();

// Calls fn(std::string_view folded_token) for each token of text, case-folded, in one pass over
// the bytes (the indexes built at ingest see every byte of every event). The view is valid only
// during the call.
template <typename Fn>
void ForEachFoldedToken(std::string_view text, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  char local[256];
  std::string long_token;
  while (p < end) {
    while (p < end && kFoldedTokenByte[*p] == 0) ++p;
    const auto* start = p;
    size_t n = 0;
    for (; p < end && kFoldedTokenByte[*p] != 0; ++p, ++n)
      if (n < sizeof(local)) local[n] = static_cast<char>(kFoldedTokenByte[*p]);
    if (n == 0) break;
    if (n <= sizeof(local)) {
      fn(std::string_view(local, n));
    } else {
      long_token.resize(n);
      for (size_t k = 0; k < n; ++k) long_token[k] = static_cast<char>(kFoldedTokenByte[start[k]]);
      fn(std::string_view(long_token));
    }
  }
}

// The case-folded tokens of text.
std::vector<std::string> Tokenize(std::string_view text);
bool TokenEquals(std::string_view token, std::string_view folded);
bool TokenHasPrefix(std::string_view token, std::string_view folded_prefix);

}  // namespace sawlog
