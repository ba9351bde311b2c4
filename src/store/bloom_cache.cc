#include "store/bloom_cache.h"

#include <atomic>

namespace sawlog {

uint64_t BloomCache::NewPartId() {
  static std::atomic<uint64_t> next{1};
  return next++;
}

std::shared_ptr<const std::string> BloomCache::Lookup(uint64_t part_id, uint64_t offset) {
  std::lock_guard lock(mu_);
  auto it = index_.find(Key{part_id, offset});
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void BloomCache::Insert(uint64_t part_id, uint64_t offset, std::shared_ptr<const std::string> bloom) {
  const size_t size = bloom->size();
  if (size > capacity_) return;
  std::lock_guard lock(mu_);
  Key key{part_id, offset};
  if (index_.contains(key)) return;  // another thread read it meanwhile
  lru_.emplace_front(key, std::move(bloom));
  index_.emplace(key, lru_.begin());
  bytes_ += size;
  while (bytes_ > capacity_) {
    bytes_ -= lru_.back().second->size();
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

size_t BloomCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace sawlog
