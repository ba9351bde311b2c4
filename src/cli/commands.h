// The subcommands of `sawlog`, each in its own file; main.cc registers them with CLI11.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sawlog {

// Each adds its subcommand to app; the callback runs it and exits with its status.
void AddServerCommand(CLI::App& app);
void AddImportCommand(CLI::App& app);
void AddQueryCommand(CLI::App& app);
void AddTailCommand(CLI::App& app);
void AddStoreCommand(CLI::App& app);
void AddPipelineCommand(CLI::App& app);
void AddAgentCommand(CLI::App& app);

// Exit codes shared by the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitPartial = 1;  // done, but some input was rejected
inline constexpr int kExitError = 2;

}  // namespace sawlog
