// The agent's configuration (`sawlog agent --config agent.yaml`): where to ship, where to keep
// its state, and its inputs, each with the same processors as the server's pipelines.
// Reference with examples: docs/agent.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "parse/multiline.h"
#include "pipeline/pipeline.h"

namespace sawlog::agent {

enum class InputType { kFile, kStdin };

struct InputConfig {
  std::string name;
  InputType type = InputType::kFile;
  std::vector<std::string> paths;    // glob patterns (file)
  std::vector<std::string> exclude;  // glob patterns matched against the path and the base name
  bool start_at_end = false;         // files first seen at start-up without a checkpoint
  std::optional<MultilineRule> multiline;
  std::vector<std::pair<std::string, std::string>> labels;  // the stream labels, in order written
  std::string tenant;                                       // empty: the agent's
  std::shared_ptr<const pipeline::Pipeline> pipeline;       // null: none
};

// A partial last line (no newline yet) is held this long before it goes as a whole event: long
// enough for a writer that flushes in pieces, short enough that a crashed writer's last words show.
inline constexpr int64_t kDefaultPartialLineTimeout = 5'000'000'000;
// The disk buffer's default cap: a few hours of a busy host's logs while the server is away.
inline constexpr uint64_t kDefaultMaxBufferBytes = 1ull << 30;
// Events per request: large enough to amortize the server's fsync, small enough that a retry is cheap.
inline constexpr uint64_t kDefaultBatchBytes = 1u << 20;

// A request not answered within this long is abandoned and retried: far longer than a WAL fsync
// of a batch under load, short enough that a hung server does not stall the agent.
inline constexpr int64_t kDefaultRequestTimeout = 60'000'000'000;

enum class Compression { kZstd, kGzip, kNone };

struct AgentConfig {
  std::string server = "http://127.0.0.1:9470";
  std::string tenant;  // empty: the server's default tenant
  std::string data_dir = "/var/lib/sawlog-agent";
  uint64_t max_buffer_bytes = kDefaultMaxBufferBytes;
  uint64_t batch_bytes = kDefaultBatchBytes;
  int64_t partial_line_timeout = kDefaultPartialLineTimeout;
  int64_t request_timeout = kDefaultRequestTimeout;  // whole seconds
  Compression compression = Compression::kZstd;
  std::vector<InputConfig> inputs;
};

// Parses a configuration; `file` names it in errors ("agent.yaml:7:5: ..."), relative paths of
// processors (lookup tables, GeoIP databases) are read from `base_dir`. Unknown keys and wrong
// types are InvalidArgument naming file:line:column.
Result<AgentConfig> ParseAgentConfig(std::string_view yaml, std::string_view file, std::string_view base_dir);
Result<AgentConfig> LoadAgentConfig(Env* env, const std::string& path);

}  // namespace sawlog::agent
