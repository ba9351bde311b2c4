#include <gtest/gtest.h>

#include "store/bloom_filter.h"
#include "store/column.h"

#include "core/coding.h"

namespace sawlog {
namespace {

using Values = std::vector<std::optional<std::string_view>>;

ColumnEncoding RoundTrip(const Values& values) {
  ColumnEncoding enc;
  std::string data = EncodeColumn(values, &enc);
  Values back;
  std::vector<std::string> storage;
  Status st = DecodeColumn(data, values.size(), &back, &storage);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(back, values);
  return enc;
}

TEST(Column, PicksTheEncodingFromTheValues) {
  EXPECT_EQ(RoundTrip({"GET", "GET", "GET"}), ColumnEncoding::kConst);
  EXPECT_EQ(RoundTrip({"200", "404", "-3", "0", "9223372036854775807", "-9223372036854775808"}), ColumnEncoding::kInt);
  EXPECT_EQ(RoundTrip({"1", "2", "3", "4", "5", "6", "7", "8"}), ColumnEncoding::kPacked);
  EXPECT_EQ(RoundTrip({"a", "b", "a", "b", "a", "b", "a", "b", "a"}), ColumnEncoding::kDict);
  // Multiples of a power of ten (µs timestamps kept in ns) are stored scaled down.
  EXPECT_EQ(RoundTrip({"1700000000123000000", "1700000000124000000", "-5000000", "0"}), ColumnEncoding::kInt);
  EXPECT_EQ(RoundTrip({"one", "two", "three"}), ColumnEncoding::kRaw);
}

// Integers (as text) from int64 values.
std::vector<std::string> IntTexts(const std::vector<int64_t>& xs) {
  std::vector<std::string> out;
  for (int64_t x : xs) out.push_back(std::to_string(x));
  return out;
}

ColumnEncoding RoundTripInts(const std::vector<int64_t>& xs) {
  std::vector<std::string> texts = IntTexts(xs);
  Values values(texts.begin(), texts.end());
  const ColumnEncoding enc = RoundTrip(values);
  // The integer paths of the scan and the folds see the same values.
  ColumnEncoding again;
  std::string data = EncodeColumn(values, &again);
  std::vector<int64_t> ints;
  Status st = DecodeIntColumn(data, xs.size(), &ints);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ints, xs);
  TypedColumn typed;
  st = DecodeTypedColumn(data, xs.size(), &typed);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (enc != ColumnEncoding::kConst) {
    EXPECT_EQ(typed.ints, xs);
  }
  return enc;
}

TEST(Column, PackedIntegersRoundTripAtTheEdges) {
  // Ascending timestamps with sub-µs digits: fixed-width deltas beat varints.
  std::vector<int64_t> times;
  uint64_t seed = 42;
  int64_t t = 1717200000000000000;
  for (int i = 0; i < 8192; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    t += static_cast<int64_t>((seed >> 33) % 400000000);
    times.push_back(t);
  }
  EXPECT_EQ(RoundTripInts(times), ColumnEncoding::kPacked);
  // A group boundary (128 deltas) exactly, one past it, and one short of it.
  for (size_t n : {129, 130, 128, 257}) RoundTripInts(std::vector<int64_t>(times.begin(), times.begin() + n));
  // Equal values within the column (width 0 after the minimum), then a huge gap, then going back.
  std::vector<int64_t> odd = {5, 5, 5, 5, 7, 7, 7, INT64_MAX, INT64_MIN, 0, -1, 3, 3};
  RoundTripInts(odd);
  // Every width from 0 to 64 bits, with descending (negative) and wrapping deltas.
  for (int width = 0; width <= 64; ++width) {
    std::vector<int64_t> xs;
    int64_t x = -7;
    for (int i = 0; i < 300; ++i) {
      const uint64_t step = width == 0 ? 0 : width == 64 ? (i % 3 ? ~uint64_t{0} / 3 * 2 : 1) : (uint64_t{1} << (width - 1)) + static_cast<uint64_t>(i % 5);
      x = static_cast<int64_t>(static_cast<uint64_t>(x) + (i % 2 ? step : 0 - step));
      xs.push_back(x);
    }
    RoundTripInts(xs);
  }
  // Small steps with one huge one: a group's fixed width would be wide, varints stay small.
  std::vector<int64_t> spiky;
  for (int64_t i = 0, x = 0; i < 256; ++i) spiky.push_back(x += i == 50 ? int64_t{1} << 60 : 1 + i % 3);
  EXPECT_EQ(RoundTripInts(spiky), ColumnEncoding::kInt);
  // One row, and two.
  EXPECT_EQ(RoundTripInts({1717200000123456789}), ColumnEncoding::kConst);
  RoundTripInts({1, INT64_MIN});
  // Absent rows around packed values.
  RoundTrip({"10", std::nullopt, "20", "30", std::nullopt, "41", "45", "46"});
}

TEST(Column, DamagedPackedIntegersAreReported) {
  std::vector<int64_t> xs;
  for (int64_t i = 0; i < 300; ++i) xs.push_back(1717200000000000000 + i * 1234567 + (i * i * 7919) % 1000003);
  std::vector<std::string> texts = IntTexts(xs);
  Values values(texts.begin(), texts.end());
  ColumnEncoding enc;
  std::string data = EncodeColumn(values, &enc);
  ASSERT_EQ(enc, ColumnEncoding::kPacked);
  std::vector<int64_t> ints;
  Values back;
  std::vector<std::string> storage;
  for (size_t cut = 1; cut < data.size(); cut += 7) {
    EXPECT_FALSE(DecodeIntColumn(data.substr(0, data.size() - cut), xs.size(), &ints).ok()) << cut;
    EXPECT_FALSE(DecodeColumn(data.substr(0, data.size() - cut), xs.size(), &back, &storage).ok()) << cut;
  }
  EXPECT_FALSE(DecodeIntColumn(data + "x", xs.size(), &ints).ok());  // bytes left over
  // A row count that disagrees (from a damaged index) leaves bytes over or runs out.
  EXPECT_FALSE(DecodeIntColumn(data, xs.size() - 1, &ints).ok());
  EXPECT_FALSE(DecodeIntColumn(data, xs.size() + 8, &ints).ok());
  // A width over 64 bits (the first group's width byte follows the exponent and two varints).
  Decoder in(std::string_view(data).substr(3));
  int64_t first, min;
  ASSERT_TRUE(in.GetVarsint64(&first) && in.GetVarsint64(&min));
  std::string wide = data;
  wide[data.size() - in.remaining()] = 65;
  EXPECT_FALSE(DecodeIntColumn(wide, xs.size(), &ints).ok());
}

TEST(Column, NonCanonicalNumbersStayText) {
  // "007", "+1", "-0" and "1.0" would not print back the same as integers.
  EXPECT_EQ(RoundTrip({"007", "1", "2"}), ColumnEncoding::kRaw);
  EXPECT_EQ(RoundTrip({"+1", "1", "2"}), ColumnEncoding::kRaw);
  EXPECT_EQ(RoundTrip({"-0", "1", "2"}), ColumnEncoding::kRaw);
  EXPECT_EQ(RoundTrip({"1.0", "1", "2"}), ColumnEncoding::kRaw);
  EXPECT_EQ(RoundTrip({"", "1", "2"}), ColumnEncoding::kRaw);
}

TEST(Column, AbsentRowsKeepTheirPlace) {
  RoundTrip({std::nullopt, "x", std::nullopt, "x"});
  RoundTrip({"1", std::nullopt, "3"});
  RoundTrip({std::nullopt, "a b", "c", std::nullopt, "d", "e", "f", "g", "h", "i"});
}

TEST(Column, DamageIsReportedNotTrusted) {
  ColumnEncoding enc;
  std::string data = EncodeColumn({"one", "two", "three"}, &enc);
  Values back;
  std::vector<std::string> storage;
  EXPECT_EQ(DecodeColumn(data.substr(0, data.size() - 1), 3, &back, &storage).code(), Code::kCorruption);
  EXPECT_EQ(DecodeColumn(data, 4, &back, &storage).code(), Code::kCorruption);
  data[0] = 9;
  EXPECT_EQ(DecodeColumn(data, 3, &back, &storage).code(), Code::kCorruption);
}

TEST(BloomFilter, HasNoFalseNegativesAndFewFalsePositives) {
  std::vector<uint64_t> hashes;
  for (int i = 0; i < 5000; ++i) hashes.push_back(TokenHash("token" + std::to_string(i)));
  std::string filter = BuildBloomFilter(hashes);
  for (uint64_t h : hashes) ASSERT_TRUE(BloomMayContain(filter, h));
  int false_positives = 0;
  for (int i = 0; i < 100000; ++i) false_positives += BloomMayContain(filter, TokenHash("other" + std::to_string(i)));
  EXPECT_LT(false_positives, 300);  // 0.1-0.2% expected
  EXPECT_EQ(filter.size() % 64, 0u);  // whole 512-bit blocks
}

TEST(BloomFilter, SmallFiltersAreOneSmallBlock) {
  std::vector<uint64_t> hashes = {TokenHash("get"), TokenHash("post")};
  std::string filter = BuildBloomFilter(hashes);
  EXPECT_EQ(filter.size(), 8u);
  for (uint64_t h : hashes) EXPECT_TRUE(BloomMayContain(filter, h));
  EXPECT_TRUE(BloomMayContain("", TokenHash("x")));  // no filter rules nothing out
}

}  // namespace
}  // namespace sawlog
