// The Elasticsearch receiver: routing of _bulk and the probe endpoints, ES-shaped replies.
#include "core/json_writer.h"
#include "ingest/elasticsearch/elasticsearch.h"
#include "ingest/receivers.h"

namespace sawlog {

namespace {

using elasticsearch::kVersion;

// The 8.x clients refuse a server whose successful replies lack this header.
ReceiverReply EsReply(int status, std::string body) {
  ReceiverReply r;
  r.status = status;
  r.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
  r.body = std::move(body);
  return r;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The index of /<index>/_bulk; empty for /_bulk.
bool BulkPath(std::string_view path, std::string_view* index) {
  constexpr std::string_view kBulk = "/_bulk";
  if (path.size() < kBulk.size() || path.substr(path.size() - kBulk.size()) != kBulk) return false;
  std::string_view head = path.substr(0, path.size() - kBulk.size());  // "" or "/<index>"
  if (head.empty()) {
    *index = {};
    return true;
  }
  if (head.front() != '/' || head.size() < 2 || head.find('/', 1) != std::string_view::npos) return false;
  *index = head.substr(1);
  return true;
}

// Endpoints shippers call before sending (Beats, Logstash, Fluent Bit, Vector, the clients): each
// answered so that they proceed. Templates, ILM policies and ingest pipelines are acknowledged and
// reported present; sawlog has no use for them.
bool IsProbe(std::string_view path) {
  return path == "/" || path == "/_license" || path == "/_xpack" || path == "/_cluster/health" ||
         StartsWith(path, "/_index_template/") || StartsWith(path, "/_template/") ||
         StartsWith(path, "/_component_template/") || StartsWith(path, "/_ilm/policy/") ||
         StartsWith(path, "/_ingest/pipeline/") || StartsWith(path, "/_nodes");
}

ReceiverReply Probe(std::string_view method, std::string_view path) {
  if (method == "HEAD") return EsReply(200, "");
  if (method == "PUT" || method == "POST" || method == "DELETE") return EsReply(200, "{\"acknowledged\":true}");
  if (path == "/")
    return EsReply(200, "{\"name\":\"sawlog\",\"cluster_name\":\"sawlog\",\"cluster_uuid\":\"sawlog\",\"version\":{\"number\":\"" +
                            std::string(kVersion) +
                            "\",\"build_flavor\":\"default\",\"build_type\":\"sawlog\",\"build_hash\":\"sawlog\","
                            "\"build_date\":\"2023-11-04T10:04:57.184859352Z\",\"build_snapshot\":false,"
                            "\"lucene_version\":\"9.8.0\",\"minimum_wire_compatibility_version\":\"7.17.0\","
                            "\"minimum_index_compatibility_version\":\"7.0.0\"},\"tagline\":\"You Know, for Search\"}");
  if (path == "/_license")
    return EsReply(200, "{\"license\":{\"status\":\"active\",\"uid\":\"sawlog\",\"type\":\"basic\",\"mode\":\"basic\"}}");
  if (path == "/_xpack")
    return EsReply(200, "{\"build\":{},\"license\":{\"status\":\"active\",\"type\":\"basic\",\"mode\":\"basic\"},"
                        "\"features\":{\"ilm\":{\"available\":true,\"enabled\":true}}}");
  if (path == "/_cluster/health")
    return EsReply(200, "{\"cluster_name\":\"sawlog\",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1}");
  if (StartsWith(path, "/_index_template/")) return EsReply(200, "{\"index_templates\":[]}");
  return EsReply(200, "{}");
}

class ElasticsearchReceiver final : public Receiver {
 public:
  std::string_view name() const override { return "elasticsearch"; }

  bool Serves(std::string_view method, std::string_view path) const override {
    std::string_view index;
    if (BulkPath(path, &index)) return true;
    return IsProbe(path) && (method == "GET" || method == "HEAD" || method == "PUT" || method == "POST" || method == "DELETE");
  }

  Result<ReceiverResult> Handle(ReceiverRequest& req) const override {
    ReceiverResult result;
    std::string_view index;
    if (!BulkPath(req.path, &index)) {
      result.reply = Probe(req.method, req.path);
      return result;
    }
    if (req.method != "POST" && req.method != "PUT")
      return Status::InvalidArgument(std::string(req.path) + " takes POST or PUT");
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos)
      return Status::InvalidArgument("request body is required: send action and document lines (NDJSON)");
    ASSIGN_OR_RETURN(auto batch,
                     elasticsearch::DecodeBulk(req.body, req.body.capacity() - req.body.size(), index, req.now_ns));
    result.events = std::move(batch.events);
    for (const auto& item : batch.items) result.rejected += item.status != 201;
    result.reply = EsReply(200, elasticsearch::BulkResponseJson(batch, 0));
    return result;
  }

  // Elasticsearch's error shape: {"error":{"root_cause":[..],"type":..,"reason":..},"status":N}.
  ReceiverReply ErrorReply(const Status& status) const override {
    const int http = HttpStatus(status.code());
    std::string type = http == 429   ? "es_rejected_execution_exception"
                       : http == 400 ? "illegal_argument_exception"
                       : http == 413 ? "content_too_long_exception"
                                     : "exception";
    std::string reason;
    AppendJsonString(&reason, status.message());
    std::string cause = "{\"type\":\"" + type + "\",\"reason\":" + reason + "}";
    ReceiverReply r = EsReply(http, "{\"error\":{\"root_cause\":[" + cause + "],\"type\":\"" + type +
                                        "\",\"reason\":" + reason + "},\"status\":" + std::to_string(http) + "}");
    return r;
  }
};

}  // namespace

std::unique_ptr<Receiver> MakeElasticsearchReceiver() { return std::make_unique<ElasticsearchReceiver>(); }

}  // namespace sawlog
