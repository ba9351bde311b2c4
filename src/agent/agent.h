// The agent subsystem: `sawlog agent` runs beside the applications, reads their log files (or
// standard input), runs each input's pipeline, keeps the results in a disk buffer and ships them
// to a sawlog server, deleting them only after the server acknowledged them (after its WAL
// fsync). Delivery is at-least-once; docs/agent.md says where duplicates can happen.
//
// Threads: Run() reads the inputs on the caller's thread and ships on one thread of its own.
// Stop() may be called from any thread (a signal handler's watcher).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/agent_config.h"
#include "core/env.h"
#include "core/status.h"

namespace sawlog::agent {

// What the output needs of an HTTP client (the command line's, or a fake in tests).
struct HttpReply {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, when given
};
using HttpPost = std::function<Result<HttpReply>(const std::string& target,
                                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                                 std::string body)>;

// Pauses between attempts to send one batch: doubling from the first to the cap, so a server
// back after an outage is found within the cap without hammering it while it is down.
inline constexpr int64_t kFirstRetryPause = 250'000'000;
inline constexpr int64_t kMaxRetryPause = 30'000'000'000;
// How often the globs are read again for new and rotated files.
inline constexpr int64_t kScanInterval = 1'000'000'000;
// How long the reader waits when no input had anything new.
inline constexpr int64_t kPollInterval = 200'000'000;
// The period of the status line in the log.
inline constexpr int64_t kStatusInterval = 60'000'000'000;

struct AgentCounters {
  std::atomic<uint64_t> events_read{0};      // after multiline joining
  std::atomic<uint64_t> events_dropped{0};   // by the pipelines
  std::atomic<uint64_t> events_buffered{0};  // durable in the disk buffer
  std::atomic<uint64_t> events_sent{0};      // acknowledged by the server
  std::atomic<uint64_t> events_rejected{0};  // refused by the server as bad data (4xx, or listed as rejected)
  std::atomic<uint64_t> send_failures{0};    // attempts retried (unreachable, 5xx, 429)
};

class Agent {
 public:
  static Result<std::unique_ptr<Agent>> Open(Env* env, AgentConfig config, HttpPost post);
  ~Agent();

  // Runs until Stop(), or — when an input reads standard input — until it ended and every
  // event was acknowledged. An error only when the agent cannot go on (its disk failed).
  Status Run();
  void Stop();

  const AgentCounters& counters() const { return counters_; }

 private:
  struct Impl;
  explicit Agent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  AgentCounters& counters_;
};

}  // namespace sawlog::agent
