#include "store/part.h"

#include <zstd.h>

#include <algorithm>
#include <unordered_map>

#include "core/coding.h"
#include "store/event_codec.h"
#include "store/part_format.h"

namespace sawlog {

using namespace part;

namespace {

Status CompressBlock(const std::string& raw, std::string* out) {
  out->resize(ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress(out->data(), out->size(), raw.data(), raw.size(), kBlockZstdLevel);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::Ok();
}

}  // namespace

Result<PartSummary> WritePart(Env* env, const std::string& path, std::vector<const Event*> events) {
  // Streams are few and their names long and alike: group by hash, then sort each by time,
  // rather than comparing stream names in every comparison of one big sort.
  std::unordered_map<std::string_view, std::vector<const Event*>> by_stream;
  for (const Event* e : events) by_stream[e->stream].push_back(e);
  std::vector<std::string_view> streams;
  for (auto& [stream, group] : by_stream) {
    streams.push_back(stream);
    std::stable_sort(group.begin(), group.end(), [](const Event* a, const Event* b) { return a->time < b->time; });
  }
  std::sort(streams.begin(), streams.end());
  events.clear();
  for (auto stream : streams) events.insert(events.end(), by_stream[stream].begin(), by_stream[stream].end());
  ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path));
  std::vector<BlockInfo> blocks;
  PartSummary summary;
  summary.min_time = events.empty() ? 0 : events.front()->time;
  summary.max_time = summary.min_time;
  std::string raw, compressed;
  size_t i = 0;
  while (i < events.size()) {
    BlockInfo b;
    b.stream = events[i]->stream;
    b.min_time = events[i]->time;
    raw.clear();
    size_t j = i;
    while (j < events.size() && events[j]->stream == b.stream && j - i < kMaxBlockRows &&
           raw.size() < kMaxBlockBytes) {
      EncodeEvent(&raw, *events[j], /*with_stream=*/false);
      b.max_time = events[j]->time;
      ++j;
    }
    RETURN_IF_ERROR(CompressBlock(raw, &compressed));
    b.rows = j - i;
    b.offset = file->Size();
    b.size = compressed.size();
    b.checksum = Checksum(compressed);
    RETURN_IF_ERROR(file->Append(compressed));
    summary.min_time = std::min(summary.min_time, b.min_time);
    summary.max_time = std::max(summary.max_time, b.max_time);
    summary.rows += b.rows;
    blocks.push_back(std::move(b));
    i = j;
  }
  std::string index;
  PutVarint64(&index, blocks.size());
  for (const auto& b : blocks) {
    PutLengthPrefixed(&index, b.stream);
    PutVarsint64(&index, b.min_time);
    PutVarsint64(&index, b.max_time);
    PutVarint64(&index, b.rows);
    PutVarint64(&index, b.offset);
    PutVarint64(&index, b.size);
    PutFixed64(&index, b.checksum);
  }
  std::string footer;
  PutFixed64(&footer, file->Size());
  PutFixed64(&footer, index.size());
  PutFixed64(&footer, Checksum(index));
  PutFixed32(&footer, kPartVersion);
  PutFixed32(&footer, 0);
  PutFixed64(&footer, kPartMagic);
  RETURN_IF_ERROR(file->Append(index));
  RETURN_IF_ERROR(file->Append(footer));
  RETURN_IF_ERROR(file->Sync());
  summary.bytes = file->Size();
  RETURN_IF_ERROR(file->Close());
  return summary;
}

Result<std::unique_ptr<PartReader>> PartReader::Open(Env* env, const std::string& path) {
  auto reader = std::unique_ptr<PartReader>(new PartReader);
  reader->path_ = path;
  ASSIGN_OR_RETURN(reader->file_, env->NewRandomAccessFile(path));
  const uint64_t size = reader->file_->Size();
  auto corrupt = [&](uint64_t offset, const std::string& why) {
    return Status::Corruption("part " + path + " offset " + std::to_string(offset) + ": " + why);
  };
  if (size < kPartFooterSize) return corrupt(0, "file too short for a part footer");
  std::string footer;
  RETURN_IF_ERROR(reader->file_->Read(size - kPartFooterSize, kPartFooterSize, &footer));
  if (footer.size() != kPartFooterSize || DecodeFixed64(footer.data() + 32) != kPartMagic)
    return corrupt(size - kPartFooterSize, "bad footer magic");
  uint32_t version = DecodeFixed32(footer.data() + 24);
  if (version != kPartVersion)
    return corrupt(size - 16, "unsupported part format version " + std::to_string(version));
  uint64_t index_offset = DecodeFixed64(footer.data());
  uint64_t index_size = DecodeFixed64(footer.data() + 8);
  if (index_offset > size - kPartFooterSize || index_size != size - kPartFooterSize - index_offset)
    return corrupt(size - kPartFooterSize, "index location out of range");
  std::string index;
  RETURN_IF_ERROR(reader->file_->Read(index_offset, index_size, &index));
  if (index.size() != index_size || Checksum(index) != DecodeFixed64(footer.data() + 16))
    return corrupt(index_offset, "index checksum mismatch");
  Decoder in(index);
  uint64_t count;
  if (!in.GetVarint64(&count) || count > index_size) return corrupt(index_offset, "bad block count");
  reader->blocks_.resize(count);
  for (auto& b : reader->blocks_) {
    if (!in.GetLengthPrefixed(&b.stream) || !in.GetVarsint64(&b.min_time) ||
        !in.GetVarsint64(&b.max_time) || !in.GetVarint64(&b.rows) || !in.GetVarint64(&b.offset) ||
        !in.GetVarint64(&b.size) || !in.GetFixed64(&b.checksum))
      return corrupt(index_offset, "truncated block index");
    if (b.offset > index_offset || b.size > index_offset - b.offset)
      return corrupt(index_offset, "block location out of range");
    if (b.rows == 0 || b.rows > kMaxBlockRows) return corrupt(index_offset, "bad block row count");
  }
  return reader;
}

Status PartReader::ReadBlock(size_t i, std::vector<Event>* out) const {
  const BlockInfo& b = blocks_[i];
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("part " + path_ + " offset " + std::to_string(b.offset) + ": block " +
                              std::to_string(i) + ": " + why);
  };
  std::string compressed;
  RETURN_IF_ERROR(file_->Read(b.offset, b.size, &compressed));
  if (compressed.size() != b.size || Checksum(compressed) != b.checksum) return corrupt("checksum mismatch");
  unsigned long long raw_size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      raw_size > 64 * kMaxBlockBytes)
    return corrupt("bad zstd frame");
  std::string raw(raw_size, '\0');
  size_t n = ZSTD_decompress(raw.data(), raw.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != raw_size) return corrupt("zstd cannot decompress the block");
  Decoder in(raw);
  size_t first = out->size();
  out->resize(first + b.rows);
  for (size_t r = 0; r < b.rows; ++r) {
    Event& e = (*out)[first + r];
    if (!DecodeEvent(&in, &e, /*with_stream=*/false)) return corrupt("row " + std::to_string(r) + " is malformed");
    e.stream = b.stream;
  }
  if (!in.empty()) return corrupt("bytes left after the last row");
  return Status::Ok();
}

Status PartReader::Check() const {
  std::vector<Event> events;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    events.clear();
    RETURN_IF_ERROR(ReadBlock(i, &events));
  }
  return Status::Ok();
}

}  // namespace sawlog
