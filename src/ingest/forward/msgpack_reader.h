// A strict, bounds-checked MessagePack reader (github.com/msgpack/msgpack/blob/master/spec.md),
// enough for the Fluentd forward protocol: it reads values, it never writes them.
//
// Why our own: Debian 12's msgpack-c (libmsgpack-dev) depends on libmsgpack-cxx-dev, which pulls
// Boost 1.74 and conflicts with the Boost 1.81 the server is built with. The other C library,
// msgpuck (libmsgpuck-dev), trusts its input: its validator mp_check adds a 32-bit item count to
// an int, so the five bytes `dd ff ff ff ff` (an array claiming 2^32-1 items) check as a complete
// valid value, and decoding them then reads past the end. Bytes from the network need a reader
// that checks every length against what is there, which is this file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sawlog::msgpack {

enum class Type : uint8_t { kNil, kBool, kInt, kUint, kFloat, kStr, kBin, kArray, kMap, kExt };

// One value as Reader::Read gives it.
struct Value {
  Type type = Type::kNil;
  bool boolean = false;   // kBool
  int64_t i = 0;          // kInt: every integer that fits an int64, whatever its encoding
  uint64_t u = 0;         // kUint: the integers above INT64_MAX
  double f = 0;           // kFloat (float 32 widened)
  std::string_view bytes;  // kStr, kBin, kExt: the payload, a view into the reader's data
  uint32_t count = 0;      // kArray: its items; kMap: its key/value pairs (they follow)
  int8_t ext_type = 0;     // kExt
};

// Reads values one after another from a complete buffer.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  // The next value: scalars, strings, binaries and extensions whole; of an array or a map only
  // its count (the items are the next values). False when the data ends inside the value or the
  // value is invalid (the unused type byte 0xc1; a count larger than the bytes left could hold),
  // with error() naming the offset; the reader then stays failed.
  bool Read(Value* v);
  // Skips one whole value with everything nested in it; *bytes (when given): the value's bytes.
  bool Skip(std::string_view* bytes = nullptr);

  bool at_end() const { return pos_ == data_.size(); }
  size_t offset() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string what);

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

// Where a complete top-level value ends in a byte stream that arrives in pieces. It keeps its
// place between calls, so a large value that arrives in many small reads is scanned only once.
class ValueScanner {
 public:
  enum class State { kComplete, kNeedMore, kInvalid };

  // buf: the buffered stream from the value's first byte; between calls it only grows at the
  // end. kComplete: the value is buf[0, size()).
  State Scan(std::string_view buf);
  size_t size() const { return pos_; }
  // For the next value (after the caller dropped this one from its buffer).
  void Reset() { pos_ = 0, pending_ = 1; }

 private:
  size_t pos_ = 0;        // the start of the next value header not yet scanned
  uint64_t pending_ = 1;  // values still to be scanned, nested items included
};

}  // namespace sawlog::msgpack
