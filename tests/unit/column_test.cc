#include <gtest/gtest.h>

#include "store/bloom_filter.h"
#include "store/column.h"
#include "store/templated.h"

#include "core/coding.h"
#include "core/tokenizer.h"

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

TEST(Column, IntegersAreScaledByTheLargestPowerOfTenDividingAll) {
  auto exponent = [](const std::vector<int64_t>& xs) {
    ColumnEncoding enc;
    const std::string data = EncodeIntColumn(xs, &enc);
    EXPECT_NE(enc, ColumnEncoding::kConst);
    EXPECT_EQ(RoundTripInts(xs), enc);
    return static_cast<int>(data[2]);
  };
  EXPECT_EQ(exponent({1024, 2048, 4096}), 0);  // low bits clear, yet no factor 5
  EXPECT_EQ(exponent({4096000, 8192000}), 3);
  EXPECT_EQ(exponent({5000, -3000000, 0}), 3);
  EXPECT_EQ(exponent({15625, 31250}), 0);  // 5^6 and twice that: no factor 2
  EXPECT_EQ(exponent({1000000000000000000, -2000000000000000000, 0}), 18);
  EXPECT_EQ(exponent({-9223372036854775800, 9223372036854775800}), 2);
  EXPECT_EQ(exponent({INT64_MIN, 0}), 0);
  EXPECT_EQ(exponent({INT64_MAX, 10}), 0);
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

// Hex of s, to compare encodings.
std::string Hex(std::string_view s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Part files written before must stay byte for byte the same for the same events: these bytes
// were produced by the encoder of part format 4 as first released.
TEST(Column, EncodingsAreByteIdenticalToFormat4) {
  const std::string kDictHex =
      "0101f7fffdffffffffffffffffffffffff0d0277300277320277340277380377313003773132027731027733027735027737"
      "02773903773131027736000102030405060708090a0b0001020c0405060708090a0b0001020c030405060708090a0b000102"
      "0c030405060708090a0b0001020c030405060708090a0b0001020c030405060708090a0b0001020c030405060708090a0b00"
      "01020c030405060708090a0b0001020c030405060708090a0b000102";
  const std::string kPackedHex =
      "0400038080918099f28c06e5e06915f45b4d3ab3c15e37c70ac736e594221dcab3336878e44a4f18f1811abf1d61c0250475"
      "0021862f9ccd0dd43951f62e42d6c69558c1142355de64b1da305797c428f38b840092ce0d50c20342af370afe269dbc2cb4"
      "17f569c2c04dd68547c3f2608f154e29d23146b661c44790e87600a1fd3e94bd8bf47770e54d9aab4b51b3496e2637bca875"
      "3695acaa4ed115329a1e235b41a2eb037cf577b0ed2d969bc92eaf595d459b9a6a3191ede1b9b533b86525978ae80e8d5d19"
      "c10300002180efbff775efbfdd1c98790769e642d53c9c8989116f91554d34abc75514694432ce486591b804ef1e015e9333"
      "8bf4664fac6a925745af26a9bc639978a8ae0a8611c9b42257246293466409808e78df19f0b79ef9e737ef6ad5219c596411"
      "8f6ee2b0345b82554d8ee8e9152d2b912914516500aec83b96f0d602cd5cc1199bab82e94c318c4866efcca8199aac528344"
      "6c9ff26d15cb4a2e15d11d1abb32820700004200df7fefebde7fbb3930f30ed2cc05";
  const std::string kVarintHex =
      "0200004d04060204060204060204060204060204060204060204060204060204060204060204060204060204060204060204"
      "0602048080808080808080200204060204060204060204060204060204060204060204060204060204060204060204060204"
      "0602040602040602040602040602040602040602040602040602040602040602040602040602040602040602040602040602"
      "0406020406020406020406020406020406020406020406020406020406020406020406020406020406020406020406020406"
      "0204060204060204060204";
  std::vector<std::string> words;
  for (int i = 0; i < 120; ++i) words.push_back("w" + std::to_string(i * 7919 % 13));
  Values dict(words.begin(), words.end());
  dict[3] = std::nullopt;
  dict[17] = std::nullopt;
  ColumnEncoding enc;
  EXPECT_EQ(Hex(EncodeColumn(dict, &enc)), kDictHex);
  EXPECT_EQ(enc, ColumnEncoding::kDict);

  std::vector<int64_t> times;
  for (int64_t i = 0; i < 140; ++i) times.push_back(1717200000000000000 + i * 1234000 + (i * i * 7919) % 1000003 * 1000);
  std::vector<std::string> texts = IntTexts(times);
  EXPECT_EQ(Hex(EncodeColumn(Values(texts.begin(), texts.end()), &enc)), kPackedHex);
  EXPECT_EQ(enc, ColumnEncoding::kPacked);
  EXPECT_EQ(Hex(EncodeIntColumn(times, &enc)), kPackedHex);
  EXPECT_EQ(enc, ColumnEncoding::kPacked);

  std::vector<int64_t> spiky;
  for (int64_t i = 0, x = -40; i < 200; ++i) spiky.push_back(x += i == 50 ? int64_t{1} << 60 : 1 + i % 3);
  texts = IntTexts(spiky);
  EXPECT_EQ(Hex(EncodeColumn(Values(texts.begin(), texts.end()), &enc)), kVarintHex);
  EXPECT_EQ(enc, ColumnEncoding::kInt);
  EXPECT_EQ(Hex(EncodeIntColumn(spiky, &enc)), kVarintHex);
  EXPECT_EQ(enc, ColumnEncoding::kInt);

  EXPECT_EQ(Hex(EncodeColumn({"-17", "-17", std::nullopt}, &enc)), "000103032d3137");
  EXPECT_EQ(enc, ColumnEncoding::kConst);
  EXPECT_EQ(Hex(EncodeIntColumn({1717200000123456789, 1717200000123456789}, &enc)), "00001331373137323030303030313233343536373839");
  EXPECT_EQ(enc, ColumnEncoding::kConst);
  EXPECT_EQ(Hex(EncodeColumn({"one", std::nullopt, "two", "three", "one"}, &enc)), "03011d030305036f6e6574776f74687265656f6e65");
  EXPECT_EQ(enc, ColumnEncoding::kRaw);
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

// Encodes values templated (at a fast and a strong zstd level), decodes them through every
// path, and checks they come back byte for byte.
void TemplatedRoundTrip(const Values& values) {
  for (int level : {1, 9}) {
    std::string data = *EncodeTemplatedColumn(values, level, true);
    ASSERT_EQ(static_cast<ColumnEncoding>(data[0]), ColumnEncoding::kTemplatedSplit);
    Values back;
    std::vector<std::string> storage;
    Status st = DecodeColumn(data, values.size(), &back, &storage);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(back, values);
    TypedColumn typed;
    st = DecodeTypedColumn(data, values.size(), &typed);
    ASSERT_TRUE(st.ok()) << st.ToString();
    TypedColumn moved = std::move(typed);  // the views follow the rebuilt text
    EXPECT_EQ(moved.kind, TypedColumn::Kind::kStrings);
    EXPECT_EQ(moved.strings, values);
    TemplatedColumn t;
    st = t.Open(data, values.size());
    ASSERT_TRUE(st.ok()) << st.ToString();
    // Each kind's stream is every row's tokens with digits of that kind, in order, a line per
    // present row; each row's template has a mark of the kind for each.
    ASSERT_TRUE(t.ReadTemplates().ok());
    std::array<std::string, kVariableKinds> want;
    for (size_t r = 0; r < values.size(); ++r) {
      if (!values[r]) {
        EXPECT_EQ(t.row_ids()[r], TemplatedColumn::kAbsent);
        continue;
      }
      std::string marks;
      ForEachToken(*values[r], [&](std::string_view tok) {
        if (tok.find_first_of("0123456789") == std::string_view::npos) return;
        const bool mixed = tok.find_first_not_of("0123456789") != std::string_view::npos;
        (want[mixed] += tok) += kVariableEnd;
        marks += mixed ? kMixedMark : kDigitsMark;
      });
      for (auto& w : want) w += kRowEnd;
      ASSERT_NE(t.row_ids()[r], TemplatedColumn::kAbsent);
      std::string template_marks;
      for (char c : t.templates()[t.row_ids()[r]])
        if (c == kDigitsMark || c == kMixedMark) template_marks += c;
      EXPECT_EQ(template_marks, marks) << "row " << r;
    }
    EXPECT_EQ(t.Variables(VariableKind::kDigits).value(), want[0]);
    EXPECT_EQ(t.Variables(VariableKind::kMixed).value(), want[1]);
  }
}

TEST(TemplatedColumn, RoundTripsByteForByte) {
  TemplatedRoundTrip({"Received block blk_123 of size 67108864 from /10.0.0.1",
                      "Received block blk_-42 of size 91 from /10.0.0.2", "", "no variables here"});
  // Leading, trailing and adjacent variables; separators next to each other and at the ends.
  TemplatedRoundTrip({"123", "a1 b2", "x9", "  1  ", "7,8;;9", "..", "-", "1.2.3.4:80", "tok_9x", "0"});
  // Bytes >= 0x80 are token bytes (a UTF-8 word with a digit is one variable); controls separate.
  TemplatedRoundTrip({"caf\xc3\xa9 42\xe6\x9d\xb1", "\x01\x02 3\n4\t\r", std::string_view("nul\0 5", 7)});
  // Absent rows keep their place; no row at all; every row absent.
  TemplatedRoundTrip({std::nullopt, "a 1", std::nullopt, "b", std::nullopt});
  TemplatedRoundTrip({});
  TemplatedRoundTrip({std::nullopt, std::nullopt});
  // The mark is a digit: in a value it is always inside a variable, never constant text.
  TemplatedRoundTrip({"0", "00 0", "x0 0x", "0\n"});
}

TEST(TemplatedColumn, SplitsTokensWithDigitsFromTheText) {
  Values values = {"GET /a1/b HTTP/1.1", "GET /a2/b HTTP/1.1", "ERROR x"};
  std::string data = *EncodeTemplatedColumn(values, 1, true);
  TemplatedColumn t;
  ASSERT_TRUE(t.Open(data, values.size()).ok());
  ASSERT_TRUE(t.ReadTemplates().ok());
  ASSERT_EQ(t.templates().size(), 2u);
  EXPECT_EQ(t.templates()[0], "GET /1/b HTTP/0.0");
  EXPECT_EQ(t.templates()[1], "ERROR x");
  EXPECT_EQ(t.row_ids(), (std::vector<uint32_t>{0, 0, 1}));
  EXPECT_EQ(t.Variables(VariableKind::kDigits).value(), "1 1 \n1 1 \n\n");
  EXPECT_EQ(t.Variables(VariableKind::kMixed).value(), "a1 \na2 \n\n");
}

TEST(TemplatedColumn, ManyDistinctTemplates) {
  // More than 256 templates: ids of two bytes.
  std::vector<std::string> texts;
  for (int i = 0; i < 3000; ++i) {
    std::string name;
    for (int x = i; x > 0 || name.empty(); x /= 26) name.push_back(static_cast<char>('a' + x % 26));
    texts.push_back("word " + name + " n" + std::to_string(i));
  }
  Values values(texts.begin(), texts.end());
  TemplatedRoundTrip(values);
  // A template for every few rows does not pay: the writer is told so (before compressing).
  EXPECT_FALSE(EncodeTemplatedColumn(values, 1).has_value());
  // Few templates do.
  std::vector<std::string> alike;
  for (int i = 0; i < 3000; ++i) alike.push_back("served " + std::to_string(i * 7) + " bytes to 10.0.0." + std::to_string(i % 256));
  EXPECT_TRUE(EncodeTemplatedColumn(Values(alike.begin(), alike.end()), 1).has_value());
}

TEST(TemplatedColumn, DamageIsReportedNotTrusted) {
  Values values = {"a 1 b 22", "c 333", std::nullopt, "d"};
  const std::string data = *EncodeTemplatedColumn(values, 1, true);
  for (size_t cut = 0; cut < data.size(); ++cut) {
    Values back;
    std::vector<std::string> storage;
    EXPECT_FALSE(DecodeColumn(data.substr(0, cut), values.size(), &back, &storage).ok()) << cut;
  }
  // Each byte changed: reported, or decoded to some values (never a crash or a read past the end).
  for (size_t at = 0; at < data.size(); ++at)
    for (int x : {1, 0x80, 0xff}) {
      std::string bad = data;
      bad[at] = static_cast<char>(bad[at] ^ x);
      Values back;
      std::vector<std::string> storage;
      (void)DecodeColumn(bad, values.size(), &back, &storage);
      TemplatedColumn t;
      if (t.Open(bad, values.size()).ok()) {
        std::string text;
        (void)t.Rebuild(&text, &back);
      }
    }
}

// Parts of version 5 hold the first templated encoding: one variable stream, every variable
// marked '0' and followed by a line end, no row ends.
TEST(TemplatedColumn, ReadsFormat5) {
  const Values values = {"a 1 b x22", "c 333", std::nullopt, "d"};
  std::string v5 = {static_cast<char>(ColumnEncoding::kTemplated), 1, 0x0b};  // rows 0, 1 and 3
  auto section = [&](std::string_view raw) {
    v5.push_back(0);  // stored
    PutVarint64(&v5, raw.size());
    PutLengthPrefixed(&v5, raw);
  };
  std::string templates;
  PutVarint64(&templates, 3);
  for (std::string_view t : {"a 0 b 0", "c 0", "d"}) PutLengthPrefixed(&templates, t);
  templates += std::string{0, 1, 2};
  section(templates);
  section("1\nx22\n333\n");
  Values back;
  std::vector<std::string> storage;
  ASSERT_TRUE(DecodeColumn(v5, values.size(), &back, &storage).ok());
  EXPECT_EQ(back, values);
  TemplatedColumn t;
  ASSERT_TRUE(t.Open(v5, values.size()).ok());
  EXPECT_FALSE(t.split());
  EXPECT_FALSE(t.Variables(VariableKind::kMixed).ok());
  // A mark of the second kind is not format 5's.
  std::string bad = v5;
  bad[bad.find("c 0") + 2] = kMixedMark;
  EXPECT_EQ(DecodeColumn(bad, values.size(), &back, &storage).code(), Code::kCorruption);
  for (size_t cut = 0; cut < v5.size(); ++cut)
    EXPECT_FALSE(DecodeColumn(v5.substr(0, cut), values.size(), &back, &storage).ok()) << cut;
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

// The bit layout is the file format: filters of the same hashes keep their bytes.
TEST(BloomFilter, KeepsItsBytes) {
  std::vector<uint64_t> few = {TokenHash("get"), TokenHash("post"), TokenHash("get"), 0};
  std::string small = BuildBloomFilter(few);
  ASSERT_EQ(small.size(), 8u);
  EXPECT_EQ(DecodeFixed64(small.data()), 4614500802566897735ull);
  std::vector<uint64_t> many;
  for (int i = 0; i < 3000; ++i) many.push_back(TokenHash("token" + std::to_string(i % 2000)));
  std::string big = BuildBloomFilter(many);
  EXPECT_EQ(big.size(), 4032u);
  EXPECT_EQ(XXH3_64bits(big.data(), big.size()), 14410026963021594806ull);
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
