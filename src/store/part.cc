#include "store/part.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>

#include "core/coding.h"
#include "store/bloom_filter.h"
#include "store/column.h"
#include "store/part_format.h"
#include "store/compress.h"
#include "store/templated.h"

namespace sawlog {

using namespace part;

namespace {

// Uncompressed column chunks above this are refused as damage (a block is at most a few MiB).
constexpr uint64_t kMaxColumnRawBytes = 256u << 20;

void AppendChunk(std::string* block, std::string_view raw, int level, ColumnInfo* col) {
  col->offset = block->size();
  col->raw_size = raw.size();
  col->codec = AppendCompressed(block, raw, level) ? kCodecZstd : kCodecNone;
  col->size = block->size() - col->offset;
  col->checksum = Checksum(std::string_view(*block).substr(col->offset, col->size));
}

// Appends the text column values as a chunk: templated (store/templated.h) when the writer
// templates, the column would be stored raw, and its values have few enough templates for that
// to be smaller (which saves compressing it raw too); else in its own encoding.
void AppendTextChunk(std::string* block, const std::vector<std::optional<std::string_view>>& values, int level,
                     bool templates, bool always, DistinctValues* distinct, ColumnInfo* col) {
  ColumnEncoding encoding;
  std::string encoded = EncodeColumn(values, &encoding, distinct);
  std::optional<std::string> templated;
  if (templates && (encoding == ColumnEncoding::kRaw || always))
    templated = EncodeTemplatedColumn(values, level, always);
  if (!templated) {
    AppendChunk(block, encoded, level, col);
    return;
  }
  // Its sections are compressed already: the chunk itself is stored as is.
  col->offset = block->size();
  block->append(*templated);
  col->raw_size = templated->size();
  col->codec = kCodecNone;
  col->size = templated->size();
  col->checksum = Checksum(*templated);
}

void AppendBloom(std::string* block, const std::vector<std::optional<std::string_view>>& values,
                 const DistinctValues& known, bool pairs, TokenFilterBuilder* filters, ColumnInfo* col) {
  std::string bloom = filters->Build(values, known, pairs);
  col->bloom_offset = block->size();
  col->bloom_size = bloom.size();
  col->bloom_checksum = Checksum(bloom);
  block->append(bloom);
}

}  // namespace

const ColumnInfo* BlockInfo::Column(std::string_view name) const {
  // Most searches are of _msg, always the third column of a block read from a file.
  if (columns.size() > 2 && name == columns[2].name) return &columns[2];
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

bool PartWriter::RichMsg() const { return zstd_level_ >= kTemplateZstdLevel || always_template_; }

Result<std::unique_ptr<PartWriter>> PartWriter::Create(Env* env, const std::string& path, int zstd_level) {
  std::unique_ptr<PartWriter> w(new PartWriter);
  w->zstd_level_ = zstd_level;
  ASSIGN_OR_RETURN(w->file_, env->NewWritableFile(path));
  return w;
}

PartWriter::~PartWriter() = default;

Status PartWriter::StartRow(std::string_view stream, bool stream_ends_block) {
  if (!rows_.empty() && (BlockFull(rows_.size(), rows_bytes_) || (stream_ends_block && stream != rows_.front().stream)))
    return FlushBlock();
  return Status::Ok();
}

void PartWriter::EndRow(const Row& row) {
  size_t bytes = Event::BaseBytes(row.stream.size(), row.msg.size());
  for (size_t k = row.first_field; k < row_fields_.size(); ++k)
    bytes += Event::FieldBytes(row_fields_[k].first.size(), row_fields_[k].second.size());
  rows_bytes_ += bytes;
  rows_.push_back(row);
}

void PartWriter::AddRow(const Event& e) {
  const auto first = static_cast<uint32_t>(row_fields_.size());
  for (const auto& f : e.fields) row_fields_.emplace_back(f.name, f.value);
  EndRow({e.time, e.ingest_time, e.stream, e.msg, first, static_cast<uint32_t>(e.fields.size())});
}

Status PartWriter::Add(const Event& e) {
  RETURN_IF_ERROR(StartRow(e.stream, /*stream_ends_block=*/true));
  AddRow(e);
  return Status::Ok();
}

Status PartWriter::AddStream(const std::vector<const Event*>& events) {
  RETURN_IF_ERROR(FlushBlock());
  for (const Event* e : events) {
    RETURN_IF_ERROR(StartRow(e->stream, /*stream_ends_block=*/false));
    AddRow(*e);
  }
  return FlushBlock();
}

Status PartWriter::AddStream(const std::vector<EncodedEvent>& events) {
  RETURN_IF_ERROR(FlushBlock());
  // A stream's events lie apart among the head's others, in memory long gone from the caches:
  // each one's first bytes are fetched a few events ahead (the rest follow as it is read).
  constexpr size_t kAhead = 6;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i + kAhead < events.size()) {
      const char* ahead = events[i + kAhead].bytes.data();
      __builtin_prefetch(ahead);
      __builtin_prefetch(ahead + 64);
      __builtin_prefetch(ahead + 128);
    }
    const EncodedEvent& e = events[i];
    RETURN_IF_ERROR(StartRow(e.stream, /*stream_ends_block=*/false));
    Row row{e.time, e.ingest_time, e.stream, {}, static_cast<uint32_t>(row_fields_.size()), 0};
    if (!DecodeEventViews(e, &row.msg, &row_fields_))
      return Status::Corruption("an event of the head does not decode");
    row.fields = static_cast<uint32_t>(row_fields_.size() - row.first_field);
    EndRow(row);
  }
  return FlushBlock();
}

Status PartWriter::FlushBlock() {
  if (rows_.empty()) return Status::Ok();
  const size_t n = rows_.size();
  BlockColumns block;
  block.stream = rows_.front().stream;

  // Columns in order of first appearance; a name repeated within one event gets further columns.
  std::map<std::pair<std::string_view, int>, size_t> index;  // (name, occurrence in the event) -> column
  std::unordered_map<std::string_view, int> seen;
  // Rows of one stream mostly have one of a few field lists (a message with or without
  // structured data): the last few lists seen, with the column of each of their fields, are
  // reused when a row's field names match one of them.
  struct Layout {
    std::span<const FieldView> fields;  // a row that has this list
    std::vector<size_t> columns;
  };
  constexpr size_t kLayouts = 4;
  std::vector<Layout> layouts;
  layouts.reserve(kLayouts);
  size_t next_layout = 0;  // the one to replace next, round robin
  auto matches = [](std::span<const FieldView> a, std::span<const FieldView> b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
      if (a[k].first != b[k].first) return false;
    return true;
  };
  for (size_t r = 0; r < n; ++r) {
    if (r + 8 < n) __builtin_prefetch(rows_[r + 8].msg.data());  // read next by the encoder and filter
    const std::span<const FieldView> fields(row_fields_.data() + rows_[r].first_field, rows_[r].fields);
    const Layout* layout = nullptr;
    for (const auto& l : layouts)
      if (matches(l.fields, fields)) {
        layout = &l;
        break;
      }
    if (layout == nullptr) {
      Layout l{fields, {}};
      seen.clear();
      for (const auto& [name, value] : fields) {
        int occurrence = seen[name]++;
        auto [it, added] = index.emplace(std::make_pair(name, occurrence), block.values.size());
        if (added) {
          block.names.push_back(name);
          block.values.emplace_back(n);
        }
        l.columns.push_back(it->second);
      }
      if (layouts.size() < kLayouts) {
        layouts.push_back(std::move(l));
        layout = &layouts.back();
      } else {
        layouts[next_layout] = std::move(l);
        layout = &layouts[next_layout];
        next_layout = (next_layout + 1) % kLayouts;
      }
    }
    for (size_t k = 0; k < fields.size(); ++k) block.values[layout->columns[k]][r] = fields[k].second;
  }
  block.time.resize(n);
  block.ingest.resize(n);
  block.msg.resize(n);
  for (size_t r = 0; r < n; ++r) {
    block.time[r] = rows_[r].time;
    block.ingest[r] = rows_[r].ingest_time;
    block.msg[r] = rows_[r].msg;
  }
  RETURN_IF_ERROR(WriteBlock(block));
  rows_.clear();
  row_fields_.clear();
  rows_bytes_ = 0;
  return Status::Ok();
}

Status PartWriter::AddBlock(const BlockColumns& block) {
  RETURN_IF_ERROR(FlushBlock());
  return WriteBlock(block);
}

Status PartWriter::WriteBlock(const BlockColumns& columns) {
  const size_t n = columns.time.size();
  BlockInfo b;
  b.stream = columns.stream;
  b.min_time = columns.time.front();
  b.max_time = columns.time.back();
  b.rows = n;
  std::string block;
  auto add = [&](std::string_view name, std::string encoded) {
    ColumnInfo col;
    col.name = name;
    AppendChunk(&block, std::move(encoded), zstd_level_, &col);
    b.columns.push_back(std::move(col));
  };
  ColumnEncoding enc;
  add(kTimeColumn, EncodeIntColumn(columns.time, &enc));
  add(kIngestTimeColumn, EncodeIntColumn(columns.ingest, &enc));
  // Per text column (_msg first): its distinct values as its encoder found them, for its filter.
  std::vector<DistinctValues> distinct(1 + columns.values.size());
  {
    ColumnInfo col;
    col.name = kMsgColumn;
    AppendTextChunk(&block, columns.msg, zstd_level_, RichMsg(),
                    always_template_, &distinct[0], &col);
    b.columns.push_back(std::move(col));
  }
  for (size_t c = 0; c < columns.values.size(); ++c)
    add(columns.names[c], EncodeColumn(columns.values[c], &enc, &distinct[1 + c]));
  // Bloom filters after all data chunks, so a block's data reads in one piece.
  if (filters_) {
    AppendBloom(&block, columns.msg, distinct[0], RichMsg(), &token_filters_, &b.columns[2]);
    for (size_t c = 0; c < columns.values.size(); ++c)
      AppendBloom(&block, columns.values[c], distinct[1 + c], false, &token_filters_, &b.columns[3 + c]);
  }

  b.offset = file_->Size();
  b.size = block.size();
  RETURN_IF_ERROR(file_->Append(block));
  if (summary_.rows == 0) {
    summary_.min_time = b.min_time;
    summary_.max_time = b.max_time;
  }
  summary_.min_time = std::min(summary_.min_time, b.min_time);
  summary_.max_time = std::max(summary_.max_time, b.max_time);
  summary_.rows += b.rows;
  blocks_.push_back(std::move(b));
  return Status::Ok();
}

Result<PartSummary> PartWriter::Finish() {
  RETURN_IF_ERROR(FlushBlock());
  std::string index;
  PutVarint64(&index, blocks_.size());
  for (const auto& b : blocks_) {
    PutLengthPrefixed(&index, b.stream);
    PutVarsint64(&index, b.min_time);
    PutVarsint64(&index, b.max_time);
    PutVarint64(&index, b.rows);
    PutVarint64(&index, b.offset);
    PutVarint64(&index, b.size);
    PutVarint64(&index, b.columns.size());
    for (const auto& c : b.columns) {
      PutLengthPrefixed(&index, c.name);
      index.push_back(static_cast<char>(c.codec));
      PutVarint64(&index, c.offset);
      PutVarint64(&index, c.size);
      PutVarint64(&index, c.raw_size);
      PutFixed64(&index, c.checksum);
      PutVarint64(&index, c.bloom_offset);
      PutVarint64(&index, c.bloom_size);
      PutFixed64(&index, c.bloom_checksum);
    }
  }
  std::string footer;
  PutFixed64(&footer, file_->Size());
  PutFixed64(&footer, index.size());
  PutFixed64(&footer, Checksum(index));
  PutFixed32(&footer, kPartVersion);
  PutFixed32(&footer, RichMsg() ? kPartFlagMsgPairs : 0);
  PutFixed64(&footer, kPartMagic);
  RETURN_IF_ERROR(file_->Append(index));
  RETURN_IF_ERROR(file_->Append(footer));
  RETURN_IF_ERROR(file_->Sync());
  summary_.bytes = file_->Size();
  RETURN_IF_ERROR(file_->Close());
  return summary_;
}

namespace {

// Rows (Event pointers or encoded events) by stream, streams in order and each one's rows in
// time order. Streams are few and their names long and alike: grouped by hash, then each sorted
// by time, rather than comparing stream names in every comparison of one big sort.
template <typename Row, typename StreamOf, typename TimeOf>
std::vector<std::pair<std::string_view, std::vector<Row>>> ByStream(const std::vector<Row>& rows, StreamOf stream_of,
                                                                    TimeOf time_of) {
  std::unordered_map<std::string_view, std::vector<Row>> by_stream;
  for (const Row& r : rows) by_stream[stream_of(r)].push_back(r);
  std::vector<std::pair<std::string_view, std::vector<Row>>> out(std::make_move_iterator(by_stream.begin()),
                                                                 std::make_move_iterator(by_stream.end()));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto earlier = [&](const Row& a, const Row& b) { return time_of(a) < time_of(b); };
  for (auto& [stream, group] : out)
    if (!std::is_sorted(group.begin(), group.end(), earlier)) std::stable_sort(group.begin(), group.end(), earlier);
  return out;
}

Result<std::unique_ptr<PartWriter>> FlushWriter(Env* env, const std::string& path, bool always_template, bool filters) {
  ASSIGN_OR_RETURN(auto writer, PartWriter::Create(env, path, kFlushZstdLevel));
  if (always_template) writer->AlwaysTemplate();
  if (!filters) writer->SkipFilters();
  return writer;
}

}  // namespace

Result<PartSummary> WritePart(Env* env, const std::string& path, std::vector<const Event*> events,
                              bool always_template, bool filters) {
  auto streams = ByStream(events, [](const Event* e) -> std::string_view { return e->stream; },
                          [](const Event* e) { return e->time; });
  ASSIGN_OR_RETURN(auto writer, FlushWriter(env, path, always_template, filters));
  for (const auto& [stream, group] : streams) RETURN_IF_ERROR(writer->AddStream(group));
  return writer->Finish();
}

Result<PartSummary> WritePart(Env* env, const std::string& path, std::vector<EncodedEvent> events,
                              bool always_template, bool filters) {
  auto streams = ByStream(events, [](const EncodedEvent& e) { return e.stream; },
                          [](const EncodedEvent& e) { return e.time; });
  events = {};
  ASSIGN_OR_RETURN(auto writer, FlushWriter(env, path, always_template, filters));
  for (const auto& [stream, group] : streams) RETURN_IF_ERROR(writer->AddStream(group));
  return writer->Finish();
}

Status PartReader::Corrupt(uint64_t offset, const std::string& why) const {
  return Status::Corruption("part " + path_ + " offset " + std::to_string(offset) + ": " + why);
}

Result<std::unique_ptr<PartReader>> PartReader::Open(Env* env, const std::string& path, BloomCache* cache) {
  auto reader = std::unique_ptr<PartReader>(new PartReader);
  reader->path_ = path;
  ASSIGN_OR_RETURN(reader->file_, env->NewRandomAccessFile(path));
  const uint64_t size = reader->file_->Size();
  if (size < kPartFooterSize) return reader->Corrupt(0, "file too short for a part footer");
  std::string footer;
  RETURN_IF_ERROR(reader->file_->Read(size - kPartFooterSize, kPartFooterSize, &footer));
  if (footer.size() != kPartFooterSize || DecodeFixed64(footer.data() + 32) != kPartMagic)
    return reader->Corrupt(size - kPartFooterSize, "bad footer magic");
  uint32_t version = DecodeFixed32(footer.data() + 24);
  if (version < kMinPartVersion || version > kPartVersion)
    return reader->Corrupt(size - 16, "unsupported part format version " + std::to_string(version));
  // Version 4 and older wrote 0 here.
  reader->msg_pairs_ = version >= 5 && (DecodeFixed32(footer.data() + 28) & kPartFlagMsgPairs) != 0;
  uint64_t index_offset = DecodeFixed64(footer.data());
  uint64_t index_size = DecodeFixed64(footer.data() + 8);
  if (index_offset > size - kPartFooterSize || index_size != size - kPartFooterSize - index_offset)
    return reader->Corrupt(size - kPartFooterSize, "index location out of range");
  std::string index;
  RETURN_IF_ERROR(reader->file_->Read(index_offset, index_size, &index));
  if (index.size() != index_size || Checksum(index) != DecodeFixed64(footer.data() + 16))
    return reader->Corrupt(index_offset, "index checksum mismatch");
  Decoder in(index);
  uint64_t count;
  if (!in.GetVarint64(&count) || count > index_size) return reader->Corrupt(index_offset, "bad block count");
  reader->blocks_.resize(count);
  for (auto& b : reader->blocks_) {
    uint64_t ncols;
    if (!in.GetLengthPrefixed(&b.stream) || !in.GetVarsint64(&b.min_time) || !in.GetVarsint64(&b.max_time) ||
        !in.GetVarint64(&b.rows) || !in.GetVarint64(&b.offset) || !in.GetVarint64(&b.size) ||
        !in.GetVarint64(&ncols) || ncols > index_size)
      return reader->Corrupt(index_offset, "truncated block index");
    if (b.offset > index_offset || b.size > index_offset - b.offset)
      return reader->Corrupt(index_offset, "block location out of range");
    if (b.rows == 0 || b.rows > kMaxBlockRows) return reader->Corrupt(index_offset, "bad block row count");
    b.columns.resize(ncols);
    for (auto& c : b.columns) {
      uint64_t codec_byte = 0;
      if (!in.GetLengthPrefixed(&c.name) || !in.GetByte(&codec_byte) || !in.GetVarint64(&c.offset) ||
          !in.GetVarint64(&c.size) || !in.GetVarint64(&c.raw_size) || !in.GetFixed64(&c.checksum) ||
          !in.GetVarint64(&c.bloom_offset) || !in.GetVarint64(&c.bloom_size) || !in.GetFixed64(&c.bloom_checksum))
        return reader->Corrupt(index_offset, "truncated column index");
      c.codec = static_cast<uint8_t>(codec_byte);
      if (c.offset > b.size || c.size > b.size - c.offset || c.bloom_offset > b.size ||
          c.bloom_size > b.size - c.bloom_offset || c.raw_size > kMaxColumnRawBytes ||
          (c.codec != kCodecNone && c.codec != kCodecZstd))
        return reader->Corrupt(index_offset, "column location out of range");
    }
    if (b.columns.size() < 3 || b.columns[0].name != kTimeColumn || b.columns[1].name != kIngestTimeColumn ||
        b.columns[2].name != kMsgColumn)
      return reader->Corrupt(index_offset, "block lacks its built-in columns");
  }
  size_t slots = 0;
  for (const auto& b : reader->blocks_) {
    // Every block's _msg has a filter when the writer wrote filters (even of no tokens).
    reader->filters_ = reader->filters_ && b.columns[2].bloom_size > 0;
    reader->first_slot_.push_back(slots);
    slots += b.columns.size();
    reader->streams_.push_back(b.stream);
  }
  std::sort(reader->streams_.begin(), reader->streams_.end());
  reader->streams_.erase(std::unique(reader->streams_.begin(), reader->streams_.end()), reader->streams_.end());
  for (auto& b : reader->blocks_)
    b.stream_id = static_cast<uint32_t>(
        std::lower_bound(reader->streams_.begin(), reader->streams_.end(), b.stream) - reader->streams_.begin());
  reader->blooms_ = std::make_unique<CachedBlooms>(cache);
  return reader;
}

Status BlockReader::Load(const PartReader& part, size_t i, bool decode_time) {
  part_ = &part;
  block_ = i;
  const BlockInfo& b = part.blocks_[i];
  rows_ = b.rows;
  bytes_read_ = 0;
  decoded_.assign(b.columns.size(), false);
  values_.assign(b.columns.size(), {});
  raws_.resize(b.columns.size());
  int_homes_.clear();
  typed_.clear();
  typed_.resize(b.columns.size());
  templated_.clear();
  templated_.resize(b.columns.size());
  have_raw_.assign(b.columns.size(), false);
  // _time now (a scan tests it on every row); _ingest_time only with the other columns.
  return decode_time ? DecodeTimeColumn(0) : Status::Ok();
}

Result<std::optional<std::optional<std::string_view>>> BlockReader::Constant(std::string_view name) {
  using Answer = std::optional<std::optional<std::string_view>>;
  ASSIGN_OR_RETURN(const TypedColumn* t, Typed(name));
  if (t == nullptr) return Answer(std::optional<std::string_view>());  // no row has it
  if (t->kind != TypedColumn::Kind::kDict || t->dict.size() != 1 || rows_ == 0) return Answer();
  for (uint16_t c : t->codes)
    if (c != 0) return Answer();  // some row lacks it
  return Answer(t->dict[0]);
}

Result<const TypedColumn*> BlockReader::Typed(std::string_view name) {
  const auto& columns = part_->blocks_[block_].columns;
  size_t c = 2;
  while (c < columns.size() && columns[c].name != name) ++c;
  if (c == columns.size()) return nullptr;
  if (typed_[c]) return typed_[c].get();
  std::string_view raw;
  RETURN_IF_ERROR(RawOf(c, &raw));
  auto t = std::make_unique<TypedColumn>();
  Status st = DecodeTypedColumn(raw, rows_, t.get());
  if (!st.ok()) return Corrupt(c, st.message());
  typed_[c] = std::move(t);
  return typed_[c].get();
}

Result<TemplatedColumn*> BlockReader::Templated(std::string_view name) {
  const auto& columns = part_->blocks_[block_].columns;
  size_t c = 2;
  while (c < columns.size() && columns[c].name != name) ++c;
  if (c == columns.size()) return nullptr;
  if (templated_[c]) return templated_[c].get();
  // Templated chunks are stored uncompressed (their sections compress themselves): the first
  // byte in the file tells, without reading the rest.
  if (columns[c].codec != kCodecNone) return nullptr;
  std::string_view raw;
  RETURN_IF_ERROR(RawOf(c, &raw));
  const auto encoding = raw.empty() ? ColumnEncoding::kRaw : static_cast<ColumnEncoding>(static_cast<uint8_t>(raw[0]));
  if (encoding != ColumnEncoding::kTemplated && encoding != ColumnEncoding::kTemplatedSplit) return nullptr;
  auto t = std::make_unique<TemplatedColumn>();
  Status st = t->Open(raw, rows_);
  if (!st.ok()) return Corrupt(c, st.message());
  templated_[c] = std::move(t);
  return templated_[c].get();
}

std::optional<std::string_view> BlockReader::MsgRun(std::vector<size_t>* row_ends) const {
  if (rows_ == 0 || !decoded_[2]) return std::nullopt;
  const auto& msgs = values_[2];
  const char* begin = msgs[0]->data();
  const char* at = begin;
  row_ends->resize(rows_);
  for (size_t r = 0; r < rows_; ++r) {
    if (msgs[r]->data() != at) return std::nullopt;
    at += msgs[r]->size();
    (*row_ends)[r] = static_cast<size_t>(at - begin);
  }
  return std::string_view(begin, static_cast<size_t>(at - begin));
}

// _time and _ingest_time decode straight to integers.
Status BlockReader::DecodeTimeColumn(size_t c) {
  if (decoded_[c]) return Status::Ok();
  std::string_view chunk;
  RETURN_IF_ERROR(ChunkOf(c, &raws_[c], &chunk));
  Status st = DecodeIntColumn(chunk, rows_, c == 0 ? &times_ : &ingest_times_);
  if (!st.ok()) return Corrupt(c, st.message());
  decoded_[c] = true;
  return Status::Ok();
}

// Reads only column c's bytes: a search reads the one or two columns its filter needs, and the
// rest only of blocks with matches.
Status BlockReader::ChunkOf(size_t c, std::string* raw, std::string_view* out) {
  const BlockInfo& b = part_->blocks_[block_];
  const ColumnInfo& col = b.columns[c];
  std::string& stored = col.codec == kCodecZstd ? scratch_ : *raw;
  RETURN_IF_ERROR(part_->file_->Read(b.offset + col.offset, col.size, &stored));
  bytes_read_ += stored.size();
  if (stored.size() != col.size) return Corrupt(c, "column runs past the end of the file");
  if (Checksum(stored) != col.checksum) return Corrupt(c, "checksum mismatch");
  *out = stored;
  if (col.codec == kCodecZstd) {
    if (!Decompress(stored, col.raw_size, raw)) return Corrupt(c, "zstd cannot decompress");
    *out = *raw;
  }
  return Status::Ok();
}

Status BlockReader::Corrupt(size_t c, const std::string& why) const {
  const BlockInfo& b = part_->blocks_[block_];
  return part_->Corrupt(b.offset + b.columns[c].offset,
                        "block " + std::to_string(block_) + " column '" + b.columns[c].name + "': " + why);
}

Status BlockReader::RawOf(size_t c, std::string_view* out) {
  if (!have_raw_[c]) RETURN_IF_ERROR(ChunkOf(c, &raws_[c], out));
  have_raw_[c] = true;
  *out = raws_[c];
  return Status::Ok();
}

Status BlockReader::DecodeColumn(size_t c) {
  if (decoded_[c]) return Status::Ok();
  // Integer columns print their values into a vector of their own, which keeps its place
  // (views into it stay valid) for the life of this block; so do rebuilt templated values.
  auto printed = std::make_shared<std::vector<std::string>>();
  Status st;
  if (templated_[c]) {  // opened by a search already: rebuilt from it
    printed->emplace_back();
    st = templated_[c]->Rebuild(&printed->back(), &values_[c]);
  } else {
    std::string_view raw;
    RETURN_IF_ERROR(RawOf(c, &raw));
    st = sawlog::DecodeColumn(raw, rows_, &values_[c], printed.get());
  }
  if (!st.ok()) return Corrupt(c, st.message());
  if (!printed->empty()) int_homes_.push_back(std::move(printed));
  if (c == 2)
    for (size_t r = 0; r < rows_; ++r)
      if (!values_[c][r]) return Corrupt(c, "a row lacks _msg");
  decoded_[c] = true;
  return Status::Ok();
}

Status BlockReader::Decode(const std::vector<std::string>* names) {
  const auto& columns = part_->blocks_[block_].columns;
  if (names == nullptr) {
    RETURN_IF_ERROR(DecodeTimeColumn(0));
    RETURN_IF_ERROR(DecodeTimeColumn(1));
  }
  for (size_t c = 2; c < columns.size(); ++c) {
    bool wanted = names == nullptr || std::find(names->begin(), names->end(), columns[c].name) != names->end();
    if (wanted) RETURN_IF_ERROR(DecodeColumn(c));
  }
  return Status::Ok();
}

std::optional<std::string_view> BlockReader::Find(size_t r, std::string_view name) const {
  const BlockInfo& b = part_->blocks_[block_];
  if (name == kMsgColumn) return decoded_[2] ? values_[2][r] : std::nullopt;
  if (name == "_stream") return std::string_view(b.stream);
  for (size_t c = 3; c < b.columns.size(); ++c)
    if (b.columns[c].name == name && decoded_[c] && values_[c][r]) return values_[c][r];
  return std::nullopt;
}

void BlockReader::ForEachField(size_t r, const std::function<void(std::string_view, std::string_view)>& fn) const {
  const BlockInfo& b = part_->blocks_[block_];
  fn("_stream", b.stream);
  if (decoded_[2]) fn(kMsgColumn, *values_[2][r]);
  for (size_t c = 3; c < b.columns.size(); ++c)
    if (decoded_[c] && values_[c][r]) fn(b.columns[c].name, *values_[c][r]);
}

void BlockReader::BuildEvent(size_t r, Event* e) const {
  const BlockInfo& b = part_->blocks_[block_];
  e->time = times_[r];
  e->ingest_time = decoded_[1] ? ingest_times_[r] : 0;
  e->stream = b.stream;
  if (decoded_[2]) e->msg.assign(*values_[2][r]);
  e->fields.clear();
  for (size_t c = 3; c < b.columns.size(); ++c)
    if (decoded_[c] && values_[c][r]) e->fields.push_back({b.columns[c].name, std::string(*values_[c][r])});
}

Status PartReader::ReadBlock(size_t i, std::vector<Event>* out) const {
  BlockReader br;
  RETURN_IF_ERROR(br.Load(*this, i));
  RETURN_IF_ERROR(br.Decode(nullptr));
  const size_t first = out->size();
  out->resize(first + br.rows());
  for (size_t r = 0; r < br.rows(); ++r) br.BuildEvent(r, &(*out)[first + r]);
  return Status::Ok();
}

Result<std::string> PartReader::ReadBloom(size_t i, const ColumnInfo& col) const {
  const uint64_t offset = blocks_[i].offset + col.bloom_offset;
  std::string bloom;
  RETURN_IF_ERROR(file_->Read(offset, col.bloom_size, &bloom));
  if (bloom.size() != col.bloom_size || Checksum(bloom) != col.bloom_checksum)
    return Corrupt(offset, "block " + std::to_string(i) + " column '" + col.name + "': bloom filter checksum mismatch");
  return bloom;
}

Result<std::shared_ptr<const PartBlooms>> PartReader::PinBlooms() const {
  return blooms_->Pin([this]() -> Result<PartBlooms> {
    PartBlooms all;
    for (size_t i = 0; i < blocks_.size(); ++i)
      for (const auto& col : blocks_[i].columns) {
        if (col.bloom_size == 0) {
          all.Add({});
          continue;
        }
        ASSIGN_OR_RETURN(std::string bloom, ReadBloom(i, col));
        all.Add(bloom);
      }
    return all;
  });
}

Result<bool> PartReader::MayContainToken(size_t i, const ColumnInfo& col, uint64_t token_hash,
                                         const PartBlooms* pinned) const {
  if (col.bloom_size == 0) return true;
  if (pinned)
    return BloomMayContain(pinned->Get(first_slot_[i] + static_cast<size_t>(&col - blocks_[i].columns.data())), token_hash);
  ASSIGN_OR_RETURN(std::string bloom, ReadBloom(i, col));
  return BloomMayContain(bloom, token_hash);
}

Status PartReader::Check() const {
  std::vector<Event> events;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    events.clear();
    RETURN_IF_ERROR(ReadBlock(i, &events));
    for (const auto& c : blocks_[i].columns) RETURN_IF_ERROR(MayContainToken(i, c, 0).status());
  }
  return Status::Ok();
}

}  // namespace sawlog
