// The endpoints: routing, the native ingest endpoint and the query endpoint.
#include "server/api.h"

#include "core/json_writer.h"
#include "core/timestamp.h"
#include "ingest/ingest.h"
#include "ingest/receivers.h"
#include "pipeline/pipeline.h"
#include "query/query.h"
#include "server/tail.h"

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

namespace {

// The endpoints beside /api/v1/query are queries with a pipe added: a histogram of hits, the
// field names, the top values of a field.
Result<std::string> EndpointPipe(const HttpRequest& req) {
  auto quoted = [](std::string_view name) {
    std::string q = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + "\"";
  };
  const std::string* field = req.Param("field");
  if (req.path == "/api/v1/hits") {
    const std::string* step = req.Param("step");
    std::string s = step && !step->empty() ? *step : "1m";
    auto d = ParseDuration(s);
    if (!d.ok() || d.value() <= 0) return Status::InvalidArgument("parameter 'step': expected a duration like 1m, got '" + s + "'");
    std::string by = "_time:" + s;
    if (field && !field->empty()) by += ", " + quoted(*field);
    return " | stats by (" + by + ") count() as hits";
  }
  if (req.path == "/api/v1/fields") return std::string(" | field_names");
  if (req.path == "/api/v1/field_values") {
    if (field == nullptr || field->empty()) return Status::InvalidArgument("missing parameter 'field'");
    const std::string* n = req.Param("limit");
    std::string top = n && !n->empty() ? *n : "10";
    if (top.find_first_not_of("0123456789") != std::string::npos)
      return Status::InvalidArgument("parameter 'limit': expected a number, got '" + top + "'");
    return " | top " + top + " by (" + quoted(*field) + ")";
  }
  return std::string();
}

}  // namespace

HttpResponse Api::Handle(HttpRequest& req) {
  std::string handler = "other";
  HttpResponse r = Route(req, &handler);
  metrics_.Add("sawlog_http_requests_total{handler=\"" + handler + "\",code=\"" + std::to_string(r.status) + "\"}");
  return r;
}

void Api::CountEvents(std::string_view receiver, size_t n) {
  metrics_.Add("sawlog_ingested_events_total{receiver=\"" + std::string(receiver) + "\"}", n);
}

void Api::CountRejected(std::string_view receiver, size_t n) {
  metrics_.Add("sawlog_rejected_lines_total{receiver=\"" + std::string(receiver) + "\"}", n);
}

HttpResponse Api::MetricsPage() {
  StoreStats st = store_->Stats();
  std::string g;
  auto gauge = [&](const char* name, uint64_t v, const char* help) {
    g += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + std::to_string(v) + "\n";
  };
  gauge("sawlog_store_parts", st.parts, "Immutable parts on disk.");
  gauge("sawlog_store_part_rows", st.part_rows, "Events in parts.");
  gauge("sawlog_store_part_bytes", st.part_bytes, "Bytes of parts on disk.");
  gauge("sawlog_store_head_rows", st.head_rows, "Events acknowledged and not yet in a part.");
  gauge("sawlog_store_head_bytes", st.head_bytes, "Bytes of the in-memory head (events as the WAL encodes them).");
  gauge("sawlog_wal_sequence", st.wal_seq, "Last write-ahead log record written.");
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics_.Text(g);
  return r;
}

HttpResponse Api::Route(HttpRequest& req, std::string* handler) {
  if (req.path == "/metrics") {
    *handler = "metrics";
    return MetricsPage();
  }
  if (req.path == "/health") {
    HttpResponse r;
    r.content_type = "text/plain";
    r.body = "ok\n";
    return r;
  }
  if (req.path == "/api/v1/ingest") {
    *handler = "ingest";
    if (req.method != "POST") return HttpResponse::Error(Status::InvalidArgument("/api/v1/ingest takes POST"));
    return Ingest(req);
  }
  if (req.path == "/api/v1/tail") {
    *handler = "tail";
    if (req.method != "GET") return HttpResponse::Error(Status::InvalidArgument("/api/v1/tail takes GET"));
    auto tenant = TenantOf(req);
    if (!tenant.ok()) return HttpResponse::Error(tenant.status());
    const std::string* text = req.Param("q");
    if (text == nullptr) return HttpResponse::Error(Status::InvalidArgument("missing parameter 'q' (the query text)"));
    auto tail = StartTail(store_, *tenant, *text, env_->NowNanos());
    if (!tail.ok()) return HttpResponse::Error(tail.status().Annotate("tail"));
    return std::move(tail).value();
  }
  if (req.path == "/api/v1/query" || req.path == "/api/v1/hits" || req.path == "/api/v1/fields" ||
      req.path == "/api/v1/field_values") {
    if (req.method != "GET" && req.method != "POST")
      return HttpResponse::Error(Status::InvalidArgument(req.path + " takes GET or POST"));
    *handler = req.path.substr(std::string_view("/api/v1/").size());
    auto pipe = EndpointPipe(req);
    if (!pipe.ok()) return HttpResponse::Error(pipe.status());
    return Query(req, *pipe);
  }
  for (const auto& receiver : Receivers())
    if (receiver->Serves(req.method, req.path)) {
      *handler = std::string(receiver->name());
      return Receive(*receiver, req);
    }
  return HttpResponse::Error(Status::NotFound("no endpoint " + req.method + " " + req.path));
}

HttpResponse Api::Receive(const Receiver& receiver, HttpRequest& req) {
  const int64_t now = env_->NowNanos();
  auto reply = [&](ReceiverReply r) {
    HttpResponse out;
    out.status = r.status;
    out.content_type = std::move(r.content_type);
    out.headers = std::move(r.headers);
    if (out.status == 429 || out.status == 503) out.headers.emplace_back("Retry-After", "1");
    out.body = req.method == "HEAD" ? std::string() : std::move(r.body);
    return out;
  };
  auto tenant = TenantOf(req);
  if (!tenant.ok()) return reply(receiver.ErrorReply(tenant.status()));
  auto body = DecodeContent(req.Header("content-encoding"), std::move(req.body), kMaxBodyBytes);
  if (!body.ok()) return reply(receiver.ErrorReply(body.status().Annotate("request body")));
  // The JSON parser reads up to 64 bytes ahead; give it room instead of copying each line.
  body->reserve(body->size() + 64);
  ReceiverRequest rr{.method = req.method, .path = req.path, .content_type = MediaType(req.Header("content-type")),
                     .body = std::move(body).value(), .now_ns = now};
  auto result = receiver.Handle(rr);
  if (!result.ok()) return reply(receiver.ErrorReply(result.status()));
  auto delivered = Deliver(receiver.name(), *tenant, std::move(result->events), now);
  if (!delivered.ok()) return reply(receiver.ErrorReply(delivered.status()));
  CountRejected(receiver.name(), result->rejected);
  return reply(std::move(result->reply));
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
  auto delivered = Deliver("native", *tenant, std::move(batch.events), now);
  if (!delivered.ok()) return HttpResponse::Error(delivered.status());
  CountRejected("native", batch.rejected_count);
  HttpResponse r;
  r.status = decoded > 0 ? 200 : 400;  // events dropped on purpose are not an error
  r.body = IngestResponseJson(delivered->stored, batch,
                              pipelines_ && pipelines_->ForReceiver("native") ? std::optional<size_t>(delivered->dropped)
                                                                              : std::nullopt) +
           "\n";
  return r;
}

Result<Api::Delivered> Api::Deliver(std::string_view receiver, std::string_view tenant, std::vector<Event>&& events,
                                    int64_t now_ns) {
  Delivered out;
  if (events.empty()) return out;
  const pipeline::Pipeline* pipe = pipelines_ ? pipelines_->ForReceiver(receiver) : nullptr;
  if (pipe == nullptr) {
    const size_t n = events.size();
    RETURN_IF_ERROR(store_->Append(tenant, std::move(events)));
    CountEvents(receiver, n);
    out.stored = n;
    return out;
  }
  // Before the WAL: what is stored and acknowledged is the processed event. Events a pipeline
  // drops are still acknowledged as received: dropping is the configuration's choice, not the
  // sender's error. Events routed to several tenants are one append, all stored or none: a
  // retry after a push-back stores no tenant's events twice. The pipeline works on a copy: a
  // retry must start again from the originals.
  auto routed = pipeline::RunOnEvents(*pipe, std::vector<Event>(events), std::string(tenant),
                                      pipeline::ProcessContext{.now_ns = now_ns});
  metrics_.Add("sawlog_dropped_events_total{receiver=\"" + std::string(receiver) + "\"}", routed.dropped);
  out.dropped = routed.dropped;
  std::vector<TenantEvents> batches;
  size_t n = 0;
  for (auto& [to, batch] : routed.by_tenant) {
    batches.push_back({to, &batch});
    n += batch.size();
  }
  RETURN_IF_ERROR(store_->AppendAll(batches));
  CountEvents(receiver, n);
  out.stored = n;
  events.clear();
  return out;
}

HttpResponse Api::Query(const HttpRequest& req, const std::string& pipe) {
  query::QueryRequest q;
  auto tenant = TenantOf(req);
  if (!tenant.ok()) return HttpResponse::Error(tenant.status());
  q.tenant = *tenant;
  q.now_ns = env_->NowNanos();
  q.max_memory_bytes = max_query_memory_bytes_;
  q.timeout_ns = query_timeout_ns_;
  q.cancel = req.cancelled.get();
  if (const std::string* t = req.Param("timeout"); t != nullptr && !t->empty()) {
    auto d = ParseDuration(*t);
    if (!d.ok() || d.value() <= 0)
      return HttpResponse::Error(Status::InvalidArgument("parameter 'timeout': expected a duration like 10s, got '" + *t + "'"));
    q.timeout_ns = d.value();
  }
  const std::string* text = req.Param("q");
  if (text == nullptr) text = req.Param("query");
  if (text == nullptr) return HttpResponse::Error(Status::InvalidArgument("missing parameter 'q' (the query text)"));
  q.text = *text + pipe;
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
  if (!events.ok() && events.status().code() == Code::kDeadlineExceeded)
    return HttpResponse::Error(Status::DeadlineExceeded(
        "query: stopped at its timeout of " + std::to_string(q.timeout_ns / 1'000'000) +
        " ms (parameter 'timeout', or the server's --query-timeout): " + events.status().message() +
        "; narrow the time range or the filter, or allow more time"));
  if (!events.ok()) return HttpResponse::Error(events.status().Annotate("query"));
  const int64_t took = env_->NowNanos() - started;
  HttpResponse r;
  r.content_type = "application/x-ndjson";
  // The body is made as it is sent, about 64 KiB at a time: a million results never exist as
  // one string beside the events.
  auto results = std::make_shared<std::vector<query::Row>>(std::move(events).value());
  r.body_stream = [results, next = size_t{0}](std::string* chunk) mutable {
    constexpr size_t kChunkBytes = 64 << 10;
    while (next < results->size() && chunk->size() < kChunkBytes) {
      (*results)[next++].AppendJson(chunk);
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
