// The server subsystem: `sawlog server` — the HTTP API over the store and the query engine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace sawlog {

inline constexpr const char* kDefaultListen = "127.0.0.1:9470";
inline constexpr const char* kDefaultDataDir = "sawlog-data";

struct ServerOptions {
  std::string listen = kDefaultListen;  // HOST:PORT; port 0 picks a free one
  std::string data_dir = kDefaultDataDir;
  int64_t flush_interval_ns = 1'000'000'000;
  bool wal_skip_damaged = false;
  int64_t retention_ns = 0;     // 0: keep forever
  uint64_t max_disk_bytes = 0;  // 0: no limit
  size_t bloom_cache_bytes = 64u << 20;
  size_t max_query_memory_bytes = 512u << 20;
  int64_t query_timeout_ns = 60'000'000'000;  // 0: none
  std::vector<std::string> receives;  // --receive SPEC[=HOST:PORT]: socket receivers (syslog, GELF, ...)
  std::string tls_cert_file;  // for */tls receivers
  std::string tls_key_file;
  std::string forward_shared_key;  // Fluentd forward: require the shared-key handshake
  std::string config_path;  // pipelines per receiver (docs/pipeline.md); empty: events are stored as decoded
};

// Opens the store, serves until SIGINT or SIGTERM, then flushes and closes.
// Returns an error if the store cannot be opened or the address cannot be bound.
Status RunServer(const ServerOptions& options);

}  // namespace sawlog
