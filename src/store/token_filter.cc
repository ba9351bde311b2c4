#include "store/token_filter.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "core/tokenizer.h"
#include "store/bloom_filter.h"
#include "store/templated.h"

namespace sawlog {

namespace {

// Keys (RecentTokens::KeyOf) take a token's bytes from words read from memory, first byte lowest.
static_assert(std::endian::native == std::endian::little);

// The short tokens (most) seen lately by the filter being built, by their bytes as in the value
// (before folding), with their hashes: a block's messages repeat most of their words, and a token
// found here is neither folded, hashed nor added to the filter again. Direct-mapped: a token that
// lands on another's slot replaces it.
class RecentTokens {
 public:
  static constexpr size_t kMaxSize = 16;
  // A token of at most kMaxSize bytes, exactly: its bytes, zero past its end (no token holds a 0
  // byte, so its size is implied).
  struct Key {
    uint64_t a = 0, b = 0;
  };
  struct Entry {
    Key key;
    uint64_t hash = 0;
    uint32_t filter = 0;    // the filter it was found for: of another, it holds nothing
    bool pairable = false;  // !IsVariableToken
  };

  RecentTokens() : entries_(kSlots) {}

  // Forgets every token (the next filter's are its own).
  void NextFilter() {
    if (++filter_ == 0) {  // after 2^32 filters: entries of the first could look current
      std::fill(entries_.begin(), entries_.end(), Entry());
      filter_ = 1;
    }
  }

  // The key of a token of `value` at `offset`, of at most kMaxSize bytes. Reads 16 bytes from the
  // token when the value has them (no branch on its size), else its bytes in overlapping words.
  static Key KeyOf(std::string_view value, size_t offset, size_t size) {
    static constexpr auto kMasks = [] {
      std::array<Key, kMaxSize + 1> m{};
      for (size_t n = 0; n <= kMaxSize; ++n) {
        m[n].a = n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
        m[n].b = n <= 8 ? 0 : n == 16 ? ~uint64_t{0} : (uint64_t{1} << (8 * (n - 8))) - 1;
      }
      return m;
    }();
    const char* p = value.data() + offset;
    Key k;
    if (value.size() - offset >= 16) {
      std::memcpy(&k.a, p, 8);
      std::memcpy(&k.b, p + 8, 8);
    } else if (size >= 8) {  // the last word's bytes past the first word's, moved down
      std::memcpy(&k.a, p, 8);
      std::memcpy(&k.b, p + size - 8, 8);
      k.b = size == 8 ? 0 : k.b >> (8 * (16 - size));
    } else if (size >= 4) {
      uint32_t first, last;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + size - 4, 4);
      k.a = first | (static_cast<uint64_t>(last) >> (8 * (8 - size))) << 32;
    } else {  // 1 to 3 bytes: the first, middle and last
      k.a = static_cast<uint64_t>(static_cast<unsigned char>(p[0])) |
            static_cast<uint64_t>(static_cast<unsigned char>(p[size / 2])) << 8 |
            static_cast<uint64_t>(static_cast<unsigned char>(p[size - 1])) << (8 * (size - 1));
    }
    k.a &= kMasks[size].a;
    k.b &= kMasks[size].b;
    return k;
  }

  // The entry for k: k's when found (Holds), else the one it may replace.
  Entry& Slot(const Key& k) {
    const uint64_t mix = (k.a ^ (k.b * 0x9E3779B97F4A7C15ull)) * 0xff51afd7ed558ccdull;
    return entries_[mix >> (64 - kSlotBits)];
  }
  bool Holds(const Entry& e, const Key& k) const { return e.filter == filter_ && e.key.a == k.a && e.key.b == k.b; }
  void Put(Entry* e, const Key& k, uint64_t hash, bool pairable) const { *e = {k, hash, filter_, pairable}; }

 private:
  static constexpr int kSlotBits = 10;
  static constexpr size_t kSlots = size_t{1} << kSlotBits;
  std::vector<Entry> entries_;
  uint32_t filter_ = 1;
};

}  // namespace

struct TokenFilterBuilder::Tables {
  BloomFilterBuilder filter;
  RecentTokens recent;
};

TokenFilterBuilder::TokenFilterBuilder() : tables_(std::make_unique<Tables>()) {}
TokenFilterBuilder::~TokenFilterBuilder() = default;

std::string TokenFilterBuilder::Build(const std::vector<std::optional<std::string_view>>& values,
                                      const DistinctValues& known, bool pairs) {
  BloomFilterBuilder& filter = tables_->filter;
  RecentTokens& recent = tables_->recent;
  recent.NextFilter();
  char buffer[256];
  std::string long_token;
  // Whether tokens are looked up in `recent`: not for distinct values (their tokens mostly
  // differ), and no more once the first kTrialTokens found there are too few (numbers, ids).
  constexpr size_t kTrialTokens = 256;
  bool remember = !(known.size() > 0 && known.size() <= kMaxDictValues);
  size_t looked_up = 0, found = 0;
  auto add_tokens = [&](std::string_view v) {
    uint64_t previous = 0;
    bool previous_pairable = false;
    ForEachCasedToken(v, [&](std::string_view token, bool capitals) {
      uint64_t h;
      bool pairable;
      auto hash = [&] {
        const std::string_view folded = capitals ? FoldToken(token, buffer, &long_token) : token;
        h = TokenHash(folded);
        pairable = pairs && !IsVariableToken(folded);
        filter.Add(h);
      };
      if (!remember || token.size() > RecentTokens::kMaxSize) {
        hash();
      } else {
        if (++looked_up == kTrialTokens) remember = found * 4 >= kTrialTokens;
        const RecentTokens::Key k =
            RecentTokens::KeyOf(v, static_cast<size_t>(token.data() - v.data()), token.size());
        RecentTokens::Entry& e = recent.Slot(k);
        if (recent.Holds(e, k)) {
          ++found;
          if (!pairs) return;
          h = e.hash;
          pairable = e.pairable;
        } else {
          hash();
          recent.Put(&e, k, h, pairable);
        }
      }
      if (pairable && previous_pairable) filter.Add(TokenPairHash(previous, h));
      previous = h;
      previous_pairable = pairable;
    });
  };
  // Most columns repeat a few values (hosts, apps, levels): each distinct value is tokenized
  // once, and those the encoder found without looking at the rows again. A column whose values
  // keep differing (ids) stops being tracked; one whose encoder found more distinct values than a
  // dictionary holds (messages) is not tracked at all: what its rows repeat, `recent` finds.
  if (known.size() > 0 && known.size() <= kMaxDictValues) {
    for (std::string_view v : known.values()) add_tokens(v);
  } else {
    DistinctValues distinct;
    const bool track = known.size() == 0;
    // Room, after the first rows, for as many tokens as the rest bring if they bring new ones as
    // often as the second half of those did (those of a message's wording stop coming soon).
    constexpr size_t kSampleRows = 64;
    size_t half_sample = 0;
    for (size_t r = 0; r < values.size(); ++r) {
      if (r == kSampleRows / 2) half_sample = filter.distinct();
      if (r == kSampleRows)
        filter.Reserve(filter.distinct() + (filter.distinct() - half_sample) * (values.size() - r) / (kSampleRows / 2));
      const auto& v = values[r];
      if (!v) continue;
      if (track && distinct.size() <= kMaxDictValues) {
        const size_t before = distinct.size();
        if (distinct.Number(*v) < before) continue;  // its tokens are in already
      }
      add_tokens(*v);
    }
  }
  return filter.Build();
}

}  // namespace sawlog
