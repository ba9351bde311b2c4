#include "store/bloom_cache.h"

namespace sawlog {

CachedBlooms::~CachedBlooms() {
  if (cache_) cache_->Forget(this);
}

Result<std::shared_ptr<const PartBlooms>> CachedBlooms::Pin(const std::function<Result<PartBlooms>()>& load) {
  if (cache_ == nullptr) return std::shared_ptr<const PartBlooms>();
  uint64_t now = cache_->Tick();
  {
    std::lock_guard lock(mu_);
    last_use_ = now;
    if (blooms_ || too_big_) return blooms_;
  }
  // Loaded outside the lock (admitting may evict other parts, which takes their locks); two
  // searches may both load a part, and the second one's copy is simply dropped.
  ASSIGN_OR_RETURN(PartBlooms loaded, load());
  auto blooms = std::make_shared<const PartBlooms>(std::move(loaded));
  if (!cache_->Admit(this, blooms)) {
    std::lock_guard lock(mu_);
    too_big_ = true;
    return std::shared_ptr<const PartBlooms>();
  }
  std::lock_guard lock(mu_);
  return blooms_;
}

uint64_t BloomCache::Tick() {
  std::lock_guard lock(mu_);
  return ++clock_;
}

bool BloomCache::Admit(CachedBlooms* part, const std::shared_ptr<const PartBlooms>& blooms) {
  const size_t size = blooms->bytes();
  if (size > capacity_) return false;
  std::lock_guard lock(mu_);
  std::lock_guard part_lock(part->mu_);
  if (part->blooms_) return true;  // another search loaded them meanwhile
  while (bytes_ + size > capacity_) {
    CachedBlooms* oldest = nullptr;
    for (CachedBlooms* p : parts_)
      if (p != part && p->bytes_ > 0 && (oldest == nullptr || p->last_use_.load() < oldest->last_use_.load())) oldest = p;
    if (oldest == nullptr) return false;
    std::lock_guard victim_lock(oldest->mu_);
    oldest->blooms_.reset();  // searches that pinned them keep their copy until they finish
    bytes_ -= oldest->bytes_;
    oldest->bytes_ = 0;
  }
  part->blooms_ = blooms;
  part->bytes_ = size;
  bytes_ += size;
  parts_.insert(part);
  return true;
}

void BloomCache::Forget(CachedBlooms* part) {
  std::lock_guard lock(mu_);
  bytes_ -= part->bytes_;
  parts_.erase(part);
}

size_t BloomCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace sawlog
