#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "core/log.h"
#include "core/timestamp.h"
#include "server/server.h"

namespace sawlog {

void AddServerCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("server", "Run the sawlog server: receive, store and serve queries over HTTP");
  auto opts = std::make_shared<ServerOptions>();
  auto flush = std::make_shared<std::string>("1s");
  cmd->add_option("--data", opts->data_dir, "Data directory (created if missing)")->capture_default_str();
  cmd->add_option("--listen", opts->listen, "HOST:PORT of the HTTP API; port 0 picks a free port")->capture_default_str();
  cmd->add_option("--flush-interval", *flush, "How often received events are written into parts")->capture_default_str();
  cmd->add_flag("--wal-skip-damaged", opts->wal_skip_damaged,
                "Start even if the WAL has damaged records in its middle, logging and skipping each "
                "(copy the data directory first: their events are lost)");
  cmd->callback([opts, flush] {
    auto interval = ParseDuration(*flush);
    if (!interval.ok() || interval.value() <= 0) {
      std::fprintf(stderr, "sawlog server: --flush-interval: %s\n", interval.ok() ? "must be positive" : interval.status().message().c_str());
      std::exit(kExitError);
    }
    opts->flush_interval_ns = interval.value();
    Status st = RunServer(*opts);
    if (!st.ok()) {
      LogError("sawlog server: " + st.ToString());
      std::exit(kExitError);
    }
    std::exit(kExitOk);
  });
}

}  // namespace sawlog
