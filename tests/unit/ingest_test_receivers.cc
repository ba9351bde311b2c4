// The receivers' decoders: Elasticsearch _bulk and Loki push (JSON, protobuf+snappy).
#include <gtest/gtest.h>
#include <snappy.h>

#include "core/timestamp.h"
#include "ingest/elasticsearch/elasticsearch.h"
#include "ingest/loki/loki.h"
#include "ingest/receivers.h"
#include "loki/push.pb.h"

namespace sawlog {
namespace {

constexpr int64_t kNow = 1'700'000'000 * kNanosPerSecond;

std::string FieldOf(const Event& e, std::string_view name) {
  for (const auto& f : e.fields)
    if (f.name == name) return f.value;
  return "<absent>";
}

TEST(EsBulk, IndexAndCreateBecomeEventsWithTimeMessageAndIndexLabel) {
  auto b = elasticsearch::DecodeBulk(
      "{\"index\":{\"_index\":\"web\",\"_id\":\"a1\"}}\n"
      "{\"@timestamp\":\"2026-11-26T10:00:00.5Z\",\"message\":\"GET /\",\"http\":{\"status\":200}}\n"
      "\n"
      "{\"create\":{}}\n"
      "{\"timestamp\":1700000001,\"message\":\"second\",\"level\":\"info\"}\n",
      0, "fallback", kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 2u);
  EXPECT_FALSE(b->errors);
  EXPECT_EQ(b->events[0].stream, "{index=\"web\"}");
  EXPECT_EQ(b->events[0].time, ParseTimestamp("2026-11-26T10:00:00.5Z").value());
  EXPECT_EQ(b->events[0].msg, "GET /");
  EXPECT_EQ(FieldOf(b->events[0], "http.status"), "200");
  EXPECT_EQ(b->events[1].stream, "{index=\"fallback\"}");
  EXPECT_EQ(b->events[1].time, 1700000001 * kNanosPerSecond);
  EXPECT_EQ(b->events[1].ingest_time, kNow);
  EXPECT_EQ(FieldOf(b->events[1], "level"), "info");
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->items[0].action, "index");
  EXPECT_EQ(b->items[0].id, "a1");
  EXPECT_EQ(b->items[1].action, "create");
  EXPECT_FALSE(b->items[1].id.empty());
  std::string json = elasticsearch::BulkResponseJson(*b, 3);
  EXPECT_EQ(json.substr(0, 38), "{\"took\":3,\"errors\":false,\"items\":[{\"in");
  EXPECT_NE(json.find("\"status\":201"), std::string::npos);
}

TEST(EsBulk, PerItemErrorsNameItemAndLine) {
  auto b = elasticsearch::DecodeBulk(
      "{\"index\":{\"_index\":\"t\",\"_id\":\"\"}}\n{\"f\":1}\n"      // item 1: empty _id
      "{\"delete\":{\"_index\":\"t\",\"_id\":\"x\"}}\n"            // item 2: no document line
      "{\"index\":{\"_index\":\"t\"}}\n{not json\n"                 // item 3: bad document, line 5
      "{\"index\":{\"_index\":\"t\"}}\n{\"@timestamp\":\"soon\"}\n"  // item 4: bad time
      "{\"update\":{\"_index\":\"t\",\"_id\":\"x\"}}\n{\"doc\":{}}\n"  // item 5
      "{\"index\":{}}\n{\"f\":2}\n"                                  // item 6: no index
      "{\"index\":{\"_index\":\"t\"}}\n{\"f\":3}\n",                 // item 7: fine
      0, "", kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(b->errors);
  ASSERT_EQ(b->items.size(), 7u);
  ASSERT_EQ(b->events.size(), 1u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(b->items[i].status, 400) << i;
    EXPECT_NE(b->items[i].error_reason.find("item " + std::to_string(i + 1) + ", line "), std::string::npos)
        << b->items[i].error_reason;
  }
  EXPECT_EQ(b->items[0].error_type, "illegal_argument_exception");
  EXPECT_EQ(b->items[0].error_reason.rfind("if _id is specified it must not be empty", 0), 0u);
  EXPECT_EQ(b->items[1].action, "delete");
  EXPECT_EQ(b->items[2].error_type, "mapper_parsing_exception");
  EXPECT_NE(b->items[2].error_reason.find("line 5"), std::string::npos);
  EXPECT_EQ(b->items[3].error_type, "mapper_parsing_exception");
  EXPECT_EQ(b->items[6].status, 201);
}

TEST(EsBulk, MalformedActionFailsTheRequestNamingTheLine) {
  auto b = elasticsearch::DecodeBulk("{\"index\":{}}\n{\"f\":1}\n{\"frobnicate\":{}}\n{}\n", 0, "i", kNow);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kInvalidArgument);
  EXPECT_NE(b.status().message().find("line [3]"), std::string::npos);
  EXPECT_EQ(elasticsearch::DecodeBulk("[1]\n", 0, "i", kNow).status().code(), Code::kInvalidArgument);
  // ES 8 refuses the removed metadata (_type, _version, _routing) for the whole request.
  auto removed = elasticsearch::DecodeBulk("{\"index\":{\"_type\":\"doc\"}}\n{}\n", 0, "i", kNow);
  EXPECT_EQ(removed.status().code(), Code::kInvalidArgument);
  EXPECT_NE(removed.status().message().find("line [1] contains an unknown parameter [_type]"), std::string::npos);
  EXPECT_EQ(elasticsearch::DecodeBulk("{\"index\":{}}\n", 0, "i", kNow).status().code(), Code::kInvalidArgument);
}

TEST(LokiPush, StreamsValuesAndStructuredMetadata) {
  auto b = loki::DecodePushJson(R"({"streams":[
    {"stream":{"job":"api","env":"prod"},"values":[["1700000000123456789","first"],["1700000001000000000","second",{"trace_id":"abc"}]]},
    {"stream":{},"values":[["1700000002000000000","third"]]}]})", kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 3u);
  EXPECT_EQ(b->rejected_count, 0u);
  EXPECT_EQ(b->events[0].stream, "{env=\"prod\",job=\"api\"}");
  EXPECT_EQ(b->events[0].time, 1700000000123456789);
  EXPECT_EQ(b->events[0].msg, "first");
  EXPECT_EQ(b->events[0].ingest_time, kNow);
  EXPECT_EQ(FieldOf(b->events[1], "trace_id"), "abc");
  EXPECT_EQ(b->events[2].stream, "{}");
}

TEST(LokiPush, BadEntriesAreRejectedByPosition) {
  auto b = loki::DecodePushJson(R"({"streams":[
    {"stream":{"a":"b"},"values":[["x","bad time"],["1","ok"],["2",3],["3","m",{"k":1}],["4"]]},
    {"stream":{"n":1},"values":[["5","bad label"]]}]})", kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->events.size(), 1u);
  ASSERT_EQ(b->rejected_count, 5u);
  EXPECT_EQ(b->rejected[0].line, 1u);
  EXPECT_NE(b->rejected[0].reason.find("streams[0].values[0]"), std::string::npos);
  EXPECT_NE(b->rejected[4].reason.find("streams[1].stream"), std::string::npos);
  EXPECT_EQ(loki::DecodePushJson("{\"streams\":1}", kNow).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(loki::DecodePushJson("nope", kNow).status().code(), Code::kInvalidArgument);
}

TEST(LokiLabelSet, PromtailsQuotingAndLogQLsSpacing) {
  using Labels = std::vector<std::pair<std::string, std::string>>;
  auto parse = [](std::string_view s) { return loki::ParseLabelSet(s); };
  EXPECT_EQ(parse("{}").value(), Labels{});
  EXPECT_EQ(parse(R"({job="api", host="web-1"})").value(), (Labels{{"job", "api"}, {"host", "web-1"}}));
  EXPECT_EQ(parse(R"( { a = "x\"y\\z\n\t\x41\u00e9\101" ,b=`raw\n`, } )").value(),
            (Labels{{"a", "x\"y\\z\n\tA\xc3\xa9" "A"}, {"b", "raw\\n"}}));
  const std::pair<std::string_view, std::string_view> bad[] = {
      {"job=\"a\"", "column 1: expected '{'"},
      {"{job=\"a\"", "column 9: expected '}'"},
      {"{1job=\"a\"}", "column 2: invalid label name '1job'"},
      {"{job.name=\"a\"}", "invalid label name 'job.name'"},
      {"{job:\"a\"}", "invalid label name 'job:\"a\"'"},
      {"{job=a}", "column 6: expected a quoted value for label 'job'"},
      {"{job=\"a}", "column 6: the value of label 'job' has no closing quote"},
      {"{job=\"\\q\"}", "column 7: invalid escape"},
      {"{job=\"a\" host=\"b\"}", "column 10: expected ',' or '}'"},
      {"{job=\"a\",job=\"b\"}", "duplicate label 'job'"},
      {"{job=\"a\"} x", "unexpected text"},
  };
  for (auto [text, error] : bad) {
    auto r = parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(error), std::string::npos) << text << " -> " << r.status().message();
  }
}

std::string SnappyPush(const logproto::PushRequest& push) {
  std::string out;
  snappy::Compress(push.SerializeAsString().data(), push.ByteSizeLong(), &out);
  return out;
}

logproto::EntryAdapter* AddEntry(logproto::StreamAdapter* s, int64_t seconds, int32_t nanos, std::string line) {
  auto* e = s->add_entries();
  e->mutable_timestamp()->set_seconds(seconds);
  e->mutable_timestamp()->set_nanos(nanos);
  e->set_line(std::move(line));
  return e;
}

TEST(LokiPushProto, StreamsEntriesAndStructuredMetadata) {
  logproto::PushRequest push;
  auto* s = push.add_streams();
  s->set_labels(R"({job="api", env="prod"})");
  AddEntry(s, 1700000000, 123456789, "first");
  auto* meta = AddEntry(s, 1700000001, 0, "second \xff binary")->add_structuredmetadata();
  meta->set_name("trace_id");
  meta->set_value("abc");
  AddEntry(push.add_streams(), 1700000002, 0, "third")->set_line("third");
  push.mutable_streams(1)->set_labels("{}");
  auto b = loki::DecodePushProto(SnappyPush(push), kMaxBodyBytes, kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 3u);
  EXPECT_EQ(b->rejected_count, 0u);
  EXPECT_EQ(b->events[0].stream, "{env=\"prod\",job=\"api\"}");
  EXPECT_EQ(b->events[0].time, 1700000000123456789);
  EXPECT_EQ(b->events[0].msg, "first");
  EXPECT_EQ(b->events[0].ingest_time, kNow);
  EXPECT_EQ(b->events[1].msg, "second \xff binary");
  EXPECT_EQ(FieldOf(b->events[1], "trace_id"), "abc");
  EXPECT_EQ(b->events[2].stream, "{}");
}

TEST(LokiPushProto, BadStreamsAndEntriesAreRejectedByPosition) {
  logproto::PushRequest push;
  auto* s = push.add_streams();
  s->set_labels("{job=\"a\"}");
  AddEntry(s, 1, 0, "ok");
  AddEntry(s, -1, 0, "before 1970");
  AddEntry(s, 1, 1'000'000'000, "bad nanos");
  AddEntry(s, 1, 0, std::string(kMaxEventBytes + 1, 'x'));
  auto* bad = push.add_streams();
  bad->set_labels("job=a");
  AddEntry(bad, 1, 0, "unlabelled");
  auto b = loki::DecodePushProto(SnappyPush(push), kMaxBodyBytes, kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->events.size(), 1u);
  ASSERT_EQ(b->rejected_count, 4u);
  EXPECT_EQ(b->rejected[0].line, 2u);
  EXPECT_EQ(b->rejected[0].reason, "streams[0].entries[1]: the timestamp must be a time after 1970 and before 2262");
  EXPECT_NE(b->rejected[2].reason.find("exceeds the limit"), std::string::npos);
  EXPECT_EQ(b->rejected[3].line, 5u);
  EXPECT_EQ(b->rejected[3].reason.rfind("streams[1].labels, column 1: expected '{'", 0), 0u) << b->rejected[3].reason;

  EXPECT_EQ(loki::DecodePushProto("not snappy", kMaxBodyBytes, kNow).status().code(), Code::kInvalidArgument);
  std::string garbage;
  snappy::Compress("\x0a\xff\xff", 3, &garbage);
  EXPECT_EQ(loki::DecodePushProto(garbage, kMaxBodyBytes, kNow).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(loki::DecodePushProto(SnappyPush(push), 100, kNow).status().code(), Code::kTooLarge);
}

TEST(Receivers, OneListRoutesByPath) {
  auto find = [](std::string_view method, std::string_view path) -> std::string {
    for (const auto& r : Receivers())
      if (r->Serves(method, path)) return std::string(r->name());
    return "";
  };
  EXPECT_EQ(find("POST", "/_bulk"), "elasticsearch");
  EXPECT_EQ(find("POST", "/logs-2026/_bulk"), "elasticsearch");
  EXPECT_EQ(find("GET", "/"), "elasticsearch");
  EXPECT_EQ(find("PUT", "/_index_template/filebeat"), "elasticsearch");
  EXPECT_EQ(find("POST", "/loki/api/v1/push"), "loki");
  EXPECT_EQ(find("POST", "/v1/logs"), "otlp");
  EXPECT_EQ(find("POST", "/a/b/_bulk"), "");
  EXPECT_EQ(find("GET", "/api/v1/query"), "");
}

}  // namespace
}  // namespace sawlog
