#include "ingest/forward/msgpack_reader.h"

#include <cstring>
#include <limits>

namespace sawlog::msgpack {

namespace {

// What the bytes at the start of a value say about its extent.
struct Head {
  size_t header = 0;    // type byte and length fields (and an ext's type byte)
  uint64_t payload = 0;  // bytes after the header
  uint64_t items = 0;    // nested values that follow (an array's items, a map's keys and values)
};

enum class HeadState { kOk, kNeedMore, kInvalid };

uint64_t LoadBigEndian(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// The head of the value at data[pos] (pos < data.size()).
HeadState ReadHead(std::string_view data, size_t pos, Head* h) {
  const auto b = static_cast<uint8_t>(data[pos]);
  const size_t left = data.size() - pos;
  *h = Head{1, 0, 0};
  // A length field of n bytes after the type byte (plus `extra` header bytes: an ext's type).
  auto length = [&](size_t n, size_t extra, bool items, uint64_t per_item) {
    if (left < 1 + n + extra) return HeadState::kNeedMore;
    h->header = 1 + n + extra;
    const uint64_t len = LoadBigEndian(data.data() + pos + 1, n);
    if (items) h->items = len * per_item;
    else h->payload = len;
    return HeadState::kOk;
  };
  if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) return HeadState::kOk;
  if (b <= 0x8f) return h->items = 2u * (b & 0x0f), HeadState::kOk;
  if (b <= 0x9f) return h->items = b & 0x0f, HeadState::kOk;
  if (b <= 0xbf) return h->payload = b & 0x1f, HeadState::kOk;
  switch (b) {
    case 0xc4: return length(1, 0, false, 0);
    case 0xc5: return length(2, 0, false, 0);
    case 0xc6: return length(4, 0, false, 0);
    case 0xc7: return length(1, 1, false, 0);
    case 0xc8: return length(2, 1, false, 0);
    case 0xc9: return length(4, 1, false, 0);
    case 0xca: return h->payload = 4, HeadState::kOk;
    case 0xcb: return h->payload = 8, HeadState::kOk;
    case 0xcc: case 0xd0: return h->payload = 1, HeadState::kOk;
    case 0xcd: case 0xd1: return h->payload = 2, HeadState::kOk;
    case 0xce: case 0xd2: return h->payload = 4, HeadState::kOk;
    case 0xcf: case 0xd3: return h->payload = 8, HeadState::kOk;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:  // fixext 1, 2, 4, 8, 16: a type byte and the data
      h->header = 2;
      h->payload = 1u << (b - 0xd4);
      return left < 2 ? HeadState::kNeedMore : HeadState::kOk;
    case 0xd9: return length(1, 0, false, 0);
    case 0xda: return length(2, 0, false, 0);
    case 0xdb: return length(4, 0, false, 0);
    case 0xdc: return length(2, 0, true, 1);
    case 0xdd: return length(4, 0, true, 1);
    case 0xde: return length(2, 0, true, 2);
    case 0xdf: return length(4, 0, true, 2);
    default: return HeadState::kInvalid;  // 0xc1, never used
  }
}

}  // namespace

bool Reader::Fail(std::string what) {
  if (error_.empty()) error_ = std::move(what);
  pos_ = data_.size();
  return false;
}

bool Reader::Read(Value* v) {
  if (!error_.empty()) return false;
  const size_t start = pos_;
  if (pos_ >= data_.size()) return Fail("msgpack data ends at offset " + std::to_string(start) + " where a value was expected");
  Head h;
  const HeadState st = ReadHead(data_, pos_, &h);
  if (st == HeadState::kInvalid) return Fail("invalid msgpack type byte 0xc1 at offset " + std::to_string(start));
  const size_t left = data_.size() - pos_;
  if (st == HeadState::kNeedMore || h.payload > left - h.header)
    return Fail("msgpack value at offset " + std::to_string(start) + " is truncated");
  // Every nested item takes at least one byte, so a count beyond the bytes left is a lie.
  if (h.items > left - h.header)
    return Fail("msgpack container at offset " + std::to_string(start) + " claims " + std::to_string(h.items) +
                " items in " + std::to_string(left - h.header) + " bytes");
  const char* p = data_.data() + pos_ + h.header;
  const auto b = static_cast<uint8_t>(data_[pos_]);
  pos_ += h.header + h.payload;
  *v = Value{};
  auto integer = [&](uint64_t raw, bool is_signed, size_t width) {
    if (is_signed) {
      // Sign-extend from `width` bytes.
      const unsigned shift = 64 - 8 * static_cast<unsigned>(width);
      v->type = Type::kInt;
      v->i = static_cast<int64_t>(raw << shift) >> shift;
    } else if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      v->type = Type::kUint;
      v->u = raw;
    } else {
      v->type = Type::kInt;
      v->i = static_cast<int64_t>(raw);
    }
    return true;
  };
  if (b <= 0x7f) return integer(b, false, 1);
  if (b >= 0xe0) return integer(b, true, 1);
  if (b <= 0x8f || b == 0xde || b == 0xdf) {
    v->type = Type::kMap;
    v->count = static_cast<uint32_t>(h.items / 2);
    return true;
  }
  if (b <= 0x9f || b == 0xdc || b == 0xdd) {
    v->type = Type::kArray;
    v->count = static_cast<uint32_t>(h.items);
    return true;
  }
  const std::string_view payload(p, h.payload);
  if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) {
    v->type = Type::kStr;
    v->bytes = payload;
    return true;
  }
  switch (b) {
    case 0xc0: v->type = Type::kNil; return true;
    case 0xc2: case 0xc3:
      v->type = Type::kBool;
      v->boolean = b == 0xc3;
      return true;
    case 0xc4: case 0xc5: case 0xc6:
      v->type = Type::kBin;
      v->bytes = payload;
      return true;
    case 0xca: {
      const auto bits = static_cast<uint32_t>(LoadBigEndian(p, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      v->type = Type::kFloat;
      v->f = f;
      return true;
    }
    case 0xcb: {
      const uint64_t bits = LoadBigEndian(p, 8);
      v->type = Type::kFloat;
      std::memcpy(&v->f, &bits, 8);
      return true;
    }
    case 0xcc: case 0xcd: case 0xce: case 0xcf: return integer(LoadBigEndian(p, h.payload), false, h.payload);
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: return integer(LoadBigEndian(p, h.payload), true, h.payload);
    default:  // ext and fixext: the type byte ends the header
      v->type = Type::kExt;
      v->ext_type = static_cast<int8_t>(data_[start + h.header - 1]);
      v->bytes = payload;
      return true;
  }
}

bool Reader::Skip(std::string_view* bytes) {
  const size_t start = pos_;
  uint64_t pending = 1;
  Value v;
  while (pending > 0) {
    if (!Read(&v)) return false;
    --pending;
    if (v.type == Type::kArray) pending += v.count;
    else if (v.type == Type::kMap) pending += 2ull * v.count;
  }
  if (bytes != nullptr) *bytes = data_.substr(start, pos_ - start);
  return true;
}

ValueScanner::State ValueScanner::Scan(std::string_view buf) {
  while (pending_ > 0) {
    if (pos_ >= buf.size()) return State::kNeedMore;
    Head h;
    const HeadState st = ReadHead(buf, pos_, &h);
    if (st == HeadState::kInvalid) return State::kInvalid;
    if (st == HeadState::kNeedMore || h.payload > buf.size() - pos_ - h.header) return State::kNeedMore;
    pos_ += h.header + h.payload;
    // At most 2^33 items per header and at most one header per byte: no overflow.
    pending_ += h.items;
    --pending_;
  }
  return State::kComplete;
}

}  // namespace sawlog::msgpack
