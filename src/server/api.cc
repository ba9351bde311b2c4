// The endpoints: routing, the native ingest endpoint and the query endpoint.
#include "server/api.h"

#include "core/json_writer.h"
#include "core/timestamp.h"
#include "ingest/ingest.h"
#include "pipeline/pipeline.h"
#include "query/query.h"

namespace sawlog {

namespace {

Result<std::string> TenantOf(const HttpRequest& req) {
  std::string_view t = req.Header("x-sawlog-tenant");
  if (t.empty()) return std::string(kDefaultTenant);
  if (!IsValidTenant(t))
    return Status::InvalidArgument("header X-Sawlog-Tenant: invalid tenant '" + std::string(t.substr(0, 80)) +
                                   "' (1 to 64 of A-Z a-z 0-9 _ -)");
  return std::string(t);
}

std::string_view MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

Result<int64_t> TimeParam(const HttpRequest& req, const char* name, int64_t fallback) {
  const std::string* v = req.Param(name);
  if (v == nullptr || v->empty()) return fallback;
  auto t = ParseTimestamp(*v);
  if (!t.ok()) return t.status().Annotate(std::string("parameter '") + name + "'");
  return t;
}

}  // namespace

HttpResponse Api::Handle(HttpRequest& req) {
  if (req.path == "/health") {
    HttpResponse r;
    r.content_type = "text/plain";
    r.body = "ok\n";
    return r;
  }
  if (req.path == "/api/v1/ingest") {
    if (req.method != "POST") return HttpResponse::Error(Status::InvalidArgument("/api/v1/ingest takes POST"));
    return Ingest(req);
  }
  if (req.path == "/api/v1/query") {
    if (req.method != "GET" && req.method != "POST") return HttpResponse::Error(Status::InvalidArgument("/api/v1/query takes GET or POST"));
    return Query(req);
  }
  return HttpResponse::Error(Status::NotFound("no endpoint " + req.method + " " + req.path));
}

HttpResponse Api::Ingest(HttpRequest& req) {
  const int64_t now = env_->NowNanos();
  auto tenant = TenantOf(req);
  if (!tenant.ok()) return HttpResponse::Error(tenant.status());
  std::string_view type = MediaType(req.Header("content-type"));
  bool text = type == "text/plain";
  if (!text && !type.empty() && type != "application/x-ndjson" && type != "application/json" &&
      type != "application/jsonl" && type != "application/x-jsonlines" && type != "application/stream+json")
    return HttpResponse::Error(Status::Unsupported(
        "unsupported Content-Type '" + std::string(type.substr(0, 80)) +
        "': send newline-delimited JSON as application/x-ndjson, or text/plain for one event per line"));
  auto params = ParseIngestParams(req.query);
  if (!params.ok()) return HttpResponse::Error(params.status());
  params->now_ns = now;
  auto body = DecodeContent(req.Header("content-encoding"), std::move(req.body), kMaxBodyBytes);
  if (!body.ok()) return HttpResponse::Error(body.status().Annotate("request body"));
  if (body->find_first_not_of(" \t\r\n") == std::string::npos)
    return HttpResponse::Error(Status::InvalidArgument("request body is empty: send one event per line"));
  // The JSON parser reads up to 64 bytes ahead; give it room instead of copying each line.
  body->reserve(body->size() + 64);
  DecodedBatch batch = text ? DecodeTextLines(*body, *params)
                            : DecodeNdjson(*body, body->capacity() - body->size(), *params);
  const size_t decoded = batch.events.size();
  if (native_pipeline_ == nullptr) {
    if (decoded > 0) {
      Status st = store_->Append(*tenant, std::move(batch.events));
      if (!st.ok()) return HttpResponse::Error(st);
    }
    HttpResponse r;
    r.status = decoded > 0 ? 200 : 400;
    r.body = IngestResponseJson(decoded, batch) + "\n";
    return r;
  }
  // Before the WAL: what is stored and acknowledged is the processed event. A request whose
  // events are routed to several tenants is one append per tenant, each durable on its own.
  auto routed = pipeline::RunOnEvents(*native_pipeline_, std::move(batch.events), *tenant,
                                      pipeline::ProcessContext{.now_ns = now});
  for (auto& [to, events] : routed.by_tenant) {
    Status st = store_->Append(to, std::move(events));
    if (!st.ok()) return HttpResponse::Error(st.Annotate("tenant '" + to + "'"));
  }
  HttpResponse r;
  r.status = decoded > 0 ? 200 : 400;  // events dropped on purpose are not an error
  r.body = IngestResponseJson(decoded - routed.dropped, batch, routed.dropped) + "\n";
  return r;
}

HttpResponse Api::Query(const HttpRequest& req) {
  query::QueryRequest q;
  auto tenant = TenantOf(req);
  if (!tenant.ok()) return HttpResponse::Error(tenant.status());
  q.tenant = *tenant;
  q.now_ns = env_->NowNanos();
  q.max_memory_bytes = max_query_memory_bytes_;
  const std::string* text = req.Param("q");
  if (text == nullptr) text = req.Param("query");
  if (text == nullptr) return HttpResponse::Error(Status::InvalidArgument("missing parameter 'q' (the query text)"));
  q.text = *text;
  auto start = TimeParam(req, "start", q.start);
  if (!start.ok()) return HttpResponse::Error(start.status());
  auto end = TimeParam(req, "end", q.end);
  if (!end.ok()) return HttpResponse::Error(end.status());
  q.start = *start;
  q.end = *end;
  if (const std::string* limit = req.Param("limit"); limit != nullptr && !limit->empty()) {
    char* endp = nullptr;
    unsigned long long v = std::strtoull(limit->c_str(), &endp, 10);
    if (*endp != '\0' || v == 0 || v > query::kMaxQueryLimit)
      return HttpResponse::Error(Status::InvalidArgument("parameter 'limit': expected a number from 1 to " +
                                                         std::to_string(query::kMaxQueryLimit)));
    q.limit = v;
  }
  query::QueryStats stats;
  const int64_t started = env_->NowNanos();
  auto events = query::RunQuery(store_, q, &stats);
  if (!events.ok()) return HttpResponse::Error(events.status().Annotate("query"));
  const int64_t took = env_->NowNanos() - started;
  HttpResponse r;
  r.content_type = "application/x-ndjson";
  // The body is made as it is sent, about 64 KiB at a time: a million results never exist as
  // one string beside the events.
  auto results = std::make_shared<std::vector<Event>>(std::move(events).value());
  r.body_stream = [results, next = size_t{0}](std::string* chunk) mutable {
    constexpr size_t kChunkBytes = 64 << 10;
    while (next < results->size() && chunk->size() < kChunkBytes) {
      AppendEventJson(chunk, (*results)[next++]);
      chunk->push_back('\n');
    }
    return next < results->size();
  };
  r.headers.emplace_back("X-Sawlog-Query-Seconds", std::to_string(static_cast<double>(took) / 1e9));
  r.headers.emplace_back("X-Sawlog-Rows-Scanned", std::to_string(stats.scan.rows_scanned));
  r.headers.emplace_back("X-Sawlog-Rows-Matched", std::to_string(stats.rows_matched));
  r.headers.emplace_back("X-Sawlog-Blocks", std::to_string(stats.scan.blocks));
  r.headers.emplace_back("X-Sawlog-Blocks-Skipped", std::to_string(stats.scan.blocks_skipped));
  r.headers.emplace_back("X-Sawlog-Blocks-Pruned", std::to_string(stats.scan.blocks_pruned));
  r.headers.emplace_back("X-Sawlog-Bytes-Read", std::to_string(stats.scan.bytes_read));
  return r;
}

}  // namespace sawlog
