// sawlog: one program for the whole life of a log.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"sawlog: collect, store, search and alert on logs, in one program.\n"
               "Start a server with `sawlog server`, send logs with `sawlog import`, find them with `sawlog query`."};
  app.set_version_flag("--version", "sawlog 0.1.0");
  app.require_subcommand(1);
  sawlog::AddServerCommand(app);
  sawlog::AddImportCommand(app);
  sawlog::AddQueryCommand(app);
  sawlog::AddTailCommand(app);
  sawlog::AddStoreCommand(app);
  sawlog::AddPipelineCommand(app);
  sawlog::AddAgentCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
