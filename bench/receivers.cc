// Throughput of the socket receivers' decoding on one core: a connection's bytes fed in reads of
// 256 KiB (the listener's read size), as events/s and bytes/s; the store is not involved (that is
// bench/syslog_load.py). Messages: RFC 5424 like bench/syslog_load.py's, varied hosts, apps,
// structured data and text.
//
//   ./build/bench/receivers [--benchmark_filter=syslog]
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "ingest/socket_receivers.h"

namespace {

constexpr size_t kReadBytes = 256 * 1024;
constexpr int64_t kNow = 1'781'524'800LL * 1'000'000'000;

std::vector<std::string> Messages(size_t n) {
  static const char* const kWords[] = {"connection", "accepted", "from", "user", "session", "opened", "closed",
                                       "timeout", "request", "served", "cache", "miss", "disk", "write", "latency",
                                       "worker", "error", "failed", "GET", "/api/v1/items", "status", "bytes"};
  static const char* const kApps[] = {"nginx", "sshd", "cron", "postfix", "kernel", "app-api", "app-worker", "haproxy"};
  std::mt19937 rnd(7);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    char head[160];
    std::snprintf(head, sizeof head, "<%u>1 2026-06-15T10:%02zu:%02zu.%06zuZ web%02u.example.net %s %u ID%u ",
                  unsigned(8 * (rnd() % 24) + rnd() % 8), (i / 60) % 60, i % 60, (i * 7919) % 1000000, unsigned(rnd() % 40),
                  kApps[rnd() % 8], unsigned(rnd() % 65536), unsigned(rnd() % 50));
    std::string m = head;
    m += i % 3 == 0 ? "[req@32473 id=\"" + std::to_string(rnd()) + "\" user=\"u" + std::to_string(rnd() % 500) + "\"]" : "-";
    for (size_t w = 0, words = 6 + rnd() % 10; w < words; ++w) m += std::string(" ") + kWords[rnd() % 22];
    out.push_back(m + " seq=" + std::to_string(i));
  }
  return out;
}

std::string Framed(const std::vector<std::string>& msgs, bool octet) {
  std::string s;
  for (const auto& m : msgs) s += octet ? std::to_string(m.size()) + " " + m : m + "\n";
  return s;
}

void Feed(benchmark::State& state, std::string_view spec, const std::string& stream) {
  auto receiver = sawlog::FindSocketReceiverKind(spec)->make_stream({});
  size_t events = 0;
  for (auto _ : state) {
    auto session = receiver->NewSession(sawlog::PeerInfo{"192.0.2.7:40000", false});
    for (size_t pos = 0; pos < stream.size(); pos += kReadBytes) {
      sawlog::SocketBatch b;
      session->Feed(std::string_view(stream).substr(pos, kReadBytes), kNow, &b);
      events += b.events.size();
      benchmark::DoNotOptimize(b.events.data());
    }
  }
  state.SetBytesProcessed(int64_t(stream.size() * state.iterations()));
  state.counters["events/s"] = benchmark::Counter(double(events), benchmark::Counter::kIsRate);
}

void BM_SyslogTcpOctetCounted(benchmark::State& state) {
  static const std::string stream = Framed(Messages(20000), true);
  Feed(state, "syslog/tcp", stream);
}
void BM_SyslogTcpNewline(benchmark::State& state) {
  static const std::string stream = Framed(Messages(20000), false);
  Feed(state, "syslog/tcp", stream);
}
void BM_LinesTcpText(benchmark::State& state) {
  static const std::string stream = Framed(Messages(20000), false);
  Feed(state, "lines/tcp", stream);
}
BENCHMARK(BM_SyslogTcpOctetCounted)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SyslogTcpNewline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LinesTcpText)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
