// The pipeline subsystem: named chains of processors, loaded from a YAML configuration, that the
// server applies per receiver (and the agent per input) between decoding and the WAL.
// Configuration format and every processor: docs/pipeline.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/event.h"
#include "core/status.h"
#include "pipeline/processor.h"

namespace sawlog::pipeline {

// A time this far ahead of the receive time, or this far behind it, is kept but flagged with the
// field `time_flag` (`future` / `past`): a wrong clock or a misread time zone shows up in queries
// instead of silently landing in another day. A day ahead covers every UTC offset (±14 h) plus
// clock drift; a year back leaves recent backfills unflagged.
inline constexpr int64_t kFarFutureNs = 86'400LL * 1'000'000'000;
inline constexpr int64_t kFarPastNs = 365LL * 86'400 * 1'000'000'000;
inline constexpr std::string_view kTimeFlagField = "time_flag";

// An ordered list of processors. Immutable after loading; Run may be called from many threads.
class Pipeline {
 public:
  explicit Pipeline(std::vector<std::unique_ptr<Processor>> processors) : processors_(std::move(processors)) {}

  // Runs every processor over the live records, in order, then flags far-off times. Dropped
  // records stay in `records` (dropped_by set) so callers can show or count them.
  void Run(std::vector<Record>& records, const ProcessContext& ctx) const;

  size_t size() const { return processors_.size(); }

 private:
  std::vector<std::unique_ptr<Processor>> processors_;
};

// A loaded configuration: the pipelines by name and which receiver uses which.
struct Config {
  std::map<std::string, std::shared_ptr<const Pipeline>, std::less<>> pipelines;
  std::map<std::string, std::string, std::less<>> receivers;  // receiver → pipeline name

  // The pipeline a receiver is configured with; nullptr when none.
  const Pipeline* ForReceiver(std::string_view receiver) const;
};

// The receivers a configuration may name: the native endpoint and those of src/ingest/receivers.cc.
inline constexpr std::string_view kReceiverNames[] = {"native", "elasticsearch", "loki", "otlp", "syslog", "gelf", "forward", "lines"};

// Parses a configuration. `file` names it in errors; relative paths inside it are read from
// `base_dir`. Errors are InvalidArgument "<file>:<line>:<column>: <what>".
Result<Config> ParseConfig(std::string_view yaml, std::string_view file, std::string_view base_dir);
// Reads and parses the file at `path`.
Result<Config> LoadConfig(Env* env, const std::string& path);

// Runs `pipeline` over events of one receiver, as the server does before the WAL: returns the
// kept events grouped by tenant (a routed tenant overrides `tenant`), counting the dropped ones.
struct RoutedEvents {
  std::map<std::string, std::vector<Event>, std::less<>> by_tenant;
  size_t dropped = 0;
};
RoutedEvents RunOnEvents(const Pipeline& pipeline, std::vector<Event> events, const std::string& tenant,
                         const ProcessContext& ctx);

}  // namespace sawlog::pipeline
