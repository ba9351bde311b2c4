#include "store/token_filter.h"

#include "core/tokenizer.h"
#include "store/bloom_filter.h"
#include "store/templated.h"

namespace sawlog {

std::string BuildTokenFilter(const std::vector<std::optional<std::string_view>>& values, const DistinctValues& known,
                             bool pairs) {
  std::vector<uint64_t> hashes;
  auto add_tokens = [&](std::string_view v) {
    if (!pairs) {
      ForEachFoldedToken(v, [&](std::string_view folded) { hashes.push_back(TokenHash(folded)); });
      return;
    }
    uint64_t previous = 0;
    bool previous_pairable = false;
    ForEachFoldedToken(v, [&](std::string_view folded) {
      const uint64_t h = TokenHash(folded);
      const bool pairable = !IsVariableToken(folded);
      if (pairable && previous_pairable) hashes.push_back(TokenPairHash(previous, h));
      hashes.push_back(h);
      previous = h;
      previous_pairable = pairable;
    });
  };
  // Most columns repeat a few values (hosts, apps, levels): each distinct value is tokenized
  // once, and those the encoder found without looking at the rows again. A column whose values
  // keep differing (messages, ids) stops being tracked.
  if (known.size() > 0 && known.size() <= kMaxDictValues) {
    for (std::string_view v : known.values()) add_tokens(v);
  } else {
    DistinctValues distinct;
    for (const auto& v : values) {
      if (!v) continue;
      if (distinct.size() <= kMaxDictValues) {
        const size_t before = distinct.size();
        if (distinct.Number(*v) < before) continue;  // its tokens are in already
      }
      add_tokens(*v);
    }
  }
  return BuildBloomFilter(hashes);
}

}  // namespace sawlog
