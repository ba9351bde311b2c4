// Column: the values of one field across the rows of a block, in the encoding that suits them.
// Encodings and their byte layouts are in docs/formats/part.md; their ids are on disk.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sawlog {

// DO NOT CHANGE: stored in part files.
enum class ColumnEncoding : uint8_t {
  kConst = 0,  // every present row has the same value
  kDict = 1,   // at most kMaxDictValues distinct values; one byte per row
  kInt = 2,    // canonical decimal integers: zig-zag varint deltas
  kRaw = 3,    // lengths, then the bytes
  kPacked = 4, // canonical decimal integers: deltas bit-packed in groups of kPackedGroup (part version 4)
  kTemplated = 5,  // text as templates and variables in one stream (store/templated.h; part version 5, read only)
  kTemplatedSplit = 6,  // text as templates and variables in streams by kind and row (part version 6)
};

inline constexpr size_t kPackedGroup = 128;

inline constexpr size_t kMaxDictValues = 256;

// The distinct values of a column in order of first appearance, numbered from 0, for the
// dictionary encoding and for tokenizing each value once into the bloom filters: open addressing
// in a fixed table, cheaper than a node-based map at every flush. Holds at most
// kMaxDictValues + 1 values: callers stop adding past that (the column then has no dictionary).
class DistinctValues {
 public:
  // v's number, adding v if new. v must outlive this.
  size_t Number(std::string_view v);
  size_t size() const { return order_.size(); }
  const std::vector<std::string_view>& values() const { return order_; }

 private:
  static constexpr size_t kSlots = 512;
  static_assert(kSlots >= 2 * kMaxDictValues && (kSlots & (kSlots - 1)) == 0);  // never full
  static constexpr uint16_t kEmpty = 0xffff;
  struct Slot {
    uint32_t tag = 0;  // high bits of the value's hash: most mismatches without comparing strings
    uint16_t index = kEmpty;
  };
  std::array<Slot, kSlots> slots_;
  std::vector<std::string_view> order_;
};

// values[i] is row i's value, or nullopt when the row does not have the field.
// Returns the encoded (uncompressed) column and the encoding chosen. An empty `distinct` is left
// holding every distinct present value when the encoder found them all (a dictionary or constant
// column: at most kMaxDictValues), and holding none or more than that otherwise.
std::string EncodeColumn(const std::vector<std::optional<std::string_view>>& values, ColumnEncoding* encoding,
                         DistinctValues* distinct = nullptr);

// The values in the templated encoding (store/templated.h), its sections compressed at zstd_level
// where that pays; nullopt when they have too many templates for it to pay (unless always).
std::optional<std::string> EncodeTemplatedColumn(const std::vector<std::optional<std::string_view>>& values,
                                                 int zstd_level, bool always = false);

// The same bytes as EncodeColumn of the values printed in decimal, every row present, without
// printing them (_time and _ingest_time at every flush).
std::string EncodeIntColumn(const std::vector<int64_t>& values, ColumnEncoding* encoding);

// A column decoded as stored, for code that works on values rather than rows (the folds of
// stats and top): dictionary codes, integers, or strings.
struct TypedColumn {
  enum class Kind { kDict, kInt, kStrings };
  static constexpr uint16_t kAbsent = 0xffff;
  Kind kind = Kind::kStrings;
  std::vector<std::string_view> dict;  // kDict (a const column is a dictionary of one)
  std::vector<uint16_t> codes;         // kDict: each row's index into dict, or kAbsent
  std::vector<int64_t> ints;           // kInt: each row's value (0 where absent)
  std::vector<uint8_t> present;        // kInt: 1 where the row has a value; empty when all do
  std::vector<std::optional<std::string_view>> strings;  // kStrings: each row's value
  std::string text;  // kStrings of a templated column: the rebuilt values, which strings point into
};

// The presence header of a column chunk: which rows have a value.
struct Presence {
  std::string_view bitmap;  // empty: every row has one
  size_t count = 0;         // rows with a value
  bool Has(size_t r) const { return bitmap.empty() || ((static_cast<uint8_t>(bitmap[r / 8]) >> (r % 8)) & 1); }
};
// Reads the chunk's encoding and presence header from the front of *data, leaving the values.
Status ReadColumnHeader(std::string_view* data, size_t rows, ColumnEncoding* encoding, Presence* presence);

// Decodes into the column's own kind; views point into `data`.
Status DecodeTypedColumn(std::string_view data, size_t rows, TypedColumn* out);

// Decodes rows values; absent rows are nullopt. Views point into `data` or `storage`.
Status DecodeColumn(std::string_view data, size_t rows, std::vector<std::optional<std::string_view>>* values,
                    std::vector<std::string>* storage);

// Decodes a column whose every row is present and integer-encoded (as _time is) straight to
// integers; Corruption otherwise.
Status DecodeIntColumn(std::string_view data, size_t rows, std::vector<int64_t>* out);

// Whether s is an integer that prints back exactly as s ("0", "-12"; not "012", "+1", "1.0").
bool IsCanonicalInt(std::string_view s, int64_t* value);

}  // namespace sawlog
