#include "query/token_search.h"

#include "core/tokenizer.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace sawlog::query {

namespace {
unsigned char FoldMask(char c) { return (c >= 'a' && c <= 'z') ? 0x20 : 0; }
}  // namespace

TokenSearch::TokenSearch(std::string token)
    : token_(std::move(token)), first_fold_(FoldMask(token_.front())), last_fold_(FoldMask(token_.back())) {}

bool TokenSearch::MatchesAt(std::string_view text, size_t i, bool whole_token) const {
  const size_t m = token_.size();
  for (size_t k = 0; k < m; ++k)
    if (FoldCase(text[i + k]) != token_[k]) return false;
  if (!whole_token) return true;
  bool start_ok = i == 0 || !IsTokenByte(static_cast<unsigned char>(text[i - 1]));
  bool end_ok = i + m == text.size() || !IsTokenByte(static_cast<unsigned char>(text[i + m]));
  return start_ok && end_ok;
}

size_t TokenSearch::Find(std::string_view text, size_t from, bool whole_token) const {
  const size_t m = token_.size(), n = text.size();
  if (m > n) return std::string_view::npos;
  size_t i = from;
#ifdef __SSE2__
  // Candidates are positions whose first and last bytes both match, 16 positions per step (the
  // "generic SIMD" substring search); each candidate is then checked whole.
  const __m128i first = _mm_set1_epi8(token_.front()), last = _mm_set1_epi8(token_.back());
  const __m128i first_fold = _mm_set1_epi8(static_cast<char>(first_fold_));
  const __m128i last_fold = _mm_set1_epi8(static_cast<char>(last_fold_));
  const char* s = text.data();
  for (; i + m - 1 + 16 <= n; i += 16) {
    __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)), first_fold);
    __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + m - 1)), last_fold);
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
    while (mask != 0) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (MatchesAt(text, at, whole_token)) return at;
      mask &= mask - 1;
    }
  }
#endif
  for (; i + m <= n; ++i)
    if (static_cast<unsigned char>(text[i] | first_fold_) == static_cast<unsigned char>(token_.front()) &&
        MatchesAt(text, i, whole_token))
      return i;
  return std::string_view::npos;
}

}  // namespace sawlog::query
