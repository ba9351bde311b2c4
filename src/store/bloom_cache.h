// A bounded cache of bloom filters already read and checksummed, shared by every part of a store:
// a search probes the filters of every block in its time range, and reading them from the files
// each time (a system call, a copy and a checksum per block) cost more than the probes.
// The least recently used filters leave first when it is full.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sawlog {

class BloomCache {
 public:
  explicit BloomCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // A number no other part of this process has: the first half of every key.
  static uint64_t NewPartId();

  std::shared_ptr<const std::string> Lookup(uint64_t part_id, uint64_t offset);
  void Insert(uint64_t part_id, uint64_t offset, std::shared_ptr<const std::string> bloom);
  size_t bytes() const;

 private:
  struct Key {
    uint64_t part_id, offset;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.part_id * 0x9E3779B97F4A7C15ull ^ k.offset; }
  };
  using Entry = std::pair<Key, std::shared_ptr<const std::string>>;

  const size_t capacity_;
  mutable std::mutex mu_;
  size_t bytes_ = 0;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
};

}  // namespace sawlog
