#include "store/token_filter.h"

#include <cstdint>
#include <cstring>
#include <memory>

#include "core/tokenizer.h"
#include "store/bloom_filter.h"
#include "store/templated.h"

namespace sawlog {

namespace {

// The short tokens (most) seen lately by the filter being built, by their bytes, with their
// hashes: a block's messages repeat most of their words, and a token found here is neither hashed
// nor added to the filter again. Direct-mapped: a token that lands on another's slot replaces it.
class RecentTokens {
 public:
  static constexpr size_t kMaxSize = 16;
  // A token of at most kMaxSize bytes, exactly: two words that cover its bytes (overlapping when
  // shorter than 16), and its size.
  struct Key {
    uint64_t a, b;
    uint32_t size;
  };
  struct Entry {
    uint64_t a = 0, b = 0, hash = 0;
    uint32_t size = 0;
    bool pairable = false;  // !IsVariableToken
  };

  RecentTokens() : entries_(std::make_unique<Entry[]>(kSlots)) {}

  static Key KeyOf(std::string_view t) {
    const char* p = t.data();
    const size_t n = t.size();
    Key k{0, 0, static_cast<uint32_t>(n)};
    if (n >= 8) {
      std::memcpy(&k.a, p, 8);
      std::memcpy(&k.b, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, p, 4);
      std::memcpy(&y, p + n - 4, 4);
      k.a = x;
      k.b = y;
    } else {  // 1 to 3 bytes: the first, middle and last
      k.a = static_cast<uint64_t>(static_cast<unsigned char>(p[0])) |
            static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
            static_cast<uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
    }
    return k;
  }

  // The entry for k: k's when found, else the one it may replace.
  Entry& Slot(const Key& k) {
    const uint64_t mix = (k.a ^ (k.b * 0x9E3779B97F4A7C15ull) ^ k.size) * 0xff51afd7ed558ccdull;
    return entries_[mix >> (64 - kSlotBits)];
  }
  static bool Holds(const Entry& e, const Key& k) { return e.size == k.size && e.a == k.a && e.b == k.b; }
  static void Put(Entry* e, const Key& k, uint64_t hash, bool pairable) { *e = {k.a, k.b, hash, k.size, pairable}; }

 private:
  static constexpr int kSlotBits = 10;
  static constexpr size_t kSlots = size_t{1} << kSlotBits;
  std::unique_ptr<Entry[]> entries_;
};

}  // namespace

std::string BuildTokenFilter(const std::vector<std::optional<std::string_view>>& values, const DistinctValues& known,
                             bool pairs) {
  BloomFilterBuilder filter;
  RecentTokens recent;
  auto add_tokens = [&](std::string_view v) {
    if (!pairs) {
      ForEachFoldedToken(v, [&](std::string_view folded) {
        if (folded.size() > RecentTokens::kMaxSize) return filter.Add(TokenHash(folded));
        const RecentTokens::Key k = RecentTokens::KeyOf(folded);
        RecentTokens::Entry& e = recent.Slot(k);
        if (RecentTokens::Holds(e, k)) return;
        const uint64_t h = TokenHash(folded);
        filter.Add(h);
        RecentTokens::Put(&e, k, h, false);
      });
      return;
    }
    uint64_t previous = 0;
    bool previous_pairable = false;
    ForEachFoldedToken(v, [&](std::string_view folded) {
      uint64_t h;
      bool pairable;
      if (folded.size() > RecentTokens::kMaxSize) {
        h = TokenHash(folded);
        pairable = !IsVariableToken(folded);
        filter.Add(h);
      } else {
        const RecentTokens::Key k = RecentTokens::KeyOf(folded);
        RecentTokens::Entry& e = recent.Slot(k);
        if (RecentTokens::Holds(e, k)) {
          h = e.hash;
          pairable = e.pairable;
        } else {
          h = TokenHash(folded);
          pairable = !IsVariableToken(folded);
          filter.Add(h);
          RecentTokens::Put(&e, k, h, pairable);
        }
      }
      if (pairable && previous_pairable) filter.Add(TokenPairHash(previous, h));
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
  return filter.Build();
}

}  // namespace sawlog
