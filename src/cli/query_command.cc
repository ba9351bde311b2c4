// `sawlog query` runs a query on a server and prints the rows; `sawlog tail` follows new events.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "cli/commands.h"
#include "cli/http_client.h"
#include "core/env.h"
#include "core/timestamp.h"
#include "parse/parse.h"
#include "query/query.h"
#include "store/store.h"

namespace sawlog {

namespace {

struct QueryOptions {
  std::string text;
  std::string server = "http://127.0.0.1:9470";
  std::string tenant;
  std::string since, start, end;
  size_t limit = 100;
  std::string format = "text";
  std::string file;  // query this file's lines instead of a server
};

// text: _time, _msg, then name=value of the other fields; raw: _msg alone.
void PrintLine(const std::vector<Field>& fields, const std::string& format) {
  std::string out;
  for (const auto& f : fields) {
    if (format == "raw" && f.name != "_msg") continue;
    if (f.name == "_stream") continue;
    if (!out.empty()) out += ' ';
    if (f.name != "_time" && f.name != "_msg") out += f.name + "=";
    out += f.value;
  }
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

// Columns: every field name in the order first seen (but _stream), as wide as their widest value.
void PrintTable(const std::vector<std::vector<Field>>& rows) {
  std::vector<std::string> columns;
  for (const auto& row : rows)
    for (const auto& f : row)
      if (f.name != "_stream" && std::find(columns.begin(), columns.end(), f.name) == columns.end())
        columns.push_back(f.name);
  std::vector<size_t> width;
  for (const auto& c : columns) width.push_back(c.size());
  auto value = [](const std::vector<Field>& row, const std::string& name) -> std::string_view {
    for (const auto& f : row)
      if (f.name == name) return f.value;
    return "";
  };
  for (const auto& row : rows)
    for (size_t i = 0; i < columns.size(); ++i) width[i] = std::max(width[i], value(row, columns[i]).size());
  auto print = [&](auto cell) {
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string_view v = cell(i);
      line += v;
      if (i + 1 < columns.size()) line.append(width[i] - v.size() + 2, ' ');
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  };
  print([&](size_t i) { return std::string_view(columns[i]); });
  for (const auto& row : rows) print([&](size_t i) { return value(row, columns[i]); });
}

// --file: the file's lines as events (in order, a nanosecond apart, ending now) in a store of
// their own in a temporary directory, queried there and thrown away: the query language over a
// plain file, no server needed. The answer has the server's NDJSON form.
Result<ClientResponse> QueryFile(const QueryOptions& opt, const std::string& start) {
  ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile(opt.file));
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec) / ("sawlog-query-" + std::to_string(::getpid()));
  StoreOptions so;
  so.dir = dir.string();
  so.background_flush = false;
  ASSIGN_OR_RETURN(auto store, Store::Open(so));
  struct Cleanup {
    std::filesystem::path dir;
    std::unique_ptr<Store>* store;
    ~Cleanup() {
      store->reset();
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir, &store};
  const int64_t now = Env::Default()->NowNanos();
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::vector<Event> batch;
  std::string_view rest = text;
  for (size_t i = 0; !rest.empty(); ++i) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Event e;
    e.time = e.ingest_time = now - static_cast<int64_t>(lines - i);
    e.stream = "{}";
    e.msg = std::string(line);
    batch.push_back(std::move(e));
    if (batch.size() == 50'000 || rest.empty()) RETURN_IF_ERROR(store->Append(kDefaultTenant, std::exchange(batch, {})));
  }
  query::QueryRequest q;
  q.text = opt.text;
  q.now_ns = now;
  q.limit = opt.limit;
  if (!start.empty()) {
    ASSIGN_OR_RETURN(q.start, ParseTimestamp(start));
  }
  if (!opt.end.empty()) {
    ASSIGN_OR_RETURN(q.end, ParseTimestamp(opt.end));
  }
  ASSIGN_OR_RETURN(auto rows, query::RunQuery(store.get(), q));
  ClientResponse r;
  r.status = 200;
  for (const auto& row : rows) {
    row.AppendJson(&r.body);
    r.body += '\n';
  }
  return r;
}

int RunQueryCommand(const QueryOptions& opt) {
  std::string start = opt.start;
  if (!opt.since.empty()) {
    auto d = ParseDuration(opt.since);
    if (!d.ok()) {
      std::fprintf(stderr, "sawlog query: --since: %s\n", d.status().message().c_str());
      return kExitError;
    }
    start = FormatRfc3339Nano(Env::Default()->NowNanos() - d.value());
  }
  Result<ClientResponse> res = Status::Internal("no answer");
  if (!opt.file.empty()) {
    res = QueryFile(opt, start);
  } else {
    std::string target = "/api/v1/query?q=" + UrlEncode(opt.text) + "&limit=" + std::to_string(opt.limit);
    if (!start.empty()) target += "&start=" + UrlEncode(start);
    if (!opt.end.empty()) target += "&end=" + UrlEncode(opt.end);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!opt.tenant.empty()) headers.emplace_back("X-Sawlog-Tenant", opt.tenant);
    auto client = HttpClient::Connect(opt.server);
    res = client.ok() ? client.value()->Request("GET", target, headers, "") : Result<ClientResponse>(client.status());
  }
  if (!res.ok()) {
    std::fprintf(stderr, "sawlog query: %s\n", res.status().message().c_str());
    return kExitError;
  }
  if (res->status != 200) {
    std::fprintf(stderr, "sawlog query: server answered %d: %s", res->status, res->body.c_str());
    return kExitError;
  }
  if (opt.format == "json") {
    std::fwrite(res->body.data(), 1, res->body.size(), stdout);
    return kExitOk;
  }
  JsonParser parser;
  std::vector<Field> fields;
  std::string_view body = res->body;
  std::vector<std::vector<Field>> table;  // --format table: printed once every row is known
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
    fields.clear();
    if (line.empty() || !parser.ParseObject(line, body.size(), &fields).ok()) continue;
    if (opt.format == "table") {
      table.push_back(fields);
      continue;
    }
    PrintLine(fields, opt.format);
  }
  if (opt.format == "table") PrintTable(table);
  return kExitOk;
}

// Follows /api/v1/tail: Server-Sent Events, one `data: {event}` per new match.
int RunTailCommand(const QueryOptions& opt) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!opt.tenant.empty()) headers.emplace_back("X-Sawlog-Tenant", opt.tenant);
  auto client = HttpClient::Connect(opt.server);
  if (!client.ok()) {
    std::fprintf(stderr, "sawlog tail: %s\n", client.status().message().c_str());
    return kExitError;
  }
  JsonParser parser;
  std::vector<Field> fields;
  std::string pending;
  Status st = client.value()->Stream("/api/v1/tail?q=" + UrlEncode(opt.text), headers, [&](std::string_view data) {
    pending.append(data);
    size_t end;
    while ((end = pending.find("\n\n")) != std::string::npos) {
      std::string_view event = std::string_view(pending).substr(0, end);
      if (event.starts_with("data: ")) {
        std::string_view json = event.substr(6);
        if (opt.format == "json") {
          std::fwrite(json.data(), 1, json.size(), stdout);
          std::fputc('\n', stdout);
          std::fflush(stdout);
        } else if (fields.clear(), parser.ParseObject(json, 0, &fields).ok()) {
          PrintLine(fields, opt.format);
        }
      } else if (event.starts_with("event: dropped")) {
        std::fprintf(stderr, "sawlog tail: the server dropped events this client was too slow for: %.*s\n",
                     static_cast<int>(event.size()), event.data());
      }
      pending.erase(0, end + 2);
    }
    return true;
  });
  if (!st.ok()) {
    std::fprintf(stderr, "sawlog tail: %s\n", st.message().c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

void AddTailCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("tail", "Follow new events that match a filter, as they arrive");
  auto opt = std::make_shared<QueryOptions>();
  cmd->add_option("QUERY", opt->text, "Filter, e.g. 'error service:api' or '*'")->required();
  cmd->add_option("--server", opt->server, "Server URL")->envname("SAWLOG_SERVER")->capture_default_str();
  cmd->add_option("--tenant", opt->tenant, "Tenant to follow (default: default)");
  cmd->add_option("--format", opt->format, "text (_time, _msg, fields), raw (_msg only) or json (NDJSON)")
      ->check(CLI::IsMember({"text", "raw", "json"}))->capture_default_str();
  cmd->callback([opt] { std::exit(RunTailCommand(*opt)); });
}

void AddQueryCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("query", "Search a server's events (newest first) or aggregate them with pipes");
  auto opt = std::make_shared<QueryOptions>();
  cmd->add_option("QUERY", opt->text, "Query text, e.g. 'error AND service:api' or '\"connection refused\"'")->required();
  cmd->add_option("--server", opt->server, "Server URL")->envname("SAWLOG_SERVER")->capture_default_str();
  cmd->add_option("--tenant", opt->tenant, "Tenant to search (default: default)");
  cmd->add_option("--since", opt->since, "Only events newer than this long ago, e.g. 15m, 1h, 7d");
  cmd->add_option("--start", opt->start, "Only events at or after this time (RFC 3339 or unix seconds)");
  cmd->add_option("--end", opt->end, "Only events before this time (RFC 3339 or unix seconds)");
  cmd->add_option("--file", opt->file, "Query the lines of this file (each line an event, in order) instead of a server");
  cmd->add_option("--limit", opt->limit, "At most this many events")->check(CLI::Range(size_t{1}, size_t{1000000}))->capture_default_str();
  cmd->add_option("--format", opt->format,
                  "text (_time, _msg, fields), table (aligned columns, for stats), raw (_msg only) or json (NDJSON)")
      ->check(CLI::IsMember({"text", "table", "raw", "json"}))->capture_default_str();
  cmd->callback([opt] { std::exit(RunQueryCommand(*opt)); });
}

}  // namespace sawlog
