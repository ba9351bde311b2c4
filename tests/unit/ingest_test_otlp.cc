// The OTLP logs decoders: protobuf and JSON into events, the responses, and Fluent Bit's OTLP
// JSON cases as data (tests/data/otlp/fluent_bit_logs.tsv).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>

#include "ingest/otlp/otlp.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "testing/read_lines.h"

namespace sawlog {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

constexpr int64_t kNow = 1'700'000'000'000'000'000;

std::string FieldOf(const Event& e, std::string_view name) {
  const std::string* v = e.Find(name);
  return v ? *v : "<absent>";
}

void Set(pb_common::KeyValue* kv, std::string key, std::string value) {
  kv->set_key(std::move(key));
  kv->mutable_value()->set_string_value(std::move(value));
}

ExportLogsServiceRequest SampleRequest() {
  ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  Set(rl->mutable_resource()->add_attributes(), "service.name", "checkout");
  Set(rl->mutable_resource()->add_attributes(), "host.name", "web-1");
  Set(rl->mutable_resource()->add_attributes(), "env", "resource");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("io.app");
  sl->mutable_scope()->set_version("1.2");
  auto* r = sl->add_log_records();
  r->set_time_unix_nano(1'700'000'001'000'000'123);
  r->set_observed_time_unix_nano(1'700'000'002'000'000'000);
  r->set_severity_text("WARN");
  r->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
  r->mutable_body()->set_string_value("payment declined");
  r->set_trace_id(std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  r->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  r->set_flags(1);
  Set(r->add_attributes(), "env", "record");  // overrides the resource's
  auto* http = r->add_attributes();
  http->set_key("http");
  auto* status = http->mutable_value()->mutable_kvlist_value()->add_values();
  status->set_key("status");
  status->mutable_value()->set_int_value(402);
  auto* tags = r->add_attributes();
  tags->set_key("tags");
  tags->mutable_value()->mutable_array_value()->add_values()->set_string_value("a");
  tags->mutable_value()->mutable_array_value()->add_values()->set_bool_value(true);
  auto* r2 = sl->add_log_records();  // no time: the observed time; a map body: JSON text
  r2->set_observed_time_unix_nano(1'700'000'003'000'000'000);
  auto* kv = r2->mutable_body()->mutable_kvlist_value()->add_values();
  kv->set_key("k");
  kv->mutable_value()->set_double_value(1.5);
  sl->add_log_records();  // nothing at all: the receive time, an empty _msg
  return req;
}

TEST(OtlpProto, RecordsBecomeEventsWithEveryField) {
  auto b = otlp::DecodeLogsProto(SampleRequest().SerializeAsString(), kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 3u);
  EXPECT_EQ(b->rejected_count, 0u);
  const Event& e = b->events[0];
  EXPECT_EQ(e.time, 1'700'000'001'000'000'123);
  EXPECT_EQ(e.ingest_time, kNow);
  EXPECT_EQ(e.msg, "payment declined");
  EXPECT_EQ(e.stream, "{service.name=\"checkout\"}");
  EXPECT_EQ(FieldOf(e, "service.name"), "checkout");
  EXPECT_EQ(FieldOf(e, "host.name"), "web-1");
  EXPECT_EQ(FieldOf(e, "env"), "record");
  EXPECT_EQ(FieldOf(e, "scope.name"), "io.app");
  EXPECT_EQ(FieldOf(e, "scope.version"), "1.2");
  EXPECT_EQ(FieldOf(e, "severity"), "WARN");
  EXPECT_EQ(FieldOf(e, "severity_number"), "13");
  EXPECT_EQ(FieldOf(e, "trace_id"), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(FieldOf(e, "span_id"), "eee19b7ec3c1b174");
  EXPECT_EQ(FieldOf(e, "flags"), "1");
  EXPECT_EQ(FieldOf(e, "http.status"), "402");
  EXPECT_EQ(FieldOf(e, "tags"), "[\"a\",true]");
  size_t envs = 0;
  for (const auto& f : e.fields) envs += f.name == "env";
  EXPECT_EQ(envs, 1u);
  EXPECT_EQ(b->events[1].time, 1'700'000'003'000'000'000);
  EXPECT_EQ(b->events[1].msg, "{\"k\":1.5}");
  EXPECT_EQ(FieldOf(b->events[1], "severity"), "<absent>");
  EXPECT_EQ(b->events[2].time, kNow);
  EXPECT_EQ(b->events[2].msg, "");
  EXPECT_EQ(otlp::ResponseProto(*b), "");
  EXPECT_EQ(otlp::ResponseJson(*b), "{}");
}

TEST(OtlpProto, BadRecordsAreRejectedAloneInThePartialSuccess) {
  ExportLogsServiceRequest req = SampleRequest();
  auto* records = req.mutable_resource_logs(0)->mutable_scope_logs(0);
  records->mutable_log_records(1)->set_trace_id("short");
  records->mutable_log_records(2)->set_span_id("123456789");
  auto b = otlp::DecodeLogsProto(req.SerializeAsString(), kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->events.size(), 1u);
  ASSERT_EQ(b->rejected_count, 2u);
  EXPECT_EQ(b->rejected[0].line, 2u);
  EXPECT_EQ(b->rejected[0].reason, "resource_logs[0].scope_logs[0].log_records[1]: trace_id of 5 bytes, expected 16");
  EXPECT_EQ(b->rejected[1].line, 3u);
  ExportLogsServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(otlp::ResponseProto(*b)));
  EXPECT_EQ(response.partial_success().rejected_log_records(), 2);
  EXPECT_NE(response.partial_success().error_message().find("record 3: resource_logs[0].scope_logs[0].log_records[2]: span_id"),
            std::string::npos)
      << response.partial_success().error_message();
  EXPECT_EQ(otlp::ResponseJson(*b).rfind("{\"partialSuccess\":{\"rejectedLogRecords\":\"2\",\"errorMessage\":\"2 of 3 log records rejected; record 2: ", 0), 0u)
      << otlp::ResponseJson(*b);
}

TEST(OtlpProto, MalformedBodiesAreRefusedWithTheReason) {
  std::string body = SampleRequest().SerializeAsString();
  auto truncated = otlp::DecodeLogsProto(std::string_view(body).substr(0, body.size() - 3), kNow);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), Code::kInvalidArgument);
  EXPECT_NE(truncated.status().message().find("ExportLogsServiceRequest"), std::string::npos);

  ExportLogsServiceRequest req;
  req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body()->set_string_value("bad \xff utf-8");
  std::string bad;
  ASSERT_TRUE(req.SerializePartialToString(&bad));
  auto utf8 = otlp::DecodeLogsProto(bad, kNow);
  ASSERT_FALSE(utf8.ok());
  EXPECT_NE(utf8.status().message().find("UTF-8"), std::string::npos) << utf8.status().message();

  auto empty = otlp::DecodeLogsProto("", kNow);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->events.empty());
}

Result<DecodedBatch> DecodeJson(std::string json) {
  return otlp::DecodeLogsJson(json, 0, kNow);
}

TEST(OtlpJson, TheSpecExampleMapsLikeProtobuf) {
  const std::filesystem::path example = SAWLOG_SHARED_DATA_DIR "/vectors/otlp/examples/logs.json";
  if (!std::filesystem::exists(example)) GTEST_SKIP() << example << " is missing";
  std::string json;
  for (const auto& line : testing::ReadLines(example)) json += line + "\n";
  auto b = DecodeJson(json);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 1u);
  const Event& e = b->events[0];
  EXPECT_EQ(e.time, 1544712660300000000);
  EXPECT_EQ(e.msg, "Example log record");
  EXPECT_EQ(e.stream, "{service.name=\"my.service\"}");
  EXPECT_EQ(FieldOf(e, "scope.name"), "my.library");
  EXPECT_EQ(FieldOf(e, "scope.version"), "1.0.0");
  EXPECT_EQ(FieldOf(e, "my.scope.attribute"), "some scope attribute");
  EXPECT_EQ(FieldOf(e, "severity"), "Information");
  EXPECT_EQ(FieldOf(e, "severity_number"), "10");
  EXPECT_EQ(FieldOf(e, "trace_id"), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(FieldOf(e, "span_id"), "eee19b7ec3c1b174");
  EXPECT_EQ(FieldOf(e, "string.attribute"), "some string");
  EXPECT_EQ(FieldOf(e, "boolean.attribute"), "true");
  EXPECT_EQ(FieldOf(e, "int.attribute"), "10");
  EXPECT_EQ(FieldOf(e, "double.attribute"), "637.704");
  EXPECT_EQ(FieldOf(e, "array.attribute"), "[\"many\",\"values\"]");
  EXPECT_EQ(FieldOf(e, "map.attribute.some.map.key"), "some value");
}

TEST(OtlpJson, ProtoNamesEnumNamesBytesAndNonFiniteDoubles) {
  auto b = DecodeJson(R"({"resource_logs":[{"scope_logs":[{"log_records":[
      {"time_unix_nano":17,"severity_number":"SEVERITY_NUMBER_ERROR","body":{"bytesValue":"aGk="},
       "attributes":[{"key":"d","value":{"doubleValue":"NaN"}},{"key":"n","value":null},{"key":"i","value":{"intValue":"-5"}}]}]}]}]})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->events.size(), 1u);
  EXPECT_EQ(b->events[0].time, 17);
  EXPECT_EQ(b->events[0].msg, "aGk=");
  EXPECT_EQ(FieldOf(b->events[0], "severity_number"), "17");
  EXPECT_EQ(FieldOf(b->events[0], "d"), "nan");
  EXPECT_EQ(FieldOf(b->events[0], "n"), "<absent>");
  EXPECT_EQ(FieldOf(b->events[0], "i"), "-5");
}

TEST(OtlpJson, ErrorsNameThePath) {
  auto b = DecodeJson(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"ok"}},
      {"attributes":[{"key":"a","value":{"intValue":"x"}}]}]}]}]})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->rejected.size(), 1u);
  EXPECT_EQ(b->rejected[0].line, 2u);
  EXPECT_EQ(b->rejected[0].reason,
            "resourceLogs[0].scopeLogs[0].logRecords[1]: attributes[0].value: intValue: expected an integer (a string of digits or a number)");
  auto refused = DecodeJson(R"({"resourceLogs":[{"scopeLogs":[{"scope":{"attributes":[1]}}]}]})");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "resourceLogs[0].scopeLogs[0].scope.attributes[0]: expected an object {\"key\":...,\"value\":{...}}");
  EXPECT_FALSE(DecodeJson("{\"resourceLogs\":[").ok());
  std::string deep = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)";
  for (int i = 0; i < 100; ++i) deep += R"({"arrayValue":{"values":[)";
  for (int i = 0; i < 100; ++i) deep += "]}}";
  deep += "}]}]}]}";
  auto nested = DecodeJson(deep);
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_EQ(nested->rejected_count, 1u);
}

// The expectation of one case of the table.
struct CaseOutcome {
  bool refused = false;
  size_t events = 0, rejected = 0;
  std::string msg;  // of the first event, when given
};

std::map<std::string, CaseOutcome> ReadCaseTable() {
  std::map<std::string, CaseOutcome> table;
  for (const auto& line : testing::ReadLines(SAWLOG_TEST_DATA "/otlp/fluent_bit_logs.tsv")) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t'), tab2 = line.find('\t', tab + 1);
    CaseOutcome c;
    const std::string outcome = line.substr(tab + 1, tab2 == std::string::npos ? std::string::npos : tab2 - tab - 1);
    if (outcome == "refused") c.refused = true;
    else EXPECT_EQ(std::sscanf(outcome.c_str(), "events=%zu rejected=%zu", &c.events, &c.rejected), 2) << line;
    if (tab2 != std::string::npos) c.msg = line.substr(tab2 + 1);
    table[line.substr(0, tab)] = c;
  }
  return table;
}

std::string Text(simdjson::dom::element v) {
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  if (v.is_bool()) return v.get_bool().value_unsafe() ? "true" : "false";
  return simdjson::minify(v);
}

// Fluent Bit's expectations in sawlog's terms: the record's body, metadata and the group's
// resource and scope as _msg and fields of the events, in order.
void CheckExpected(const std::string& name, simdjson::dom::object expected, const std::vector<Event>& events,
                   const CaseOutcome& outcome) {
  struct Want {
    simdjson::dom::object group, metadata, body;
  };
  std::vector<Want> wants;
  simdjson::dom::array groups;
  if (!expected["groups"].get(groups)) {
    for (auto g : groups) {
      simdjson::dom::array records = g["records"].get_array().value();
      for (auto r : records)
        wants.push_back({g["body"].get_object().value_unsafe(), r["metadata"]["otlp"].get_object().value_unsafe(),
                         r["body"].get_object().value_unsafe()});
    }
  } else {
    wants.push_back({expected["group_body"].get_object().value_unsafe(),
                     expected["log_metadata"]["otlp"].get_object().value_unsafe(),
                     expected["log_body"].get_object().value_unsafe()});
  }
  ASSERT_GE(events.size(), wants.size()) << name;
  for (size_t i = 0; i < wants.size(); ++i) {
    const Event& e = events[i];
    SCOPED_TRACE(name + " event " + std::to_string(i));
    simdjson::dom::element log;
    if (!wants[i].body["log"].get(log)) EXPECT_EQ(e.msg, Text(log));
    else EXPECT_EQ(e.msg, outcome.msg);
    static const std::map<std::string_view, std::string_view> kMetadata = {
        {"severity_number", "severity_number"}, {"severity_text", "severity"}, {"trace_id", "trace_id"},
        {"span_id", "span_id"}, {"event_name", "event_name"}};
    for (auto [key, value] : wants[i].metadata) {
      auto field = kMetadata.find(key);
      if (field == kMetadata.end()) continue;  // observed time, dropped counts, Fluent Bit's traceFlags
      std::string want = Text(value);
      if (key == "trace_id" || key == "span_id")
        for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(FieldOf(e, field->second), want) << key;
    }
    simdjson::dom::object attributes, scope;
    if (!wants[i].group["resource"]["attributes"].get(attributes)) {
      for (auto [key, value] : attributes) EXPECT_EQ(FieldOf(e, key), Text(value)) << key;
    }
    if (!wants[i].group["scope"].get(scope)) {
      for (auto [key, value] : scope) {
        if (key == "name" || key == "version") {
          EXPECT_EQ(FieldOf(e, "scope." + std::string(key)), Text(value));
        }
      }
      if (!scope["attributes"].get(attributes)) {
        for (auto [key, value] : attributes) {
          if (Text(value) != "") {  // sawlog drops an absent value
            EXPECT_EQ(FieldOf(e, key), Text(value)) << key;
          }
        }
      }
    }
  }
}

TEST(OtlpJson, FluentBitCases) {
  const std::filesystem::path cases = SAWLOG_SHARED_DATA_DIR "/vectors/otlp/fluent-bit-cases/logs.json";
  if (!std::filesystem::exists(cases)) GTEST_SKIP() << cases << " is missing";
  const auto table = ReadCaseTable();
  simdjson::dom::parser parser;
  simdjson::dom::object all = parser.load(cases.string()).get_object().value();
  size_t ran = 0;
  for (auto [name_view, test] : all) {
    const std::string name(name_view);
    auto row = table.find(name);
    if (row == table.end()) {
      ADD_FAILURE() << "case " << name << " is not in fluent_bit_logs.tsv";
      continue;
    }
    const CaseOutcome& want = row->second;
    auto b = DecodeJson(simdjson::minify(test["input"]));
    ++ran;
    if (want.refused) {
      EXPECT_FALSE(b.ok()) << name;
      if (!b.ok()) {
        EXPECT_EQ(b.status().code(), Code::kInvalidArgument) << name;
      }
      continue;
    }
    ASSERT_TRUE(b.ok()) << name << ": " << b.status().ToString();
    EXPECT_EQ(b->events.size(), want.events) << name;
    EXPECT_EQ(b->rejected_count, want.rejected) << name;
    for (const auto& r : b->rejected) EXPECT_EQ(r.reason.rfind("resourceLogs[", 0), 0u) << name << ": " << r.reason;
    simdjson::dom::object expected;
    if (want.events > 0 && !test["expected"].get(expected) && expected["empty_payload"].error())
      CheckExpected(name, expected, b->events, want);
  }
  EXPECT_EQ(ran, table.size());
}

}  // namespace
}  // namespace sawlog
