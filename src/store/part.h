// Part: one immutable file of events of one tenant and one day, in blocks per stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/event.h"
#include "core/status.h"

namespace sawlog {

struct BlockInfo {
  std::string stream;
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t rows = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t checksum = 0;
};

struct PartSummary {
  uint64_t rows = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t bytes = 0;
};

// Writes events (any order) as a part file at path: written, synced and closed on return.
// The caller renames it into place.
Result<PartSummary> WritePart(Env* env, const std::string& path, std::vector<const Event*> events);

// A part file opened for reading. Thread-safe: blocks may be read concurrently.
class PartReader {
 public:
  static Result<std::unique_ptr<PartReader>> Open(Env* env, const std::string& path);

  const std::vector<BlockInfo>& blocks() const { return blocks_; }
  const std::string& path() const { return path_; }
  // Decodes the events of block i, appending them to *out.
  Status ReadBlock(size_t i, std::vector<Event>* out) const;
  // Verifies every checksum and decodes every block.
  Status Check() const;

 private:
  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  std::vector<BlockInfo> blocks_;
};

}  // namespace sawlog
