// The _bulk body: pairs of an action line and a document line.
#include <simdjson.h>

#include <cstdio>

#include "core/json_writer.h"
#include "core/timestamp.h"
#include "ingest/elasticsearch/elasticsearch.h"
#include "ingest/for_each_line.h"
#include "ingest/ingest.h"
#include "parse/parse.h"

namespace sawlog::elasticsearch {

namespace {

struct Line {
  size_t number = 0;  // 1-based
  std::string_view text;
  size_t after = 0;  // bytes of the body after it
};

// The non-blank lines of the body.
std::vector<Line> SplitLines(std::string_view body) {
  std::vector<Line> lines;
  ForEachLine(body, [&](size_t number, std::string_view line, size_t after) { lines.push_back({number, line, after}); });
  return lines;
}

struct Action {
  std::string name;
  std::string index;
  std::string id;
  bool has_id = false;
  bool op_type_create = false;  // an index action with "op_type":"create" is reported as create
};

// The metadata Elasticsearch 8 accepts in an action; it refuses the request for any other key
// (the removed `_type`, `_version`, `_routing`), and so does sawlog, so that a sender that relies
// on them learns it at once. Only _index, _id and op_type mean something to sawlog.
bool IsKnownMetadata(std::string_view key) {
  static constexpr std::string_view kKnown[] = {
      "_index",       "_id",          "routing",        "op_type",         "version",
      "version_type", "if_seq_no",    "if_primary_term", "pipeline",       "require_alias",
      "require_data_stream", "dynamic_templates", "retry_on_conflict", "_source", "list_executed_pipelines"};
  for (auto k : kKnown)
    if (k == key) return true;
  return false;
}

// Elasticsearch's own wording ("Malformed action/metadata line [3], expected ..."), which names
// the line; clients and its YAML tests match on it.
Status Malformed(size_t line, std::string what) {
  return Status::InvalidArgument("Malformed action/metadata line [" + std::to_string(line) + "], " + what);
}

Result<Action> ParseAction(simdjson::dom::parser& parser, const Line& line) {
  simdjson::dom::element doc;
  if (auto e = parser.parse(line.text.data(), line.text.size(), true).get(doc))
    return Malformed(line.number, std::string("expected a JSON object but the line is not JSON (") + simdjson::error_message(e) + ")");
  simdjson::dom::object top;
  if (doc.get_object().get(top)) return Malformed(line.number, "expected START_OBJECT but found another JSON value");
  if (top.size() == 0) return Malformed(line.number, "expected FIELD_NAME but found [END_OBJECT]");
  if (top.size() != 1) return Malformed(line.number, "expected one action (create, delete, index, update) but found several keys");
  Action a;
  for (auto [key, value] : top) {
    a.name = std::string(key);
    simdjson::dom::object meta;
    if (value.get_object().get(meta))
      return Malformed(line.number, "expected START_OBJECT as the value of [" + a.name.substr(0, 80) + "]");
    for (auto [k, v] : meta) {
      std::string_view s;
      if (!IsKnownMetadata(k))
        return Status::InvalidArgument("Action/metadata line [" + std::to_string(line.number) +
                                       "] contains an unknown parameter [" + std::string(k.substr(0, 80)) + "]");
      if (k == "_index" || k == "_id" || k == "op_type") {
        if (v.get_string().get(s)) return Malformed(line.number, "[" + std::string(k) + "] must be a string");
        if (k == "_index") a.index = std::string(s);
        else if (k == "_id") a.id = std::string(s), a.has_id = true;
        else if (s == "create" && a.name == "index") a.op_type_create = true;
      }
    }
  }
  if (a.name != "index" && a.name != "create" && a.name != "update" && a.name != "delete")
    return Malformed(line.number, "expected one of [create, delete, index, update] but found [" + a.name.substr(0, 80) + "]");
  return a;
}

std::string GeneratedId(int64_t now_ns, size_t item) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%04zx", static_cast<unsigned long long>(now_ns), item & 0xffff);
  return buf;
}

}  // namespace

Result<BulkBatch> DecodeBulk(std::string_view body, size_t padding, std::string_view default_index, int64_t now_ns) {
  BulkBatch batch;
  simdjson::dom::parser action_parser;
  JsonParser doc_parser;
  std::vector<Field> fields;
  const std::vector<Line> lines = SplitLines(body);
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSIGN_OR_RETURN(Action a, ParseAction(action_parser, lines[i]));
    BulkItem item;
    item.action = a.op_type_create ? "create" : a.name;
    item.index = a.index.empty() ? std::string(default_index) : a.index;
    const size_t number = batch.items.size() + 1;
    // The action's line, then the document's once it is read.
    std::string where = "item " + std::to_string(number) + ", line " + std::to_string(lines[i].number);
    auto fail = [&](std::string type, std::string reason) {
      item.status = 400;
      item.error_type = std::move(type);
      item.error_reason = std::move(reason) + " (" + where + ")";
      batch.errors = true;
      batch.items.push_back(std::move(item));
    };
    if (a.name == "delete") {  // the only action without a document line
      fail("illegal_argument_exception", "sawlog keeps logs append-only: the 'delete' action is not supported");
      continue;
    }
    if (i + 1 >= lines.size())
      return Status::InvalidArgument("line " + std::to_string(lines[i].number) + ": the '" + a.name +
                                     "' action has no document line after it (" + where + ")");
    const Line& doc = lines[++i];
    if (a.name == "update") {
      fail("illegal_argument_exception", "sawlog keeps logs append-only: the 'update' action is not supported");
      continue;
    }
    if (a.has_id && a.id.empty()) {
      fail("illegal_argument_exception", "if _id is specified it must not be empty");
      continue;
    }
    if (item.index.empty()) {
      fail("action_request_validation_exception", "index is missing: name it in the action's _index or the URL (/<index>/_bulk)");
      continue;
    }
    where = "item " + std::to_string(number) + ", line " + std::to_string(doc.number);
    if (doc.text.size() > kMaxEventBytes) {
      fail("mapper_parsing_exception", "document of " + std::to_string(doc.text.size()) +
                                           " bytes exceeds the limit of " + std::to_string(kMaxEventBytes) + " bytes");
      continue;
    }
    fields.clear();
    Status st = doc_parser.ParseObject(doc.text, doc.after + padding, &fields);
    if (!st.ok()) {
      fail("mapper_parsing_exception", "failed to parse the document: " + st.message());
      continue;
    }
    Event e;
    e.time = e.ingest_time = now_ns;
    e.stream = CanonicalStream({{"index", item.index}});
    bool have_time = false, have_msg = false, bad = false;
    e.fields.reserve(fields.size());
    for (auto& f : fields) {
      if (!have_time && (f.name == "@timestamp" || f.name == "timestamp")) {
        auto t = ParseTimestamp(f.value);
        if (!t.ok()) {
          fail("mapper_parsing_exception", "failed to parse field [" + f.name + "] of type [date]: " + t.status().message());
          bad = true;
          break;
        }
        e.time = *t;
        have_time = true;
        continue;
      }
      if (!have_msg && f.name == "message") {
        e.msg = std::move(f.value);
        have_msg = true;
        continue;
      }
      e.fields.push_back(std::move(f));
    }
    if (bad) continue;
    item.id = a.has_id ? a.id : GeneratedId(now_ns, number);
    batch.events.push_back(std::move(e));
    batch.items.push_back(std::move(item));
  }
  return batch;
}

std::string BulkResponseJson(const BulkBatch& batch, int64_t took_ms) {
  std::string out = "{\"took\":" + std::to_string(took_ms) + ",\"errors\":" + (batch.errors ? "true" : "false") + ",\"items\":[";
  for (size_t i = 0; i < batch.items.size(); ++i) {
    const BulkItem& it = batch.items[i];
    if (i) out += ',';
    out += "{";
    AppendJsonString(&out, it.action);
    out += ":{\"_index\":";
    AppendJsonString(&out, it.index);
    if (!it.id.empty()) {
      out += ",\"_id\":";
      AppendJsonString(&out, it.id);
    }
    out += ",\"status\":" + std::to_string(it.status);
    if (it.status == 201) {
      out += ",\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}";
    } else {
      out += ",\"error\":{\"type\":";
      AppendJsonString(&out, it.error_type);
      out += ",\"reason\":";
      AppendJsonString(&out, it.error_reason);
      out += "}";
    }
    out += "}}";
  }
  out += "]}";
  return out;
}

}  // namespace sawlog::elasticsearch
