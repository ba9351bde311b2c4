// Bloom filters kept in memory between searches, within one budget shared by all the parts of a
// store. A search probes the filters of every block in its time range; reading them from the
// files each time (a system call, a copy and a checksum per block) cost more than the probes.
//
// The unit is a part: all of a part's filters are read and checked together the first time a
// search needs them, a search pins them once per part (one atomic operation, not one per block),
// and when the budget is exceeded the parts searched least recently give theirs up.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/status.h"

namespace sawlog {

// Every filter of one part, one slot per column of each block (empty: the column has none).
class PartBlooms {
 public:
  void Add(std::string_view bloom) {
    data_.append(bloom);
    ends_.push_back(data_.size());
  }
  std::string_view Get(size_t slot) const {
    size_t begin = slot == 0 ? 0 : ends_[slot - 1];
    return std::string_view(data_).substr(begin, ends_[slot] - begin);
  }
  size_t bytes() const { return data_.size() + ends_.size() * sizeof(size_t); }

 private:
  std::string data_;
  std::vector<size_t> ends_;
};

class BloomCache;

// One part's handle on the cache.
class CachedBlooms {
 public:
  explicit CachedBlooms(BloomCache* cache) : cache_(cache) {}  // cache may be null: nothing is kept
  ~CachedBlooms();
  CachedBlooms(const CachedBlooms&) = delete;
  CachedBlooms& operator=(const CachedBlooms&) = delete;

  // The part's filters, loaded with load() if they are not in memory; null when they do not fit
  // in the budget (or there is no cache): the caller then reads filters from the file.
  Result<std::shared_ptr<const PartBlooms>> Pin(const std::function<Result<PartBlooms>()>& load);

 private:
  friend class BloomCache;
  BloomCache* cache_;
  std::mutex mu_;  // taken after the cache's, never before
  std::shared_ptr<const PartBlooms> blooms_;
  std::atomic<uint64_t> last_use_{0};
  size_t bytes_ = 0;  // under the cache's lock
  bool too_big_ = false;
};

class BloomCache {
 public:
  explicit BloomCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  size_t bytes() const;

 private:
  friend class CachedBlooms;
  // Accounts for the part's new filters, evicting parts used least recently; false: they do
  // not fit even alone.
  bool Admit(CachedBlooms* part, const std::shared_ptr<const PartBlooms>& blooms);
  void Forget(CachedBlooms* part);
  uint64_t Tick();

  const size_t capacity_;
  mutable std::mutex mu_;
  size_t bytes_ = 0;
  uint64_t clock_ = 0;
  std::unordered_set<CachedBlooms*> parts_;
};

}  // namespace sawlog
