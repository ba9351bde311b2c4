// Little-endian fixed-width and varint encodings used by the on-disk formats, the one checksum
// they use (XXH3-64), and hex.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sawlog {

void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint64Slow(std::string* dst, uint64_t v);
// Inline for the one-byte values most lengths and counts are (the WAL writes several per field
// of every event).
inline void PutVarint64(std::string* dst, uint64_t v) {
  if (v < 0x80) dst->push_back(static_cast<char>(v));
  else PutVarint64Slow(dst, v);
}
void PutVarsint64(std::string* dst, int64_t v);  // zig-zag
inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s);
}

// Bytes as lower-case hex digits, two per byte.
std::string HexString(std::string_view bytes);

uint32_t DecodeFixed32(const char* p);
uint64_t DecodeFixed64(const char* p);

// A cursor over bytes; every Get* returns false (and leaves the cursor failed) past the end.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool GetByte(uint64_t* v);
  bool GetFixed32(uint32_t* v);
  bool GetFixed64(uint64_t* v);
  // Inline for the one-byte values most lengths and counts are, as PutVarint64 (every flush and
  // scan of the head decodes several per field of every event).
  bool GetVarint64(uint64_t* v) {
    if (in_.empty() || static_cast<unsigned char>(in_[0]) >= 0x80) return GetVarint64Slow(v);
    *v = static_cast<unsigned char>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool GetVarsint64(int64_t* v) {  // zig-zag
    uint64_t u;
    if (!GetVarint64(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool GetLengthPrefixed(std::string_view* s) {
    uint64_t len;
    if (!GetVarint64(&len) || len > in_.size()) return in_ = {}, false;
    *s = in_.substr(0, len);
    in_.remove_prefix(len);
    return true;
  }
  bool GetLengthPrefixed(std::string* s);
  size_t remaining() const { return in_.size(); }
  bool empty() const { return in_.empty(); }
  std::string_view rest() const { return in_; }  // the bytes not read yet

 private:
  bool GetVarint64Slow(uint64_t* v);
  std::string_view in_;
};

uint64_t Checksum(std::string_view data);
uint64_t Checksum2(std::string_view a, std::string_view b);  // of a followed by b

}  // namespace sawlog
