#include "store/column.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <array>

#include <xxhash.h>

#include "core/coding.h"
#include "store/templated.h"

namespace sawlog {

namespace {
constexpr uint8_t kAllPresent = 0;
constexpr size_t kMaxIntText = 20;  // "-9223372036854775808"
constexpr uint8_t kBitmap = 1;

// Reads the int encoding's exponent byte at data[at]: the values are stored divided by 10^e.
bool ReadScale(std::string_view* data, size_t at, int64_t* scale) {
  if (data->size() <= at || static_cast<uint8_t>((*data)[at]) > 18) return false;
  *scale = 1;
  for (int e = static_cast<uint8_t>((*data)[at]); e > 0; --e) *scale *= 10;
  data->remove_prefix(at + 1);
  return true;
}
// Decodes `count` zig-zag varint deltas from the front of *data into their running sums times
// scale. Inline, with a one-byte fast path: _time is such a column, decoded for every scanned row.
bool DecodeDeltas(std::string_view* data, size_t count, int64_t scale, int64_t* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(data->data());
  const auto* end = p + data->size();
  uint64_t prev = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t u;
    if (end - p >= 10) {
      // Unrolled: no bounds checks, each byte's test predictable for runs of similar deltas.
      uint64_t b = *p++;
      u = b & 0x7f;
      if (b >= 0x80) {
        b = *p++; u |= (b & 0x7f) << 7;
        if (b >= 0x80) {
          b = *p++; u |= (b & 0x7f) << 14;
          if (b >= 0x80) {
            b = *p++; u |= (b & 0x7f) << 21;
            if (b >= 0x80) {
              b = *p++; u |= (b & 0x7f) << 28;
              int shift = 35;
              while (b >= 0x80) {
                if (shift > 63) return false;
                b = *p++;
                u |= (b & 0x7f) << shift;
                shift += 7;
              }
            }
          }
        }
      }
    } else {
      u = 0;
      int shift = 0;
      for (;;) {
        if (p == end || shift > 63) return false;
        const uint8_t byte = *p++;
        u |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
        shift += 7;
      }
    }
    // Deltas wrap modulo 2^64, so any two int64 values have one.
    prev += (u >> 1) ^ (~(u & 1) + 1);
    out[i] = static_cast<int64_t>(prev * static_cast<uint64_t>(scale));
  }
  data->remove_prefix(static_cast<size_t>(p - reinterpret_cast<const uint8_t*>(data->data())));
  return true;
}

// Decodes `count` values of the packed encoding from the front of *data, times scale: the first
// value, then per group of up to kPackedGroup deltas their minimum and a fixed width. Fixed
// widths decode without the serial byte-by-byte dependency of varints (_time of every scanned row).
bool DecodePacked(std::string_view* data, size_t count, int64_t scale, int64_t* out) {
  if (count == 0) return true;
  Decoder in(*data);
  int64_t first;
  if (!in.GetVarsint64(&first)) return false;
  uint64_t prev = static_cast<uint64_t>(first);
  const uint64_t s = static_cast<uint64_t>(scale);
  out[0] = static_cast<int64_t>(prev * s);
  for (size_t i = 1; i < count;) {
    const size_t n = std::min(kPackedGroup, count - i);
    int64_t min;
    std::string_view rest;
    if (!in.GetVarsint64(&min) || in.empty()) return false;
    rest = data->substr(data->size() - in.remaining());
    const unsigned width = static_cast<uint8_t>(rest[0]);
    if (width > 64) return false;
    const size_t bytes = (n * width + 7) / 8;
    if (rest.size() - 1 < bytes) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(rest.data()) + 1;
    const size_t avail = rest.size() - 1;  // bytes readable from p: past the group is fine, masked off
    const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    for (size_t k = 0; k < n; ++k, ++i) {
      const size_t bit = k * width, at = bit / 8;
      const unsigned shift = bit % 8;
      uint64_t v;
      if (at + 8 <= avail && shift + width <= 64) {
        std::memcpy(&v, p + at, 8);
        v >>= shift;
      } else {  // near the end, or a width over 57 bits: byte by byte
        unsigned __int128 acc = 0;
        const size_t last = (bit + width + 7) / 8;
        for (size_t b = at; b < last; ++b) acc |= static_cast<unsigned __int128>(p[b]) << (8 * (b - at));
        v = static_cast<uint64_t>(acc >> shift);
      }
      prev += static_cast<uint64_t>(min) + (v & mask);  // mod 2^64, as the deltas were taken
      out[i] = static_cast<int64_t>(prev * s);
    }
    in = Decoder(rest.substr(1 + bytes));
  }
  data->remove_prefix(data->size() - in.remaining());
  return true;
}

// The integers of a kInt or kPacked column.
bool DecodeInts(ColumnEncoding encoding, std::string_view* data, size_t count, int64_t scale, int64_t* out) {
  return encoding == ColumnEncoding::kPacked ? DecodePacked(data, count, scale, out)
                                             : DecodeDeltas(data, count, scale, out);
}

// The packed values of ints (already divided by the scale): see DecodePacked.
void PutPacked(const std::vector<int64_t>& ints, std::string* out) {
  if (ints.empty()) return;
  PutVarsint64(out, ints[0]);
  for (size_t g = 1; g < ints.size(); g += kPackedGroup) {
    const size_t end = std::min(ints.size(), g + kPackedGroup);
    auto delta = [&](size_t i) { return static_cast<uint64_t>(ints[i]) - static_cast<uint64_t>(ints[i - 1]); };
    int64_t min = INT64_MAX;
    for (size_t i = g; i < end; ++i) min = std::min(min, static_cast<int64_t>(delta(i)));
    uint64_t max = 0;
    for (size_t i = g; i < end; ++i) max = std::max(max, delta(i) - static_cast<uint64_t>(min));
    const unsigned width = max == 0 ? 0 : 64 - static_cast<unsigned>(__builtin_clzll(max));
    PutVarsint64(out, min);
    out->push_back(static_cast<char>(width));
    unsigned __int128 acc = 0;
    unsigned bits = 0;
    for (size_t i = g; i < end; ++i) {
      acc |= static_cast<unsigned __int128>(delta(i) - static_cast<uint64_t>(min)) << bits;
      for (bits += width; bits >= 8; bits -= 8, acc >>= 8) out->push_back(static_cast<char>(acc & 0xff));
    }
    if (bits > 0) out->push_back(static_cast<char>(acc & 0xff));
  }
}

}  // namespace

bool IsCanonicalInt(std::string_view s, int64_t* value) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  if (s[i] == '0' && (s.size() - i > 1 || i == 1)) return false;  // leading zero, or "-0"
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && p == s.data() + s.size();
}

namespace {

// Division by 10^e without a divide instruction (two per value of _time at every flush took a
// fifth of the encoding): 10^e = 2^e * 5^e, a shift then a multiply by the inverse of 5^e mod 2^64.
struct Pow10Divisor {
  unsigned shift = 0;
  uint64_t odd = 1, inverse = 1;  // 5^e and its inverse mod 2^64
  int64_t min = INT64_MIN, max = INT64_MAX;  // the quotients of int64 multiples of 5^e

  constexpr Pow10Divisor() = default;
  constexpr explicit Pow10Divisor(unsigned e) : shift(e) {
    for (unsigned i = 0; i < e; ++i) odd *= 5;
    inverse = odd;  // right in the low 3 bits; each Newton step doubles that
    for (int i = 0; i < 5; ++i) inverse *= 2 - odd * inverse;
    min = INT64_MIN / static_cast<int64_t>(odd);
    max = INT64_MAX / static_cast<int64_t>(odd);
  }
  // x / 10^e for x a multiple of it.
  int64_t Divide(int64_t x) const { return static_cast<int64_t>(static_cast<uint64_t>(x >> shift) * inverse); }
  // Whether 10^e divides x: the low e bits are zero, and the product with the inverse is a
  // quotient in range (it is for multiples, and a product in range times 5^e gives back x).
  bool Divides(int64_t x) const {
    if ((static_cast<uint64_t>(x) & ((uint64_t{1} << shift) - 1)) != 0) return false;
    const int64_t q = Divide(x);
    return q >= min && q <= max;
  }
};
constexpr auto kPow10Divisors = [] {
  std::array<Pow10Divisor, 19> d;
  for (unsigned e = 0; e < d.size(); ++e) d[e] = Pow10Divisor(e);
  return d;
}();

// Appends ints (a column's present values, at least one) in the const, int or packed encoding
// to out, which holds the presence header; sets out[0] to the encoding.
void PutInts(std::vector<int64_t> ints, std::string* out, ColumnEncoding* encoding) {
  if (std::all_of(ints.begin(), ints.end(), [&](int64_t x) { return x == ints[0]; })) {
    // As text: a const column keeps the value's text, which for an integer is its decimal.
    char text[kMaxIntText];
    const char* end = std::to_chars(text, text + sizeof text, ints[0]).ptr;
    *encoding = ColumnEncoding::kConst;
    PutLengthPrefixed(out, std::string_view(text, static_cast<size_t>(end - text)));
    (*out)[0] = static_cast<char>(*encoding);
    return;
  }
  // Values that are all multiples of 10^e (timestamps in µs or ms precision, kept as ns) are
  // stored divided by it: the largest such e up to 18.
  int exponent = 18;
  for (int64_t x : ints) {
    while (exponent > 0 && !kPow10Divisors[exponent].Divides(x)) --exponent;
    if (exponent == 0) break;
  }
  out->push_back(static_cast<char>(exponent));
  if (exponent > 0)
    for (int64_t& x : ints) x = kPow10Divisors[exponent].Divide(x);
  // Deltas wrap modulo 2^64, so any two int64 values have one.
  auto delta = [&](size_t k) {
    return static_cast<int64_t>(static_cast<uint64_t>(ints[k]) - (k ? static_cast<uint64_t>(ints[k - 1]) : 0));
  };
  // Varint deltas or packed ones, whichever is smaller; packed when equal, as it decodes
  // faster. The varints' size is counted, not written (the writer flushes every block).
  size_t varint_bytes = 0;
  for (size_t k = 0; k < ints.size(); ++k) {
    const int64_t d = delta(k);
    const uint64_t zigzag = (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
    varint_bytes += zigzag == 0 ? 1 : (70 - static_cast<size_t>(__builtin_clzll(zigzag))) / 7;
  }
  const size_t before = out->size();
  PutPacked(ints, out);
  *encoding = ColumnEncoding::kPacked;
  if (out->size() - before > varint_bytes) {
    out->resize(before);
    for (size_t k = 0; k < ints.size(); ++k) PutVarsint64(out, delta(k));
    *encoding = ColumnEncoding::kInt;
  }
  (*out)[0] = static_cast<char>(*encoding);
}

// The column's presence header: all present, or a bitmap of the present rows.
template <typename IsPresent>
std::string PresenceHeader(size_t rows, size_t present, IsPresent is_present) {
  std::string out(1, '\0');  // the encoding, set by the caller
  if (present == rows) {
    out.push_back(static_cast<char>(kAllPresent));
    return out;
  }
  out.push_back(static_cast<char>(kBitmap));
  out.resize(2 + (rows + 7) / 8, '\0');
  for (size_t i = 0; i < rows; ++i)
    if (is_present(i)) out[2 + i / 8] = static_cast<char>(out[2 + i / 8] | (1 << (i % 8)));
  return out;
}

}  // namespace

size_t DistinctValues::Number(std::string_view v) {
  const uint64_t h = XXH3_64bits(v.data(), v.size());
  const auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t slot = h & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
    Slot& s = slots_[slot];
    if (s.index == kEmpty) {
      s = {tag, static_cast<uint16_t>(order_.size())};
      order_.push_back(v);
      return s.index;
    }
    if (s.tag == tag && order_[s.index] == v) return s.index;
  }
}

std::string EncodeIntColumn(const std::vector<int64_t>& values, ColumnEncoding* encoding) {
  std::string out = PresenceHeader(values.size(), values.size(), [](size_t) { return true; });
  if (values.empty()) {  // as EncodeColumn of no rows: raw, nothing
    *encoding = ColumnEncoding::kRaw;
    out[0] = static_cast<char>(*encoding);
    return out;
  }
  PutInts(values, &out, encoding);
  return out;
}

std::string EncodeColumn(const std::vector<std::optional<std::string_view>>& values, ColumnEncoding* encoding,
                         DistinctValues* distinct) {
  std::vector<std::string_view> present;
  present.reserve(values.size());
  for (const auto& v : values)
    if (v) present.push_back(*v);
  std::string out = PresenceHeader(values.size(), present.size(), [&](size_t i) { return values[i].has_value(); });
  if (!present.empty()) {
    std::vector<int64_t> ints(present.size());
    size_t k = 0;
    while (k < present.size() && IsCanonicalInt(present[k], &ints[k])) ++k;
    if (k == present.size()) {
      PutInts(std::move(ints), &out, encoding);
      return out;
    }
    if (std::all_of(present.begin(), present.end(), [&](std::string_view v) { return v == present[0]; })) {
      *encoding = ColumnEncoding::kConst;
      if (distinct != nullptr) distinct->Number(present[0]);
      PutLengthPrefixed(&out, present[0]);
      out[0] = static_cast<char>(*encoding);
      return out;
    }
  }
  DistinctValues local;
  DistinctValues& dict = distinct != nullptr ? *distinct : local;
  std::string codes;  // each present value's code, found in the one lookup
  codes.reserve(present.size());
  for (auto v : present) {
    if (dict.size() > kMaxDictValues) break;
    codes.push_back(static_cast<char>(dict.Number(v)));  // past kMaxDictValues: not used
  }
  if (dict.size() <= kMaxDictValues && dict.size() * 4 < present.size()) {
    *encoding = ColumnEncoding::kDict;
    PutVarint64(&out, dict.size());
    for (auto v : dict.values()) PutLengthPrefixed(&out, v);
    out += codes;
    out[0] = static_cast<char>(*encoding);
    return out;
  }
  *encoding = ColumnEncoding::kRaw;
  for (auto v : present) PutVarint64(&out, v.size());
  for (auto v : present) out.append(v);
  out[0] = static_cast<char>(*encoding);
  return out;
}

std::optional<std::string> EncodeTemplatedColumn(const std::vector<std::optional<std::string_view>>& values,
                                                 int zstd_level, bool always) {
  std::vector<std::string_view> present;
  present.reserve(values.size());
  for (const auto& v : values)
    if (v) present.push_back(*v);
  std::string out = PresenceHeader(values.size(), present.size(), [&](size_t i) { return values[i].has_value(); });
  out[0] = static_cast<char>(ColumnEncoding::kTemplatedSplit);
  if (!EncodeTemplated(present, zstd_level, always, &out)) return std::nullopt;
  return out;
}

Status DecodeIntColumn(std::string_view data, size_t rows, std::vector<int64_t>* out) {
  const auto encoding = data.empty() ? ColumnEncoding::kRaw : static_cast<ColumnEncoding>(static_cast<uint8_t>(data[0]));
  if (data.size() < 2 || (encoding != ColumnEncoding::kInt && encoding != ColumnEncoding::kPacked) ||
      static_cast<uint8_t>(data[1]) != kAllPresent) {
    // Constant columns (one row, or equal values) and the like: through the general path.
    std::vector<std::optional<std::string_view>> values;
    std::vector<std::string> storage;
    RETURN_IF_ERROR(DecodeColumn(data, rows, &values, &storage));
    out->resize(rows);
    for (size_t r = 0; r < rows; ++r)
      if (!values[r] || !IsCanonicalInt(*values[r], &(*out)[r]))
        return Status::Corruption("column: expected an integer in every row");
    return Status::Ok();
  }
  int64_t scale;
  if (!ReadScale(&data, 2, &scale)) return Status::Corruption("column: bad integer scale");
  out->resize(rows);
  const bool decoded = DecodeInts(encoding, &data, rows, scale, out->data());
  if (!decoded) return Status::Corruption("column: truncated integers");
  if (!data.empty()) return Status::Corruption("column: bytes left after the values");
  return Status::Ok();
}

Status ReadColumnHeader(std::string_view* data, size_t rows, ColumnEncoding* encoding, Presence* presence) {
  auto bad = [](const char* why) { return Status::Corruption(std::string("column: ") + why); };
  if (data->size() < 2) return bad("too short");
  *encoding = static_cast<ColumnEncoding>(static_cast<uint8_t>((*data)[0]));
  const uint8_t kind = static_cast<uint8_t>((*data)[1]);
  data->remove_prefix(2);
  presence->bitmap = {};
  presence->count = rows;
  if (kind == kBitmap) {
    const size_t n = (rows + 7) / 8;
    if (data->size() < n) return bad("truncated presence bitmap");
    presence->bitmap = data->substr(0, n);
    data->remove_prefix(n);
    presence->count = 0;
    for (size_t i = 0; i < rows; ++i) presence->count += presence->Has(i);
  } else if (kind != kAllPresent) {
    return bad("unknown presence kind");
  }
  return Status::Ok();
}

Status DecodeTypedColumn(std::string_view data, size_t rows, TypedColumn* out) {
  auto bad = [](const char* why) { return Status::Corruption(std::string("column: ") + why); };
  const std::string_view whole = data;
  ColumnEncoding encoding;
  Presence presence;
  RETURN_IF_ERROR(ReadColumnHeader(&data, rows, &encoding, &presence));
  const size_t present_count = presence.count;
  auto has = [&](size_t r) { return presence.Has(r); };
  Decoder in(data);
  out->dict.clear();
  out->codes.clear();
  out->ints.clear();
  out->present.clear();
  out->strings.clear();
  out->text.clear();
  switch (encoding) {
    case ColumnEncoding::kTemplated:
    case ColumnEncoding::kTemplatedSplit: {
      out->kind = TypedColumn::Kind::kStrings;
      TemplatedColumn templated;
      RETURN_IF_ERROR(templated.Open(whole, rows));
      return templated.Rebuild(&out->text, &out->strings);
    }
    case ColumnEncoding::kConst:
    case ColumnEncoding::kDict: {
      out->kind = TypedColumn::Kind::kDict;
      uint64_t n = 1;
      if (encoding == ColumnEncoding::kDict && (!in.GetVarint64(&n) || n > kMaxDictValues)) return bad("bad dictionary size");
      out->dict.resize(n);
      for (auto& d : out->dict)
        if (!in.GetLengthPrefixed(&d)) return bad(encoding == ColumnEncoding::kConst ? "truncated constant" : "truncated dictionary");
      std::string_view idx;
      if (encoding == ColumnEncoding::kDict) {
        if (in.remaining() != present_count) return bad("dictionary index count mismatch");
        idx = data.substr(data.size() - in.remaining());
      } else if (!in.empty()) {
        return bad("bytes left after the values");
      }
      out->codes.resize(rows);
      size_t k = 0;
      for (size_t r = 0; r < rows; ++r) {
        if (!has(r)) {
          out->codes[r] = TypedColumn::kAbsent;
          continue;
        }
        uint8_t i = idx.empty() ? 0 : static_cast<uint8_t>(idx[k++]);
        if (i >= n) return bad("dictionary index out of range");
        out->codes[r] = i;
      }
      return Status::Ok();
    }
    case ColumnEncoding::kInt:
    case ColumnEncoding::kPacked: {
      out->kind = TypedColumn::Kind::kInt;
      int64_t scale;
      std::string_view rest = data;
      if (!ReadScale(&rest, 0, &scale)) return bad("bad integer scale");
      out->ints.assign(rows, 0);
      const bool decoded = DecodeInts(encoding, &rest, present_count, scale, out->ints.data());
      if (!decoded) return bad("truncated integers");
      if (!rest.empty()) return bad("bytes left after the values");
      if (!presence.bitmap.empty()) {
        // Spread the present rows' values to their rows, from the back so none is overwritten.
        out->present.assign(rows, 0);
        size_t k = present_count;
        for (size_t r = rows; r-- > 0;) {
          if (!has(r)) continue;
          out->present[r] = 1;
          out->ints[r] = out->ints[--k];
        }
        for (size_t r = 0; r < rows; ++r)
          if (!out->present[r]) out->ints[r] = 0;
      }
      return Status::Ok();
    }
    case ColumnEncoding::kRaw: {
      out->kind = TypedColumn::Kind::kStrings;
      std::vector<uint64_t> lengths(present_count);
      uint64_t total = 0;
      for (auto& len : lengths) {
        if (!in.GetVarint64(&len) || len > data.size()) return bad("truncated lengths");
        total += len;
      }
      if (total != in.remaining()) return bad("string bytes mismatch");
      std::string_view bytes = data.substr(data.size() - in.remaining());
      out->strings.assign(rows, std::nullopt);
      size_t pos = 0, k = 0;
      for (size_t r = 0; r < rows; ++r) {
        if (!has(r)) continue;
        out->strings[r] = bytes.substr(pos, lengths[k]);
        pos += lengths[k++];
      }
      return Status::Ok();
    }
  }
  return bad("unknown encoding");
}

Status DecodeColumn(std::string_view data, size_t rows, std::vector<std::optional<std::string_view>>* values,
                    std::vector<std::string>* storage) {
  TypedColumn t;
  RETURN_IF_ERROR(DecodeTypedColumn(data, rows, &t));
  switch (t.kind) {
    case TypedColumn::Kind::kStrings:
      *values = std::move(t.strings);
      // The rebuilt text of a templated column moves with its views (Rebuild keeps it off the
      // string's inline buffer).
      if (t.text.capacity() > 0) storage->push_back(std::move(t.text));
      break;
    case TypedColumn::Kind::kDict:
      values->assign(rows, std::nullopt);
      for (size_t r = 0; r < rows; ++r)
        if (t.codes[r] != TypedColumn::kAbsent) (*values)[r] = t.dict[t.codes[r]];
      break;
    case TypedColumn::Kind::kInt: {
      values->assign(rows, std::nullopt);
      char buf[24];
      // Views into storage must stay valid as it grows.
      storage->reserve(storage->size() + rows);
      for (size_t r = 0; r < rows; ++r) {
        if (!t.present.empty() && !t.present[r]) continue;
        auto res = std::to_chars(buf, buf + sizeof(buf), t.ints[r]);
        storage->emplace_back(buf, res.ptr);
        (*values)[r] = storage->back();
      }
      break;
    }
  }
  return Status::Ok();
}

}  // namespace sawlog
