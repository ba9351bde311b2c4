// Throughput of the socket receivers' decoding on one core: a connection's bytes fed in reads of
// 256 KiB (the listener's read size), as events/s and bytes/s; the store is not involved (that is
// bench/syslog_load.py and bench/socket_receivers.py). Syslog messages: RFC 5424 like
// bench/syslog_load.py's, varied hosts, apps, structured data and text. GELF: one JSON message per
// datagram (plain and gzip) through the UDP receiver, made from the real access-log lines. Forward:
// PackedForward messages of Fluent Bit's apache_10k.mp (10,000 [EventTime, {"log"}] entries).
//
//   ./build/bench/receivers [--benchmark_filter=syslog|Gelf|Forward]
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "ingest/forward/msgpack_writer.h"
#include "ingest/socket_receivers.h"
#include "syslog_messages.h"
#include "testing/deflate.h"

namespace {

using sawlog::bench::Messages;

constexpr size_t kReadBytes = 256 * 1024;
constexpr int64_t kNow = 1'781'524'800LL * 1'000'000'000;

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


const std::string kData = SAWLOG_SHARED_DATA_DIR;

std::string ReadFile(const std::string& relative) {
  std::ifstream in(kData + "/" + relative, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// GELF messages made from the real access-log lines, as graypy would send them.
std::vector<std::string> GelfDatagrams(bool gzip) {
  std::ifstream in(kData + "/access/apache_combined_10k.log");
  std::vector<std::string> out;
  std::string line;
  for (int i = 0; std::getline(in, line); ++i) {
    std::string json = "{\"version\":\"1.1\",\"host\":\"web-" + std::to_string(i % 8) + "\",\"short_message\":\"";
    for (char c : line) {
      if (c == '"' || c == '\\') json.push_back('\\');
      json.push_back(c);
    }
    json += "\",\"timestamp\":" + std::to_string(1795000000 + i) + ".125,\"level\":6,\"_source\":\"apache\",\"_n\":" +
            std::to_string(i) + "}";
    out.push_back(gzip ? sawlog::testing::Gzip(json) : json);
  }
  return out;
}

void Gelf(benchmark::State& state, bool gzip) {
  const auto datagrams = GelfDatagrams(gzip);
  auto rx = sawlog::MakeGelfUdpReceiver(sawlog::SocketReceiverSettings{});
  const sawlog::PeerInfo peer{"10.0.0.1:5000", false};
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    sawlog::SocketBatch b;
    rx->Decode(datagrams[i], peer, 0, &b);
    bytes += datagrams[i].size();
    if (b.events.size() != 1) state.SkipWithError("a datagram did not decode");
    if (++i == datagrams.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void Forward(benchmark::State& state, bool gzip) {
  const std::string entries = ReadFile("vectors/parsers/msgpack/apache_10k.mp");
  std::string message;
  sawlog::msgpack::AppendArray(&message, 3);
  sawlog::msgpack::AppendStr(&message, "bench.apache");
  sawlog::msgpack::AppendBin(&message, gzip ? sawlog::testing::Gzip(entries) : entries);
  sawlog::msgpack::AppendMap(&message, 2);
  sawlog::msgpack::AppendStr(&message, "chunk");
  sawlog::msgpack::AppendStr(&message, "c");
  sawlog::msgpack::AppendStr(&message, "compressed");
  sawlog::msgpack::AppendStr(&message, gzip ? "gzip" : "text");
  auto rx = sawlog::MakeForwardReceiver(sawlog::SocketReceiverSettings{});
  auto session = rx->NewSession(sawlog::PeerInfo{"10.0.0.1:5000", false});
  size_t events = 0;
  for (auto _ : state) {
    sawlog::SocketBatch b;
    session->Feed(message, 0, &b);
    events += b.events.size();
    if (b.events.size() != 10000) state.SkipWithError("the message did not decode");
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * message.size()));
}

BENCHMARK_CAPTURE(Gelf, udp_plain, false);
BENCHMARK_CAPTURE(Gelf, udp_gzip, true);
BENCHMARK_CAPTURE(Forward, packed, false);
BENCHMARK_CAPTURE(Forward, compressed_packed, true);

}  // namespace

BENCHMARK_MAIN();
