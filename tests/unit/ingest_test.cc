#include <gtest/gtest.h>
#include <zstd.h>

#include "core/timestamp.h"
#include "ingest/ingest.h"
#include "testing/deflate.h"

namespace sawlog {
namespace {

constexpr int64_t kNow = 1'700'000'000 * kNanosPerSecond;

IngestParams Params() {
  IngestParams p;
  p.now_ns = kNow;
  return p;
}

TEST(Ndjson, FlattensNestedObjectsAndKeepsArraysAsJson) {
  auto b = DecodeNdjson(R"({"_msg":"hi","http":{"method":"GET","status":200,"ok":true},"tags":["a",1],"n":null,"f":1.5})", 0, Params());
  ASSERT_EQ(b.events.size(), 1u);
  const Event& e = b.events[0];
  EXPECT_EQ(e.msg, "hi");
  EXPECT_EQ(e.time, kNow);
  EXPECT_EQ(e.ingest_time, kNow);
  EXPECT_EQ(e.fields, (std::vector<Field>{{"http.method", "GET"}, {"http.status", "200"}, {"http.ok", "true"},
                                          {"tags", "[\"a\",1]"}, {"f", "1.5"}}));
}

TEST(Ndjson, TimeFieldFromRfc3339OrEpoch) {
  auto b = DecodeNdjson("{\"_time\":\"2026-11-26T10:00:00.5+01:00\",\"_msg\":\"a\"}\n"
                        "{\"_time\":1700000000123,\"_msg\":\"b\"}\n"
                        "{\"_time\":\"1700000000\",\"_msg\":\"c\"}\n",
                        0, Params());
  ASSERT_EQ(b.events.size(), 3u) << (b.rejected.empty() ? "" : b.rejected[0].reason);
  EXPECT_EQ(FormatRfc3339Nano(b.events[0].time), "2026-11-26T09:00:00.500000000Z");
  EXPECT_EQ(FormatRfc3339Nano(b.events[1].time), "2023-11-14T22:13:20.123000000Z");
  EXPECT_EQ(b.events[2].time, kNow);
  EXPECT_EQ(b.events[0].ingest_time, kNow);
}

TEST(Ndjson, CustomFieldsAndStreams) {
  IngestParams p = Params();
  p.time_fields = {"ts"};
  p.msg_fields = {"message", "log"};
  p.stream_fields = {"service", "host"};
  auto b = DecodeNdjson(R"({"ts":"2026-01-01T00:00:00Z","log":"from log","service":"api","host":"h1","x":"y"})", 0, p);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].msg, "from log");
  EXPECT_EQ(b.events[0].stream, "{host=\"h1\",service=\"api\"}");
  EXPECT_EQ(b.events[0].fields.size(), 3u);  // stream fields stay fields too
  EXPECT_EQ(FormatRfc3339Nano(b.events[0].time), "2026-01-01T00:00:00.000000000Z");
}

TEST(Ndjson, BadLinesAreRejectedOneByOne) {
  std::string big = "{\"_msg\":\"" + std::string(kMaxEventBytes, 'x') + "\"}";
  std::string body = "{\"_msg\":\"ok 1\"}\n"
                     "{not json\n"
                     "\n"
                     "[1,2,3]\n"
                     "{\"_msg\":\"bad utf8 \xff\"}\n"
                     "{\"_time\":\"yesterday\",\"_msg\":\"x\"}\n" +
                     big + "\n" +
                     "{\"_msg\":\"trailing\"} junk\n"
                     "{\"_msg\":\"ok 2\"}\r\n";
  auto b = DecodeNdjson(body, 0, Params());
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[1].msg, "ok 2");
  ASSERT_EQ(b.rejected_count, 6u);
  std::vector<size_t> lines;
  for (const auto& r : b.rejected) lines.push_back(r.line);
  EXPECT_EQ(lines, (std::vector<size_t>{2, 4, 5, 6, 7, 8}));
  EXPECT_EQ(b.rejected[1].reason, "not a JSON object");
  EXPECT_EQ(b.rejected[2].reason, "invalid UTF-8");
  EXPECT_NE(b.rejected[3].reason.find("field '_time'"), std::string::npos);
  EXPECT_NE(b.rejected[4].reason.find("exceeds the limit"), std::string::npos);
}

TEST(Ndjson, ResponseListsRejections) {
  auto b = DecodeNdjson("{\"_msg\":\"a\"}\n{x\n", 0, Params());
  EXPECT_EQ(IngestResponseJson(1, b),
            "{\"accepted\":1,\"rejected_count\":1,\"rejected\":[{\"line\":2,\"reason\":\"malformed JSON (unbalanced "
            "brackets or a missing value)\"}]}");
}

TEST(TextLines, EachLineIsAMessage) {
  auto b = DecodeTextLines("first line\r\n\n  \nsecond\tline\nlast", Params());
  ASSERT_EQ(b.events.size(), 3u);
  EXPECT_EQ(b.events[0].msg, "first line");
  EXPECT_EQ(b.events[1].msg, "second\tline");
  EXPECT_EQ(b.events[2].msg, "last");
  EXPECT_EQ(b.events[0].stream, "{}");
}

TEST(IngestParams, UnknownParameterIsRefused) {
  EXPECT_EQ(ParseIngestParams({{"_stream_field", "x"}}).status().code(), Code::kInvalidArgument);
  auto p = ParseIngestParams({{"_stream_fields", "service, host"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->stream_fields, (std::vector<std::string>{"service", "host"}));
}

using testing::Gzip;

TEST(ContentEncoding, ListsAreUndoneFromTheLastAndAbsentZlibLayersSkipped) {
  const std::string body = "{\"a\":1}";
  EXPECT_EQ(DecodeContent("gzip, deflate", testing::Zlib(testing::Gzip(body)), 1 << 20).value(), body);
  EXPECT_EQ(DecodeContent("gzip,deflate", testing::Zlib(body), 1 << 20).value(), body);  // graypy
  EXPECT_EQ(DecodeContent("identity, gzip", Gzip(body), 1 << 20).value(), body);
  EXPECT_EQ(DecodeContent("gzip, br", body, 1 << 20).status().code(), Code::kUnsupported);
}

TEST(ContentEncoding, GzipAndZstdRoundTrip) {
  std::string body(100000, 'a');
  EXPECT_EQ(DecodeContent("gzip", Gzip(body), 1 << 20).value(), body);
  std::string z(ZSTD_compressBound(body.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), body.data(), body.size(), 3));
  EXPECT_EQ(DecodeContent("zstd", z, 1 << 20).value(), body);
  EXPECT_EQ(DecodeContent("", body, 1 << 20).value(), body);
}

TEST(ContentEncoding, DamagedTruncatedUnknownAndBombs) {
  std::string body(100000, 'a');
  std::string gz = Gzip(body);
  EXPECT_EQ(DecodeContent("gzip", gz.substr(0, gz.size() / 2), 1 << 20).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DecodeContent("gzip", "garbage!", 1 << 20).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DecodeContent("gzip", "", 1 << 20).status().code(), Code::kInvalidArgument);
  std::string z(ZSTD_compressBound(body.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), body.data(), body.size(), 3));
  EXPECT_EQ(DecodeContent("zstd", z.substr(0, z.size() - 3), 1 << 20).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DecodeContent("br", body, 1 << 20).status().code(), Code::kUnsupported);
  // A small body that inflates past the limit is refused, not decompressed.
  EXPECT_EQ(DecodeContent("gzip", gz, 1000).status().code(), Code::kTooLarge);
  EXPECT_EQ(DecodeContent("zstd", z, 1000).status().code(), Code::kTooLarge);
}

}  // namespace
}  // namespace sawlog
