// Fuzzes part files: the input is written as a part file, opened with PartReader::Open, and on
// success every block is read with ReadBlock and the whole file checked with Check(). Errors are
// expected; crashes, hangs and leaks are not.
//
// Each input runs twice: as is, and with the block checksums in the index and the index checksum in
// the footer recomputed, so the fuzzer gets past the checksums to the zstd frames and the rows.
//
// Invariants: an opened part's blocks lie before its index and have 1 to kMaxBlockRows rows; a
// block that reads appends exactly its row count of events, all of the block's stream; Check()
// succeeds exactly when every block reads.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/env.h"
#include "temp_dir.h"
#include "store/bloom_filter.h"
#include "store/part.h"
#include "store/part_format.h"

namespace {

const std::string& TempDir() {
  return sawlog::fuzz::TempDir("part");
}

void OverwriteFixed64(std::string* data, size_t offset, uint64_t v) {
  std::string fixed;
  sawlog::PutFixed64(&fixed, v);
  data->replace(offset, 8, fixed);
}

// Recomputes the checksums of the blocks the index locates, then the index's checksum.
std::string RepairChecksums(std::string data) {
  using namespace sawlog::part;
  if (data.size() < kPartFooterSize) return data;
  const size_t footer = data.size() - kPartFooterSize;
  uint64_t index_offset = sawlog::DecodeFixed64(data.data() + footer);
  uint64_t index_size = sawlog::DecodeFixed64(data.data() + footer + 8);
  if (index_offset > footer || index_size != footer - index_offset) return data;
  auto fix = [&](size_t at, uint64_t offset, uint64_t size) {
    if (offset <= index_offset && size <= index_offset - offset)
      OverwriteFixed64(&data, at, sawlog::Checksum(std::string_view(data).substr(offset, size)));
  };
  const std::string index = data.substr(index_offset, index_size);
  sawlog::Decoder in(index);
  auto here = [&] { return index_offset + index_size - in.remaining(); };
  uint64_t count;
  if (in.GetVarint64(&count)) {
    for (uint64_t i = 0; i < count && i <= index_size; ++i) {
      std::string_view stream;
      int64_t min_time, max_time;
      uint64_t rows, offset, size, ncols;
      if (!in.GetLengthPrefixed(&stream) || !in.GetVarsint64(&min_time) || !in.GetVarsint64(&max_time) ||
          !in.GetVarint64(&rows) || !in.GetVarint64(&offset) || !in.GetVarint64(&size) || !in.GetVarint64(&ncols))
        break;
      bool ok = true;
      for (uint64_t c = 0; ok && c < ncols && c <= index_size; ++c) {
        std::string_view name;
        uint64_t codec, col_offset, col_size, raw_size, sum, bloom_offset, bloom_size;
        ok = in.GetLengthPrefixed(&name) && in.GetByte(&codec) && in.GetVarint64(&col_offset) &&
             in.GetVarint64(&col_size) && in.GetVarint64(&raw_size);
        if (!ok) break;
        size_t sum_at = here();
        ok = in.GetFixed64(&sum) && in.GetVarint64(&bloom_offset) && in.GetVarint64(&bloom_size);
        if (!ok) break;
        size_t bloom_sum_at = here();
        ok = in.GetFixed64(&sum);
        if (!ok) break;
        fix(sum_at, offset + col_offset, col_size);
        fix(bloom_sum_at, offset + bloom_offset, bloom_size);
      }
      if (!ok) break;
    }
  }
  // The index itself, last: the fixes above changed it.
  OverwriteFixed64(&data, footer + 16, sawlog::Checksum(std::string_view(data).substr(index_offset, index_size)));
  return data;
}

void RunOne(const std::string& bytes) {
  sawlog::Env* env = sawlog::Env::Default();
  const std::string path = sawlog::JoinPath(TempDir(), "fuzz.part");
  {
    auto file = env->NewWritableFile(path);
    if (!file.ok() || !file.value()->Append(bytes).ok() || !file.value()->Close().ok()) std::abort();
  }
  {
  sawlog::BloomCache cache(1 << 20);
  auto reader = sawlog::PartReader::Open(env, path, &cache);
  if (reader.ok()) {
    const auto& blocks = reader.value()->blocks();
    bool all_read = true;
    for (size_t i = 0; i < blocks.size(); ++i) {
      const sawlog::BlockInfo& b = blocks[i];
      if (b.offset > bytes.size() || b.size > bytes.size() - b.offset) __builtin_trap();
      if (b.rows == 0 || b.rows > sawlog::part::kMaxBlockRows) __builtin_trap();
      std::vector<sawlog::Event> events(1);  // ReadBlock appends
      sawlog::Status st = reader.value()->ReadBlock(i, &events);
      if (st.ok()) {
        if (events.size() != 1 + b.rows) __builtin_trap();
        for (size_t r = 1; r < events.size(); ++r)
          if (events[r].stream != b.stream) __builtin_trap();
      } else {
        if (st.code() != sawlog::Code::kCorruption) __builtin_trap();
        all_read = false;
      }
    }
    // Check() also verifies the bloom filters, so it may fail where every block read.
    const bool checked = reader.value()->Check().ok();
    if (checked && !all_read) __builtin_trap();
    // The cached filters answer as the ones read from the file, and load only when all are sound.
    auto pinned = reader.value()->PinBlooms();
    if (pinned.ok() != checked && all_read) __builtin_trap();
    if (pinned.ok() && pinned.value()) {
      const uint64_t probes[] = {sawlog::TokenHash("needle0"), sawlog::TokenHash("get"), 0};
      for (size_t i = 0; i < blocks.size(); ++i)
        for (const auto& col : blocks[i].columns)
          for (uint64_t h : probes) {
            auto from_file = reader.value()->MayContainToken(i, col, h);
            auto from_cache = reader.value()->MayContainToken(i, col, h, pinned.value().get());
            if (!from_file.ok() || !from_cache.ok() || from_file.value() != from_cache.value()) __builtin_trap();
          }
    }
  } else if (reader.status().code() != sawlog::Code::kCorruption) {
    __builtin_trap();
  }
  }  // the reader closes the file
  (void)env->RemoveFile(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  RunOne(bytes);
  std::string repaired = RepairChecksums(bytes);
  if (repaired != bytes) RunOne(repaired);
  return 0;
}
