// Manifest: the list of live parts and how far the WAL has been flushed into them.
// Replaced atomically (write, fsync, rename, fsync dir), so a crash leaves the old or the new one.
// Format (text, docs/formats/manifest.md):
//   sawlog-manifest 1
//   flushed_seq <n>
//   next_part_id <n>
//   part <tenant> <day> <id> <rows> <min_time> <max_time> <bytes>     (one line per part)
//   checksum <XXH3-64 of every byte above, 16 hex digits>
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace sawlog {

struct PartMeta {
  std::string tenant;
  std::string day;  // YYYY-MM-DD
  uint64_t id = 0;
  uint64_t rows = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t bytes = 0;

  // Path relative to the data directory: tenants/<tenant>/<day>/<id as 16 hex digits>.part
  std::string RelativePath() const;
};

struct Manifest {
  uint64_t flushed_seq = 0;
  uint64_t next_part_id = 1;
  std::vector<PartMeta> parts;

  std::string Encode() const;
  // path is named in errors.
  static Result<Manifest> Decode(const std::string& text, const std::string& path);
};

inline constexpr const char* kManifestFile = "MANIFEST";

// Reads dir/MANIFEST; an empty manifest when the file does not exist.
Result<Manifest> LoadManifest(Env* env, const std::string& dir);

}  // namespace sawlog
