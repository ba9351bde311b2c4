#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "core/log.h"
#include "core/timestamp.h"
#include "server/server.h"
#include "server/socket_listeners.h"

namespace sawlog {

void AddServerCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("server", "Run the sawlog server: receive, store and serve queries over HTTP");
  auto opts = std::make_shared<ServerOptions>();
  auto flush = std::make_shared<std::string>("1s");
  auto retention = std::make_shared<std::string>();
  auto max_disk = std::make_shared<std::string>();
  auto bloom_cache = std::make_shared<std::string>("64MiB");
  auto query_memory = std::make_shared<std::string>("512MiB");
  auto query_timeout = std::make_shared<std::string>("60s");
  cmd->add_option("--data", opts->data_dir, "Data directory (created if missing)")->capture_default_str();
  cmd->add_option("--listen", opts->listen, "HOST:PORT of the HTTP API; port 0 picks a free port")->capture_default_str();
  cmd->add_option("--flush-interval", *flush, "How often received events are written into parts")->capture_default_str();
  cmd->add_option("--retention", *retention, "Drop whole days of events older than this, e.g. 30d (default: keep forever)");
  cmd->add_option("--max-disk-usage", *max_disk,
                  "Drop the oldest days while the stored parts take more than this, e.g. 50GB (default: no limit)");
  cmd->add_option("--bloom-cache", *bloom_cache,
                  "Memory for bloom filters kept between searches; 0 reads them from disk every time")
      ->capture_default_str();
  cmd->add_option("--max-query-memory", *query_memory,
                  "Memory one query's results may take while it runs; a query needing more fails with 429")
      ->capture_default_str();
  cmd->add_option("--query-timeout", *query_timeout,
                  "How long a query may run unless it asks for another 'timeout'; 0 for no limit")
      ->capture_default_str();
  cmd->add_option("--config", opts->config_path,
                  "Pipeline configuration (YAML, docs/pipeline.md): the pipeline each receiver applies before storing");
  cmd->add_option("--receive", opts->receives, ReceiveFlagHelp())->type_name("SPEC[=HOST:PORT]");
  cmd->add_option("--tls-cert", opts->tls_cert_file, "Certificate chain (PEM) of the */tls receivers");
  cmd->add_option("--tls-key", opts->tls_key_file, "Private key (PEM) of the */tls receivers");
  cmd->add_option("--forward-shared-key", opts->forward_shared_key,
                  "Fluentd forward receivers require this shared key (the handshake of Fluentd's secure_forward)");
  cmd->add_flag("--wal-skip-damaged", opts->wal_skip_damaged,
                "Start even if the WAL has damaged records in its middle, logging and skipping each "
                "(copy the data directory first: their events are lost)");
  cmd->callback([opts, flush, retention, max_disk, bloom_cache, query_memory, query_timeout] {
    auto fail = [](const char* flag, const std::string& why) {
      std::fprintf(stderr, "sawlog server: %s: %s\n", flag, why.c_str());
      std::exit(kExitError);
    };
    auto interval = ParseDuration(*flush);
    if (!interval.ok()) fail("--flush-interval", interval.status().message());
    if (interval.value() <= 0) fail("--flush-interval", "must be positive");
    opts->flush_interval_ns = interval.value();
    if (!retention->empty()) {
      auto r = ParseDuration(*retention);
      if (!r.ok()) fail("--retention", r.status().message());
      if (r.value() < 86'400 * kNanosPerSecond) fail("--retention", "must be at least 1d: whole days are dropped");
      opts->retention_ns = r.value();
    }
    if (!max_disk->empty()) {
      auto m = ParseByteSize(*max_disk);
      if (!m.ok()) fail("--max-disk-usage", m.status().message());
      opts->max_disk_bytes = m.value();
    }
    auto cache = ParseByteSize(*bloom_cache);
    if (!cache.ok()) fail("--bloom-cache", cache.status().message());
    opts->bloom_cache_bytes = cache.value();
    auto query_bytes = ParseByteSize(*query_memory);
    if (!query_bytes.ok()) fail("--max-query-memory", query_bytes.status().message());
    if (query_bytes.value() == 0) fail("--max-query-memory", "must be positive");
    opts->max_query_memory_bytes = query_bytes.value();
    if (*query_timeout != "0") {
      auto t = ParseDuration(*query_timeout);
      if (!t.ok()) fail("--query-timeout", t.status().message());
      opts->query_timeout_ns = t.value();
    } else {
      opts->query_timeout_ns = 0;
    }
    Status st = RunServer(*opts);
    if (!st.ok()) {
      LogError("sawlog server: " + st.ToString());
      std::exit(kExitError);
    }
    std::exit(kExitOk);
  });
}

}  // namespace sawlog
