#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "core/env.h"
#include "store/store.h"

namespace sawlog {

void AddStoreCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("store", "Inspect a data directory offline (the server must not be running on it)");
  cmd->require_subcommand(1);
  auto* check = cmd->add_subcommand("check", "Verify every checksum of the manifest, the parts and the WAL");
  auto dir = std::make_shared<std::string>();
  check->add_option("DIR", *dir, "Data directory")->required();
  check->callback([dir] {
    if (!Env::Default()->FileExists(*dir)) {
      std::fprintf(stderr, "sawlog store check: no such directory '%s'\n", dir->c_str());
      std::exit(kExitError);
    }
    std::string report;
    Status st = CheckStore(Env::Default(), *dir, &report);
    std::fputs(report.c_str(), stdout);
    std::exit(st.ok() ? kExitOk : kExitPartial);
  });
  auto* stats = cmd->add_subcommand("stats", "Print parts, rows, and bytes per column before and after compression");
  auto stats_dir = std::make_shared<std::string>();
  stats->add_option("DIR", *stats_dir, "Data directory")->required();
  stats->callback([stats_dir] {
    std::string report;
    Status st = DescribeStore(Env::Default(), *stats_dir, &report);
    std::fputs(report.c_str(), stdout);
    if (!st.ok()) {
      std::fprintf(stderr, "sawlog store stats: %s\n", st.ToString().c_str());
      std::exit(kExitError);
    }
    std::exit(kExitOk);
  });
}

}  // namespace sawlog
