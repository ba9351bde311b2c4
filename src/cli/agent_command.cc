// `sawlog agent --config agent.yaml`: the shipper that runs beside the applications (docs/agent.md).
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "agent/agent.h"
#include "cli/commands.h"
#include "cli/http_client.h"
#include "core/log.h"

namespace sawlog {

namespace {

int RunAgent(const std::string& config_path, bool check_only) {
  auto config = agent::LoadAgentConfig(Env::Default(), config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "sawlog agent: %s\n", config.status().message().c_str());
    return kExitError;
  }
  if (check_only) {
    std::fprintf(stderr, "%s: %zu inputs, OK\n", config_path.c_str(), config->inputs.size());
    return kExitOk;
  }
  const std::string running_server = config->server;
  auto client = HttpClient::Connect(config->server, static_cast<int>(config->request_timeout / 1'000'000'000));
  if (!client.ok()) {
    std::fprintf(stderr, "sawlog agent: %s: 'server': %s\n", config_path.c_str(), client.status().message().c_str());
    return kExitError;
  }
  std::shared_ptr<HttpClient> http = std::move(client.value());
  agent::HttpPost post = [http](const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
                                std::string body) -> Result<agent::HttpReply> {
    ASSIGN_OR_RETURN(ClientResponse r, http->Request("POST", target, headers, std::move(body)));
    return agent::HttpReply{r.status, std::move(r.body), std::move(r.retry_after)};
  };
  // SIGINT and SIGTERM stop the agent cleanly: they are taken by one thread that asks it to stop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  auto a = agent::Agent::Open(Env::Default(), std::move(config.value()), post);
  if (!a.ok()) {
    std::fprintf(stderr, "sawlog agent: %s\n", a.status().message().c_str());
    return kExitError;
  }
  agent::Agent* running = a->get();
  std::thread([running, signals] {
    int sig = 0;
    if (sigwait(&signals, &sig) == 0) {
      LogInfo(std::string("agent: received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
      running->Stop();
    }
  }).detach();
  LogInfo("agent: " + config_path + ": shipping to " + running_server);
  Status st = running->Run();
  if (!st.ok()) {
    std::fprintf(stderr, "sawlog agent: %s\n", st.message().c_str());
    return kExitError;
  }
  return running->counters().events_rejected > 0 ? kExitPartial : kExitOk;
}

}  // namespace

void AddAgentCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("agent", "Ship log files (or standard input) to a sawlog server, buffered on disk (docs/agent.md)");
  auto config = std::make_shared<std::string>();
  auto check = std::make_shared<bool>(false);
  cmd->add_option("--config", *config, "The agent's YAML configuration")->required();
  cmd->add_flag("--check", *check, "Only check the configuration and exit");
  cmd->callback([config, check] { std::exit(RunAgent(*config, *check)); });
}

}  // namespace sawlog
