// The server's side of the receivers (Api::Receive): the store's push-back becomes 429 with
// Retry-After in the protocol's own format, and nothing is acknowledged before the append.
#include <gtest/gtest.h>

#include "server/api.h"

namespace sawlog {
namespace {

// A store that records appends, or refuses them with a set status.
class FakeStore : public Store {
 public:
  Status refuse = Status::Ok();
  std::vector<std::pair<std::string, Event>> appended;

  Status AppendAll(std::span<const TenantEvents> batches) override {
    if (!refuse.ok()) return refuse;
    for (const auto& b : batches) {
      for (auto& e : *b.events) appended.emplace_back(std::string(b.tenant), std::move(e));
      b.events->clear();
    }
    return Status::Ok();
  }
  Status Scan(const ScanRequest&, ScanVisitor*) override { return Status::Unsupported("fake"); }
  void Subscribe(AppendListener*) override {}
  void Unsubscribe(AppendListener*) override {}
  Status Flush() override { return Status::Ok(); }
  Status Maintain() override { return Status::Ok(); }
  StoreStats Stats() override { return {}; }
  Status Close() override { return Status::Ok(); }
};

HttpRequest Post(std::string path, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.body = std::move(body);
  r.headers.emplace_back("x-sawlog-tenant", "t1");
  return r;
}

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<absent>";
}

constexpr char kBulk[] = "{\"index\":{\"_index\":\"web\"}}\n{\"message\":\"hi\"}\n";
constexpr char kPush[] = R"({"streams":[{"stream":{"job":"a"},"values":[["1","hi"]]}]})";

TEST(IngestReceivers, AcknowledgeOnlyWhatTheStoreAppended) {
  FakeStore store;
  Api api(&store, Env::Default(), 1 << 20, 1'000'000'000);
  auto req = Post("/_bulk", kBulk);
  HttpResponse r = api.Handle(req);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Elastic-Product"), "Elasticsearch");
  ASSERT_EQ(store.appended.size(), 1u);
  EXPECT_EQ(store.appended[0].first, "t1");
  EXPECT_EQ(store.appended[0].second.msg, "hi");
  auto push = Post("/loki/api/v1/push", kPush);
  EXPECT_EQ(api.Handle(push).status, 204);
  EXPECT_EQ(store.appended.size(), 2u);
}

TEST(IngestReceivers, StorePushBackIs429WithRetryAfterInTheProtocolsFormat) {
  FakeStore store;
  store.refuse = Status::ResourceExhausted("ingest buffer full");
  Api api(&store, Env::Default(), 1 << 20, 1'000'000'000);
  auto req = Post("/_bulk", kBulk);
  HttpResponse es = api.Handle(req);
  EXPECT_EQ(es.status, 429);
  EXPECT_EQ(HeaderOf(es, "Retry-After"), "1");
  EXPECT_NE(es.body.find("\"type\":\"es_rejected_execution_exception\""), std::string::npos) << es.body;
  EXPECT_NE(es.body.find("\"status\":429"), std::string::npos) << es.body;
  auto push = Post("/loki/api/v1/push", kPush);
  HttpResponse loki = api.Handle(push);
  EXPECT_EQ(loki.status, 429);
  EXPECT_EQ(HeaderOf(loki, "Retry-After"), "1");
  EXPECT_TRUE(store.appended.empty());
}

TEST(IngestReceivers, HeadAnswersWithoutBodyAndUnknownPathsStay404) {
  FakeStore store;
  Api api(&store, Env::Default(), 1 << 20, 1'000'000'000);
  HttpRequest head;
  head.method = "HEAD";
  head.path = "/";
  HttpResponse r = api.Handle(head);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  HttpRequest other;
  other.method = "GET";
  other.path = "/_search";
  EXPECT_EQ(api.Handle(other).status, 404);
}

}  // namespace
}  // namespace sawlog
