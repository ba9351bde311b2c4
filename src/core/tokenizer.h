// The tokenizer shared by ingestion (indexes) and queries; its rules are in docs/formats/tokenizer.md.
// A token is a maximal run of ASCII letters, digits, '_' and bytes >= 0x80 (so UTF-8 letters stay
// inside words). Tokens compare after ASCII case folding.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sawlog {

constexpr bool IsTokenByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

constexpr char FoldCase(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Each byte's class: 0 between tokens, else kTokenByte, with kUpperByte when folding changes it.
inline constexpr unsigned char kTokenByte = 1, kUpperByte = 2;
inline constexpr std::array<unsigned char, 256> kTokenByteClass = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c)
    if (IsTokenByte(static_cast<unsigned char>(c)))
      t[c] = kTokenByte | (FoldCase(static_cast<char>(c)) != static_cast<char>(c) ? kUpperByte : 0);
  return t;
}();

#if defined(__SSE2__)
// Bit i: whether byte i of x is a token byte (in the low half) and whether it is an ASCII capital
// (in the high half).
inline uint32_t ClassifyTokenBytes16(__m128i x) {
  const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));  // A-Z to a-z; no other byte lands there
  const __m128i letter =
      _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
  const __m128i high = _mm_cmplt_epi8(x, _mm_setzero_si128());  // >= 0x80
  const __m128i under = _mm_cmpeq_epi8(x, _mm_set1_epi8('_'));
  const __m128i capital =
      _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
  const __m128i token = _mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(high, under));
  return static_cast<uint32_t>(_mm_movemask_epi8(token)) | static_cast<uint32_t>(_mm_movemask_epi8(capital)) << 16;
}
#endif

// Bit i of *tokens: whether p[i] is a token byte; of *upper: whether it is an ASCII capital. For
// the n bytes at p (the bits past n are 0), n at most 64; reads no byte past them.
inline void ClassifyTokenBytes(const char* p, size_t n, uint64_t* tokens, uint64_t* upper) {
  uint64_t t = 0, u = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // 16 bytes at a time: a byte at a time, the loop's exit at each token's end was mispredicted
  // once per token, and tokenizing was most of the merges' filter building.
  auto load = [](const char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
  for (; i + 16 <= n; i += 16) {
    const uint32_t m = ClassifyTokenBytes16(load(p + i));
    t |= static_cast<uint64_t>(m & 0xffff) << i;
    u |= static_cast<uint64_t>(m >> 16) << i;
  }
  if (i < n && n >= 16) {  // the last bytes: the 16 that end with them, shifted
    const uint32_t m = ClassifyTokenBytes16(load(p + n - 16));
    const int r = static_cast<int>(n - i);
    t |= static_cast<uint64_t>((m & 0xffff) >> (16 - r)) << i;
    u |= static_cast<uint64_t>((m >> 16) >> (16 - r)) << i;
    i = n;
  } else if (n >= 4 && n < 16) {  // a short text (ids, numbers): its bytes in two overlapping words
    uint64_t lo, hi;
    if (n >= 8) {
      std::memcpy(&lo, p, 8);
      std::memcpy(&hi, p + n - 8, 8);
      hi = n == 8 ? 0 : hi >> (8 * (16 - n));
    } else {
      uint32_t first, last;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + n - 4, 4);
      lo = first | (static_cast<uint64_t>(last) >> (8 * (8 - n))) << 32;
      hi = 0;
    }
    const uint32_t m = ClassifyTokenBytes16(_mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo)));
    const uint32_t present = (uint32_t{1} << n) - 1;  // the zero bytes after them are no token bytes anyway
    t = m & present;
    u = (m >> 16) & present;
    i = n;
  }
#endif
  for (; i < n; ++i) {
    const unsigned char c = kTokenByteClass[static_cast<unsigned char>(p[i])];
    t |= static_cast<uint64_t>(c & kTokenByte) << i;
    u |= static_cast<uint64_t>((c & kUpperByte) >> 1) << i;
  }
  *tokens = t;
  *upper = u;
}

// Calls fn(std::string_view token, bool capitals) for each token of text, in order: a view into
// text, and whether it has ASCII capitals (whether folding changes it). The filters built at the
// merges see every byte of every event: 64 bytes are classified at a time, and a token's end is
// found by a bit scan.
template <typename Fn>
void ForEachCasedToken(std::string_view text, Fn&& fn) {
  const char* const p = text.data();
  const size_t n = text.size();
  // A token may run on from one window into the next. One call of fn (inlined) for all tokens:
  // the window after the last (of no bytes) ends a token left open.
  size_t open = SIZE_MAX;  // where the token being read started
  bool open_upper = false;
  for (size_t base = 0; base < n || open != SIZE_MAX; base += 64) {
    uint64_t tokens = 0, upper = 0;
    if (base < n) ClassifyTokenBytes(p + base, std::min<size_t>(64, n - base), &tokens, &upper);
    for (;;) {
      if (open == SIZE_MAX) {
        if (tokens == 0) break;
        open = base + static_cast<size_t>(__builtin_ctzll(tokens));
        open_upper = false;
      }
      const uint64_t from = open > base ? ~uint64_t{0} << (open - base) : ~uint64_t{0};  // the token's bits here
      const uint64_t after = ~tokens & from;
      if (after == 0) {  // runs on into the next window
        open_upper = open_upper || (upper & from) != 0;
        break;
      }
      const int end = __builtin_ctzll(after);
      const uint64_t below_end = (uint64_t{1} << end) - 1;
      const size_t start = open;
      const bool capitals = open_upper || (upper & from & below_end) != 0;
      open = SIZE_MAX;
      tokens &= ~below_end;
      fn(text.substr(start, base + static_cast<size_t>(end) - start), capitals);
    }
  }
}

// Calls fn(std::string_view token) for each token of text, in order; tokens are views into text.
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  ForEachCasedToken(text, [&](std::string_view token, bool) { fn(token); });
}

// Folds a token with capitals into *buffer (of 256 bytes) or, if longer, *long_token.
inline std::string_view FoldToken(std::string_view token, char* buffer, std::string* long_token) {
  char* folded = buffer;
  if (token.size() > 256) {
    long_token->resize(token.size());
    folded = long_token->data();
  }
  for (size_t k = 0; k < token.size(); ++k) folded[k] = FoldCase(token[k]);
  return std::string_view(folded, token.size());
}

// Calls fn(std::string_view folded_token) for each token of text, case-folded, in order. A token
// without capitals (most) is passed as a view into text, the others folded into a copy; either way
// the view is valid only during the call.
template <typename Fn>
void ForEachFoldedToken(std::string_view text, Fn&& fn) {
  char buffer[256];
  std::string long_token;
  ForEachCasedToken(text, [&](std::string_view token, bool capitals) {
    fn(capitals ? FoldToken(token, buffer, &long_token) : token);
  });
}

// The case-folded tokens of text.
std::vector<std::string> Tokenize(std::string_view text);
bool TokenEquals(std::string_view token, std::string_view folded);
bool TokenHasPrefix(std::string_view token, std::string_view folded_prefix);

}  // namespace sawlog
