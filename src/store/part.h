// Part: one immutable file of events of one tenant and one day, in columnar blocks per stream.
// Format: docs/formats/part.md, constants in part_format.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/event.h"
#include "core/status.h"
#include "store/bloom_cache.h"
#include "store/column.h"
#include "store/event_codec.h"
#include "store/templated.h"
#include "store/token_filter.h"

namespace sawlog {

struct ColumnInfo {
  std::string name;  // "_time", "_ingest_time", "_msg", or a field's name
  uint8_t codec = 0;
  uint64_t offset = 0;  // from the start of the block
  uint64_t size = 0;
  uint64_t raw_size = 0;
  uint64_t checksum = 0;
  uint64_t bloom_offset = 0;  // from the start of the block; size 0: no filter
  uint64_t bloom_size = 0;
  uint64_t bloom_checksum = 0;
};

struct BlockInfo {
  std::string stream;
  uint32_t stream_id = 0;  // index into PartReader::streams()
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t rows = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  std::vector<ColumnInfo> columns;

  const ColumnInfo* Column(std::string_view name) const;
};

struct PartSummary {
  uint64_t rows = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t bytes = 0;
};

// One block's rows as columns: what PartWriter encodes, whether the rows came as events (a
// flush) or as the decoded columns of other parts' blocks (a merge, which builds no events).
// Views: what they point to must outlive the PartWriter call they are given to.
struct BlockColumns {
  std::string_view stream;
  std::vector<int64_t> time;    // ascending
  std::vector<int64_t> ingest;  // _ingest_time
  std::vector<std::optional<std::string_view>> msg;  // every row has one
  // The other columns, in order of first appearance in the rows; a name an event repeats gets
  // further columns of the same name.
  std::vector<std::string_view> names;
  std::vector<std::vector<std::optional<std::string_view>>> values;  // per column, per row
};

// Writes a part file, streaming: events arrive in (stream, time) order and go out block by block,
// so memory stays at one block whatever the part's size.
class PartWriter {
 public:
  static Result<std::unique_ptr<PartWriter>> Create(Env* env, const std::string& path, int zstd_level);
  ~PartWriter();
  // Precondition: (stream, time) not less than the previous event's.
  // Borrows the event: it must stay alive and unchanged until Finish() returns (a flush writes
  // events straight from the head, without copying them).
  Status Add(const Event& event);
  // Every event of one stream, in time order (after the events added so far, which it follows
  // in (stream, time) order); borrowed as by Add(). Blocks end by size only: no stream compared.
  Status AddStream(const std::vector<const Event*>& events);
  // The same, of events still encoded (the head's), read in place: their bytes are borrowed.
  // Corruption when one does not decode.
  Status AddStream(const std::vector<EncodedEvent>& events);
  // A whole block at once, after the events added so far. Precondition: as for Add(), and at most
  // kMaxBlockRows rows.
  Status AddBlock(const BlockColumns& block);
  // Writes the index and footer, syncs and closes. The caller renames the file into place.
  Result<PartSummary> Finish();
  // Tests: store _msg templated in every block, whatever the sizes.
  void AlwaysTemplate() { always_template_ = true; }
  // Writes no bloom filters (the flush's parts, which a merge soon rewrites with them).
  void SkipFilters() { filters_ = false; }

 private:
  PartWriter() = default;
  // A row of the block being built, as views of the event it came from (an Event's strings, or
  // the bytes of an encoded event); its fields are row_fields_[first_field, + fields).
  struct Row {
    int64_t time;
    int64_t ingest_time;
    std::string_view stream;
    std::string_view msg;
    uint32_t first_field;
    uint32_t fields;
  };
  // Starts a new block first when the current one is full, or `stream` ends it.
  Status StartRow(std::string_view stream, bool stream_ends_block);
  // Adds the row whose fields were appended to row_fields_ since StartRow; bytes as
  // Event::ApproximateBytes counts them.
  void EndRow(const Row& row);
  void AddRow(const Event& e);  // EndRow of an Event's views
  // Writes the rows added since the last block as one.
  Status FlushBlock();
  Status WriteBlock(const BlockColumns& block);

  std::unique_ptr<WritableFile> file_;
  std::vector<Row> rows_;  // the block being built
  std::vector<FieldView> row_fields_;
  size_t rows_bytes_ = 0;
  std::vector<BlockInfo> blocks_;
  PartSummary summary_;
  // The large merges' parts (and the test knob's): _msg templated where smaller, and its
  // filters holding token pairs.
  bool RichMsg() const;
  int zstd_level_ = 3;
  bool always_template_ = false;
  bool filters_ = true;
  TokenFilterBuilder token_filters_;
};

// Writes events (any order) as a part file at path, with the flush's zstd level: written,
// synced and closed on return. always_template: see PartWriter::AlwaysTemplate(); without
// filters: PartWriter::SkipFilters().
Result<PartSummary> WritePart(Env* env, const std::string& path, std::vector<const Event*> events,
                              bool always_template = false, bool filters = true);
// The same from events still encoded (the head's, event_codec.h), read in place: the flush's
// memory is the head's bytes, not those of its events as objects.
Result<PartSummary> WritePart(Env* env, const std::string& path, std::vector<EncodedEvent> events,
                              bool always_template = false, bool filters = true);

class PartReader;

// The columns of one block, decoded on demand: a scan decodes the few columns its filter needs
// for every row, and the rest only for the rows that match.
class BlockReader {
 public:
  // Reads block i of the part. The reader must outlive this object.
  Status Load(const PartReader& part, size_t i, bool decode_time = true);
  // _time, when Load() was told not to (a fold may take a whole block without it).
  Status DecodeTime() { return DecodeTimeColumn(0); }
  // The field's value in every row (inner nullopt: no row has it); nullopt when rows differ.
  // Decodes the column.
  Result<std::optional<std::optional<std::string_view>>> Constant(std::string_view name);
  // The field's column decoded as stored (for folds over values); nullptr when no row has it.
  Result<const TypedColumn*> Typed(std::string_view name);
  // The field's column opened as templates and variables when it is stored so
  // (store/templated.h); nullptr when it is not (or no row has the field).
  Result<TemplatedColumn*> Templated(std::string_view name);
  // Every row's _time (DecodeTime() first when Load() was told not to), ascending.
  const std::vector<int64_t>& times() const { return times_; }
  // Every row's _ingest_time, once decoded (Decode(nullptr)).
  const std::vector<int64_t>& ingest_times() const { return ingest_times_; }
  // Column c (2: _msg, then the fields in the block's order) of every row, once decoded.
  const std::vector<std::optional<std::string_view>>& Values(size_t c) const { return values_[c]; }
  // Every row's _msg back to back, when _msg is decoded and stored that way (not as a
  // dictionary), with each row's end offset in it; nullopt otherwise.
  std::optional<std::string_view> MsgRun(std::vector<size_t>* row_ends) const;
  // Decodes the columns with these names; null: every column, _ingest_time included (Load()
  // decodes _time).
  Status Decode(const std::vector<std::string>* names);
  size_t rows() const { return rows_; }
  int64_t Time(size_t row) const { return times_[row]; }
  // Fills e with row's time, stream, and the decoded columns' values.
  void BuildEvent(size_t row, Event* e) const;
  // A decoded column's value in row (_msg and _stream included), as Event::Find would give it.
  std::optional<std::string_view> Find(size_t row, std::string_view name) const;
  // fn(name, value) for _stream, _msg (when decoded) and each decoded column row has a value in.
  void ForEachField(size_t row, const std::function<void(std::string_view, std::string_view)>& fn) const;
  // Bytes read from the file since Load().
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  Status DecodeColumn(size_t c);
  // Column c's bytes as encoded, read once per Load() (a search may look before decoding).
  Status RawOf(size_t c, std::string_view* out);
  Status DecodeTimeColumn(size_t c);
  // Column c's bytes, checked and decompressed (into *raw when compressed).
  Status ChunkOf(size_t c, std::string* raw, std::string_view* out);
  Status Corrupt(size_t c, const std::string& why) const;

  const PartReader* part_ = nullptr;
  size_t block_ = 0;
  size_t rows_ = 0;
  uint64_t bytes_read_ = 0;
  std::string scratch_;  // compressed bytes of the column being read
  std::vector<bool> decoded_;
  std::vector<bool> have_raw_;  // raws_[c] holds column c's bytes
  std::vector<std::vector<std::optional<std::string_view>>> values_;
  std::vector<std::string> raws_;
  std::vector<std::shared_ptr<std::vector<std::string>>> int_homes_;  // other int columns' values
  std::vector<int64_t> times_, ingest_times_;
  std::vector<std::unique_ptr<TypedColumn>> typed_;
  std::vector<std::unique_ptr<TemplatedColumn>> templated_;
};

// A part file opened for reading. Thread-safe: blocks may be read concurrently.
class PartReader {
 public:
  // With a cache, bloom filters are kept there once read (the cache must outlive the reader).
  static Result<std::unique_ptr<PartReader>> Open(Env* env, const std::string& path,
                                                  BloomCache* cache = nullptr);

  const std::vector<BlockInfo>& blocks() const { return blocks_; }
  // The part's stream index: its distinct streams, sorted; BlockInfo::stream_id points here.
  const std::vector<std::string>& streams() const { return streams_; }
  const std::string& path() const { return path_; }
  // Decodes the events of block i, appending them to *out.
  Status ReadBlock(size_t i, std::vector<Event>* out) const;
  // The part's bloom filters from the cache, read and checked on first use; null when there
  // is no cache or they do not fit in it.
  Result<std::shared_ptr<const PartBlooms>> PinBlooms() const;
  // False only when the column (one of block i's) certainly lacks the token (its bloom filter
  // says so); the token hash is TokenHash() of the case-folded token. Reads the filter from
  // `pinned` (PinBlooms()) when given, else from the file.
  Result<bool> MayContainToken(size_t i, const ColumnInfo& column, uint64_t token_hash,
                               const PartBlooms* pinned = nullptr) const;
  // Whether _msg's filters also hold neighbouring token pairs (TokenPairHash; footer flag
  // kPartFlagMsgPairs).
  bool has_msg_pairs() const { return msg_pairs_; }
  // Whether its text columns have bloom filters (PartWriter::SkipFilters() writes none): a part
  // without them is read in full by every search until a merge rewrites it.
  bool has_filters() const { return filters_; }
  // Verifies every checksum and decodes every block.
  Status Check() const;
  uint64_t size() const { return file_->Size(); }

 private:
  friend class BlockReader;
  Status Corrupt(uint64_t offset, const std::string& why) const;
  Result<std::string> ReadBloom(size_t i, const ColumnInfo& col) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  std::vector<BlockInfo> blocks_;
  std::vector<std::string> streams_;
  std::vector<size_t> first_slot_;  // per block: the PartBlooms slot of its first column
  std::unique_ptr<CachedBlooms> blooms_;
  bool msg_pairs_ = false;
  bool filters_ = true;
};

}  // namespace sawlog
