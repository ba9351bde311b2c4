// CPU of the store's write path on one core, without sockets or fsync (an in-memory Env): a
// flush (WritePart of encoded syslog events, as the flusher writes the head) and a merge of four
// such flushed parts (MergeParts, as the maintenance thread's first tier). Events/s of each;
// bench/syslog_load.py measures the whole server against rsyslogd.
//
//   ./build/bench/store [--benchmark_filter=Flush|Merge]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingest/syslog/syslog.h"
#include "store/event_codec.h"
#include "store/merge.h"
#include "store/part.h"
#include "store/part_format.h"
#include "store/token_filter.h"
#include "syslog_messages.h"
#include "testing/mem_env.h"

namespace {

constexpr size_t kFlushEvents = 200'000;  // about one second of the syslog load

const std::vector<sawlog::Event>& Events() {
  static const std::vector<sawlog::Event> events = [] {
    sawlog::syslog::MessageDecoder decoder;
    std::vector<sawlog::Event> out(kFlushEvents);
    const auto messages = sawlog::bench::Messages(kFlushEvents);
    for (size_t i = 0; i < out.size(); ++i)
      if (!decoder.Decode(messages[i], "192.0.2.7", 1'781'524'800LL * 1'000'000'000, &out[i]).ok()) std::abort();
    return out;
  }();
  return events;
}

// The events as the head keeps them: encoded back to back, as their WAL records hold them.
const std::vector<sawlog::EncodedEvent>& Encoded() {
  static const std::string bytes = [] {
    std::string out;
    for (const auto& e : Events()) sawlog::EncodeEvent(&out, e);
    return out;
  }();
  static const std::vector<sawlog::EncodedEvent> encoded = [] {
    std::vector<sawlog::EncodedEvent> out(kFlushEvents);
    sawlog::Decoder in(bytes);
    for (auto& e : out)
      if (!sawlog::SkipEvent(&in, &e)) std::abort();
    return out;
  }();
  return encoded;
}

void WriteFlushedPart(sawlog::Env* env, const std::string& path, size_t first, size_t count) {
  std::vector<sawlog::EncodedEvent> events(Encoded().begin() + first, Encoded().begin() + first + count);
  // As the store's flush writes them: from the head's encoding, without bloom filters.
  if (!sawlog::WritePart(env, path, std::move(events), /*always_template=*/false, /*filters=*/false).ok()) std::abort();
}

void BM_Flush(benchmark::State& state) {
  sawlog::testing::MemEnv env;
  if (!env.CreateDirs("/d").ok()) std::abort();
  Encoded();  // decoded and encoded before the clock starts
  for (auto _ : state) WriteFlushedPart(&env, "/d/p.part", 0, kFlushEvents);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kFlushEvents));
  state.counters["out_B/event"] = static_cast<double>(env.FileData("/d/p.part")->size()) / kFlushEvents;
}
BENCHMARK(BM_Flush)->Unit(benchmark::kMillisecond);

void BM_Merge(benchmark::State& state) {
  sawlog::testing::MemEnv env;
  if (!env.CreateDirs("/d").ok()) std::abort();
  std::vector<std::unique_ptr<sawlog::PartReader>> parts;
  std::vector<const sawlog::PartReader*> inputs;
  constexpr size_t kParts = 4, kEach = kFlushEvents / kParts;
  for (size_t p = 0; p < kParts; ++p) {
    const std::string path = "/d/in" + std::to_string(p) + ".part";
    WriteFlushedPart(&env, path, p * kEach, kEach);
    parts.push_back(std::move(sawlog::PartReader::Open(&env, path)).value());
    inputs.push_back(parts.back().get());
  }
  uint64_t in_bytes = 0, out_bytes = 0;
  for (const auto& p : parts) in_bytes += p->size();
  for (auto _ : state) {
    auto merged = sawlog::MergeParts(&env, inputs, "/d/merged.part");
    if (!merged.ok()) std::abort();
    out_bytes = merged->bytes;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kFlushEvents));
  state.counters["in_B/event"] = static_cast<double>(in_bytes) / kFlushEvents;
  state.counters["out_B/event"] = static_cast<double>(out_bytes) / kFlushEvents;
}
BENCHMARK(BM_Merge)->Unit(benchmark::kMillisecond);

// Blocks of _msg values as the merges write them: by stream, at most kMaxBlockRows rows each,
// each block's values in one buffer, as a decoded column holds them.
struct Block {
  std::string bytes;
  std::vector<std::optional<std::string_view>> values;
  sawlog::DistinctValues known;  // as the column's encoder finds them for its filter
};

// msgs: (stream, message) in time order.
std::vector<Block> Blocks(const std::vector<std::pair<std::string_view, std::string_view>>& msgs) {
  std::map<std::string_view, std::vector<std::string_view>> by_stream;
  for (const auto& [stream, msg] : msgs) by_stream[stream].push_back(msg);
  std::vector<Block> blocks;
  for (const auto& [stream, group] : by_stream)
    for (size_t first = 0; first < group.size(); first += sawlog::part::kMaxBlockRows) {
      const size_t end = std::min(group.size(), first + sawlog::part::kMaxBlockRows);
      Block& b = blocks.emplace_back();
      for (size_t i = first; i < end; ++i) b.bytes += group[i];
      size_t at = 0;
      for (size_t i = first; i < end; ++i) {
        b.values.push_back(std::string_view(b.bytes).substr(at, group[i].size()));
        at += group[i].size();
      }
      sawlog::ColumnEncoding encoding;
      sawlog::EncodeColumn(b.values, &encoding, &b.known);
    }
  return blocks;
}

// (system, line) of each Loghub sample.
const std::vector<std::pair<std::string, std::string>>& LoghubLines() {
  static const std::vector<std::pair<std::string, std::string>> lines = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const char* system : {"Android", "Apache", "BGL", "HDFS", "Hadoop", "HealthApp", "Linux", "OpenSSH", "Spark",
                               "Zookeeper"}) {
      const std::string path = std::string(SAWLOG_SHARED_DATA_DIR) + "/loghub/" + system + "/" + system + "_2k.log";
      std::ifstream in(path);
      std::string line;
      size_t n = 0;
      while (std::getline(in, line))
        if (!line.empty()) out.emplace_back(system, line), ++n;
      if (n == 0) std::fprintf(stderr, "bench: no lines in %s\n", path.c_str());
    }
    return out;
  }();
  return lines;
}

void BM_TokenFilter(benchmark::State& state, bool loghub, bool pairs) {
  // The syslog load's 320 streams (host, app) of 625 events each; Loghub's ten systems of 2000.
  std::vector<std::pair<std::string_view, std::string_view>> msgs;
  if (loghub)
    for (const auto& [system, line] : LoghubLines()) msgs.emplace_back(system, line);
  else
    for (const auto& e : Events()) msgs.emplace_back(e.stream, e.msg);
  const std::vector<Block> blocks = Blocks(msgs);
  sawlog::TokenFilterBuilder builder;
  size_t bytes = 0;
  for (auto _ : state)
    for (const auto& b : blocks) bytes += builder.Build(b.values, b.known, pairs).size();
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * msgs.size()));
}
BENCHMARK_CAPTURE(BM_TokenFilter, syslog, false, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TokenFilter, syslog_pairs, false, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TokenFilter, loghub, true, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TokenFilter, loghub_pairs, true, true)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
