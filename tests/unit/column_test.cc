#include <gtest/gtest.h>

#include "store/bloom_filter.h"
#include "store/column.h"

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
  EXPECT_EQ(RoundTrip({"a", "b", "a", "b", "a", "b", "a", "b", "a"}), ColumnEncoding::kDict);
  // Multiples of a power of ten (µs timestamps kept in ns) are stored scaled down.
  EXPECT_EQ(RoundTrip({"1700000000123000000", "1700000000124000000", "-5000000", "0"}), ColumnEncoding::kInt);
  EXPECT_EQ(RoundTrip({"one", "two", "three"}), ColumnEncoding::kRaw);
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
