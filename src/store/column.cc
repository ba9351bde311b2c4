#include "store/column.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "core/coding.h"

namespace sawlog {

namespace {
constexpr uint8_t kAllPresent = 0;
constexpr uint8_t kBitmap = 1;

// Reads the int encoding's exponent byte at data[at]: the values are stored divided by 10^e.
bool ReadScale(std::string_view* data, size_t at, int64_t* scale) {
  if (data->size() <= at || static_cast<uint8_t>((*data)[at]) > 18) return false;
  *scale = 1;
  for (int e = static_cast<uint8_t>((*data)[at]); e > 0; --e) *scale *= 10;
  data->remove_prefix(at + 1);
  return true;
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

std::string EncodeColumn(const std::vector<std::optional<std::string_view>>& values, ColumnEncoding* encoding) {
  std::string out(1, '\0');  // the encoding, set below
  std::vector<std::string_view> present;
  present.reserve(values.size());
  for (const auto& v : values)
    if (v) present.push_back(*v);
  if (present.size() == values.size()) {
    out.push_back(static_cast<char>(kAllPresent));
  } else {
    out.push_back(static_cast<char>(kBitmap));
    std::string bitmap((values.size() + 7) / 8, '\0');
    for (size_t i = 0; i < values.size(); ++i)
      if (values[i]) bitmap[i / 8] = static_cast<char>(bitmap[i / 8] | (1 << (i % 8)));
    out += bitmap;
  }
  bool all_same = true, all_int = true;
  for (auto v : present) {
    if (v != present[0]) all_same = false;
    int64_t x;
    if (all_int && !IsCanonicalInt(v, &x)) all_int = false;
  }
  if (!present.empty() && all_same) {
    *encoding = ColumnEncoding::kConst;
    PutLengthPrefixed(&out, present[0]);
    out[0] = static_cast<char>(*encoding);
    return out;
  }
  if (all_int && !present.empty()) {
    *encoding = ColumnEncoding::kInt;
    std::vector<int64_t> ints(present.size());
    for (size_t k = 0; k < present.size(); ++k) IsCanonicalInt(present[k], &ints[k]);
    // Values that are all multiples of 10^e (timestamps in µs or ms precision, kept as ns) are
    // stored divided by it.
    int exponent = 0;
    int64_t scale = 1;
    while (exponent < 18 && std::all_of(ints.begin(), ints.end(), [&](int64_t x) { return x % (scale * 10) == 0; })) {
      ++exponent;
      scale *= 10;
    }
    out.push_back(static_cast<char>(exponent));
    int64_t prev = 0;
    for (int64_t x : ints) {
      x /= scale;
      // Deltas wrap modulo 2^64, so any two int64 values have one.
      PutVarsint64(&out, static_cast<int64_t>(static_cast<uint64_t>(x) - static_cast<uint64_t>(prev)));
      prev = x;
    }
    out[0] = static_cast<char>(*encoding);
    return out;
  }
  std::unordered_map<std::string_view, uint8_t> dict;
  std::vector<std::string_view> order;
  for (auto v : present) {
    if (dict.size() > kMaxDictValues) break;
    if (dict.emplace(v, static_cast<uint8_t>(order.size())).second) order.push_back(v);
  }
  if (dict.size() <= kMaxDictValues && order.size() * 4 < present.size()) {
    *encoding = ColumnEncoding::kDict;
    PutVarint64(&out, order.size());
    for (auto v : order) PutLengthPrefixed(&out, v);
    for (auto v : present) out.push_back(static_cast<char>(dict[v]));
    out[0] = static_cast<char>(*encoding);
    return out;
  }
  *encoding = ColumnEncoding::kRaw;
  for (auto v : present) PutVarint64(&out, v.size());
  for (auto v : present) out.append(v);
  out[0] = static_cast<char>(*encoding);
  return out;
}

Status DecodeIntColumn(std::string_view data, size_t rows, std::vector<int64_t>* out) {
  if (data.size() < 2 || static_cast<ColumnEncoding>(static_cast<uint8_t>(data[0])) != ColumnEncoding::kInt ||
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
  Decoder in(data);
  out->resize(rows);
  int64_t prev = 0;
  for (auto& v : *out) {
    int64_t delta;
    if (!in.GetVarsint64(&delta)) return Status::Corruption("column: truncated integers");
    prev = static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
    v = static_cast<int64_t>(static_cast<uint64_t>(prev) * static_cast<uint64_t>(scale));
  }
  if (!in.empty()) return Status::Corruption("column: bytes left after the values");
  return Status::Ok();
}

Status DecodeColumn(std::string_view data, size_t rows, std::vector<std::optional<std::string_view>>* values,
                    std::vector<std::string>* storage) {
  auto bad = [](const char* why) { return Status::Corruption(std::string("column: ") + why); };
  if (data.size() < 2) return bad("too short");
  auto encoding = static_cast<ColumnEncoding>(static_cast<uint8_t>(data[0]));
  uint8_t presence = static_cast<uint8_t>(data[1]);
  data.remove_prefix(2);
  values->assign(rows, std::nullopt);
  std::vector<size_t> present_rows;
  present_rows.reserve(rows);
  if (presence == kAllPresent) {
    for (size_t i = 0; i < rows; ++i) present_rows.push_back(i);
  } else if (presence == kBitmap) {
    size_t n = (rows + 7) / 8;
    if (data.size() < n) return bad("truncated presence bitmap");
    for (size_t i = 0; i < rows; ++i)
      if (static_cast<uint8_t>(data[i / 8]) & (1 << (i % 8))) present_rows.push_back(i);
    data.remove_prefix(n);
  } else {
    return bad("unknown presence kind");
  }
  Decoder in(data);
  switch (encoding) {
    case ColumnEncoding::kConst: {
      std::string_view v;
      if (!in.GetLengthPrefixed(&v)) return bad("truncated constant");
      for (size_t r : present_rows) (*values)[r] = v;
      break;
    }
    case ColumnEncoding::kInt: {
      int64_t scale;
      std::string_view rest = data;
      if (!ReadScale(&rest, 0, &scale)) return bad("bad integer scale");
      in = Decoder(rest);
      int64_t prev = 0;
      char buf[24];
      storage->reserve(storage->size() + present_rows.size());
      for (size_t r : present_rows) {
        int64_t delta;
        if (!in.GetVarsint64(&delta)) return bad("truncated integers");
        prev = static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
        auto res = std::to_chars(buf, buf + sizeof(buf),
                                 static_cast<int64_t>(static_cast<uint64_t>(prev) * static_cast<uint64_t>(scale)));
        storage->emplace_back(buf, res.ptr);
        (*values)[r] = storage->back();
      }
      break;
    }
    case ColumnEncoding::kDict: {
      uint64_t n;
      if (!in.GetVarint64(&n) || n > kMaxDictValues) return bad("bad dictionary size");
      std::vector<std::string_view> dict(n);
      for (auto& d : dict)
        if (!in.GetLengthPrefixed(&d)) return bad("truncated dictionary");
      if (in.remaining() != present_rows.size()) return bad("dictionary index count mismatch");
      std::string_view idx = data.substr(data.size() - in.remaining());
      for (size_t k = 0; k < present_rows.size(); ++k) {
        uint8_t i = static_cast<uint8_t>(idx[k]);
        if (i >= n) return bad("dictionary index out of range");
        (*values)[present_rows[k]] = dict[i];
      }
      return Status::Ok();
    }
    case ColumnEncoding::kRaw: {
      std::vector<uint64_t> lengths(present_rows.size());
      uint64_t total = 0;
      for (auto& len : lengths) {
        if (!in.GetVarint64(&len) || len > data.size()) return bad("truncated lengths");
        total += len;
      }
      if (total != in.remaining()) return bad("string bytes mismatch");
      std::string_view bytes = data.substr(data.size() - in.remaining());
      size_t pos = 0;
      for (size_t k = 0; k < present_rows.size(); ++k) {
        (*values)[present_rows[k]] = bytes.substr(pos, lengths[k]);
        pos += lengths[k];
      }
      return Status::Ok();
    }
    default:
      return bad("unknown encoding");
  }
  if (!in.empty()) return bad("bytes left after the values");
  return Status::Ok();
}

}  // namespace sawlog
