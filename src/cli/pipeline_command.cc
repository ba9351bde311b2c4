// `sawlog pipeline test CONFIG`: what a pipeline makes of each line of stdin — the tool for
// writing a pipeline.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "core/env.h"
#include "core/json_writer.h"
#include "query/pipe.h"
#include "core/timestamp.h"
#include "ingest/ingest.h"
#include "pipeline/pipeline.h"

namespace sawlog {

namespace {

struct TestOptions {
  std::string config;
  std::string pipeline;
  std::string format = "text";
  std::string input = "text";
};

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "sawlog pipeline test: %s\n", message.c_str());
  std::exit(kExitError);
}

const pipeline::Pipeline& Choose(const pipeline::Config& config, const std::string& name) {
  std::string names;
  for (const auto& [n, p] : config.pipelines) names += (names.empty() ? "" : ", ") + n;
  if (!name.empty()) {
    auto it = config.pipelines.find(name);
    if (it == config.pipelines.end()) Fail("--pipeline: no pipeline named '" + name + "' (configured: " + names + ")");
    return *it->second;
  }
  if (config.pipelines.size() != 1)
    Fail(config.pipelines.empty() ? "the configuration has no pipelines"
                                  : "the configuration has several pipelines (" + names + "): choose one with --pipeline");
  return *config.pipelines.begin()->second;
}

void PrintText(size_t line, const pipeline::Record& r, std::string* out) {
  out->append("line " + std::to_string(line) + ": ");
  if (r.dropped_by) out->append("dropped by " + r.dropped_by->label());
  else out->append("kept");
  if (!r.tenant.empty()) out->append(", tenant " + r.tenant);
  for (size_t i = 0; i < r.destinations.size(); ++i) out->append((i ? ", " : ", destinations ") + r.destinations[i]);
  out->append("\n  _time: " + FormatRfc3339Nano(r.event.time) + "\n  _msg: " + r.event.msg + "\n");
  for (const auto& f : r.event.fields) out->append("  " + f.name + ": " + f.value + "\n");
}

void PrintJson(size_t line, const pipeline::Record& r, std::string* out) {
  out->append("{\"line\":" + std::to_string(line) + ",\"dropped_by\":");
  if (r.dropped_by) AppendJsonString(out, r.dropped_by->label());
  else out->append("null");
  out->append(",\"tenant\":");
  AppendJsonString(out, r.tenant);
  out->append(",\"destinations\":[");
  for (size_t i = 0; i < r.destinations.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, r.destinations[i]);
  }
  out->append("],\"event\":");
  query::Row::FromEvent(r.event).AppendJson(out);
  out->append("}\n");
}

void RunTest(const TestOptions& o) {
  auto config = pipeline::LoadConfig(Env::Default(), o.config);
  if (!config.ok()) Fail(config.status().message());
  const pipeline::Pipeline& p = Choose(*config, o.pipeline);
  const bool json = o.format == "json";
  IngestParams params;
  std::string line, out;
  // Each line is its own batch, read at its own instant, as if sent alone.
  for (size_t n = 1; std::getline(std::cin, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    params.now_ns = Env::Default()->NowNanos();
    DecodedBatch batch = o.input == "ndjson" ? DecodeNdjson(line, 0, params) : DecodeTextLines(line, params);
    if (!batch.rejected.empty()) {
      out = "line " + std::to_string(n) + ": rejected before the pipeline: " + batch.rejected[0].reason + "\n";
      if (json) {
        out = "{\"line\":" + std::to_string(n) + ",\"rejected\":";
        AppendJsonString(&out, batch.rejected[0].reason);
        out += "}\n";
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      continue;
    }
    std::vector<pipeline::Record> records(batch.events.size());
    for (size_t i = 0; i < records.size(); ++i) records[i].event = std::move(batch.events[i]);
    p.Run(records, pipeline::ProcessContext{.now_ns = params.now_ns});
    out.clear();
    for (const auto& r : records) json ? PrintJson(n, r, &out) : PrintText(n, r, &out);
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  std::fflush(stdout);
}

}  // namespace

void AddPipelineCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("pipeline", "Work with pipeline configurations (docs/pipeline.md)");
  cmd->require_subcommand(1);
  auto* test = cmd->add_subcommand("test", "Run the lines of stdin through a pipeline and print what each becomes");
  auto o = std::make_shared<TestOptions>();
  test->add_option("config", o->config, "The pipeline configuration (YAML)")->required();
  test->add_option("--pipeline", o->pipeline, "The pipeline to run (default: the only one configured)");
  test->add_option("--format", o->format, "Output: text, or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  test->add_option("--input", o->input, "Input lines: text (each line is _msg) or ndjson (as the native endpoint)")
      ->check(CLI::IsMember({"text", "ndjson"}))
      ->capture_default_str();
  test->callback([o] {
    RunTest(*o);
    std::exit(kExitOk);
  });
}

}  // namespace sawlog
