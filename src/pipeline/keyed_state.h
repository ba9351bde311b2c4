// Per-key state of sample and throttle: keys are hashed (xxh3) so the table holds 8 bytes per
// key whatever the values, and it is bounded so that a high-cardinality key cannot exhaust memory.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "core/event.h"

namespace sawlog::pipeline {

// Past this many keys the table starts over: counters and buckets of every key are reset (a key
// then gets its first events through again), which costs accuracy, never memory.
inline constexpr size_t kMaxKeys = 100'000;

template <typename State>
class KeyedState {
 public:
  // The state of `key_field`'s value in `e` (events without the field share one key).
  State& Of(const Event& e, std::string_view key_field) {
    uint64_t key = 0;
    if (!key_field.empty())
      if (const std::string* v = e.Find(key_field)) key = XXH3_64bits_withSeed(v->data(), v->size(), 1);
    if (table_.size() >= kMaxKeys && !table_.contains(key)) table_.clear();
    return table_[key];
  }

 private:
  std::unordered_map<uint64_t, State> table_;
};

}  // namespace sawlog::pipeline
