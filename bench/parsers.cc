// Throughput of each line parser on one core: bytes/s and lines/s, on real lines from
// ../shared/data held in memory and parsed round-robin. Formats the shared data has no file of
// (RFC 5424, logfmt, kv, CRI, klog, Python, Go) are made from real lines of another format, so their values
// and lengths are real. Target (the parsing issue): syslog and access logs >= 150 MB/s per core.
//
//   ./build/bench/parsers [--benchmark_filter=syslog] [--data=DIR]
#include <benchmark/benchmark.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/timestamp.h"
#include "parse/line_parser.h"

namespace {

using sawlog::ParsedLine;

std::string g_data = SAWLOG_SHARED_DATA_DIR;

std::vector<std::string> ReadLines(const std::string& relative) {
  std::ifstream in(g_data + "/" + relative);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  if (lines.empty()) std::fprintf(stderr, "bench: no lines in %s/%s\n", g_data.c_str(), relative.c_str());
  return lines;
}

std::vector<ParsedLine> ParseAll(std::string_view parser_name, const std::vector<std::string>& lines) {
  auto parser = sawlog::MakeLineParser(parser_name).value();
  sawlog::ParseContext ctx;
  std::vector<ParsedLine> out;
  for (const auto& l : lines) {
    ParsedLine p;
    if (parser->Parse(l, ctx, &p).ok()) out.push_back(std::move(p));
  }
  return out;
}

const std::string* Find(const ParsedLine& p, std::string_view name) {
  for (const auto& f : p.fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

std::string Quote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// Access-log requests re-written as logfmt / kv lines (the same values, quoted where needed).
std::vector<std::string> PairsFromAccessLog(const std::vector<std::string>& access, bool logfmt) {
  std::vector<std::string> out;
  for (const auto& p : ParseAll("apache_combined", access)) {
    std::string line = "ts=" + sawlog::FormatRfc3339Nano(*p.time);
    for (const auto& f : p.fields) {
      bool quote = f.value.find_first_of(logfmt ? " =\"" : " \"") != std::string::npos;
      line += " " + f.name + "=" + (quote ? Quote(f.value) : f.value);
    }
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> Rfc5424FromRfc3164(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  int seq = 0;
  for (const auto& p : ParseAll("syslog3164", lines)) {
    const std::string* host = Find(p, "hostname");
    const std::string* app = Find(p, "app_name");
    const std::string* pid = Find(p, "proc_id");
    out.push_back("<38>1 " + sawlog::FormatRfc3339Nano(*p.time).substr(0, 26) + "Z " + (host ? *host : "-") + " " +
                  (app ? *app : "-") + " " + (pid ? *pid : "-") + " - [meta@32473 seq=\"" + std::to_string(++seq) +
                  "\" src=\"auth\"] " + *p.msg);
  }
  return out;
}

std::vector<std::string> KlogFromRfc3164(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& p : ParseAll("syslog3164", lines)) {
    std::string t = sawlog::FormatRfc3339Nano(*p.time);  // YYYY-MM-DDThh:mm:ss.nnnnnnnnn
    const std::string* pid = Find(p, "proc_id");
    out.push_back("I" + t.substr(5, 2) + t.substr(8, 2) + " " + t.substr(11, 15) + " " +
                  std::string(7 - std::min<size_t>(7, pid ? pid->size() : 1), ' ') + (pid ? *pid : "1") +
                  " server.go:123] " + *p.msg);
  }
  return out;
}

// Hadoop's log4j lines (date, level, thread, logger, message) re-written in Python's asctime
// format, Go's log package (microseconds, file:line) and zap's console encoder.
std::vector<std::string> AppLayoutsFromHadoop(const std::vector<std::string>& hadoop, std::string_view layout) {
  std::vector<std::string> out;
  for (const auto& p : ParseAll("java", hadoop)) {
    const std::string t = sawlog::FormatRfc3339Nano(*p.time);  // YYYY-MM-DDThh:mm:ss.nnnnnnnnn
    const std::string* level = Find(p, "severity");
    const std::string* logger = Find(p, "logger");
    std::string upper = *level;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (layout == "python" && upper == "FATAL") upper = "CRITICAL";  // each library's own names
    if (layout == "zap" && upper == "WARNING") upper = "WARN";
    if (layout == "python")
      out.push_back(t.substr(0, 10) + " " + t.substr(11, 8) + "," + t.substr(20, 3) + " - " + *logger + " - " + upper +
                    " - " + *p.msg);
    else if (layout == "go")
      out.push_back(t.substr(0, 4) + "/" + t.substr(5, 2) + "/" + t.substr(8, 2) + " " + t.substr(11, 15) +
                    " server.go:123: " + *p.msg);
    else
      out.push_back(t.substr(0, 23) + "Z\t" + upper + "\tmapreduce/" + logger->substr(logger->rfind('.') + 1) +
                    ".go:42\t" + *p.msg + "\t{\"logger\":\"" + *logger + "\"}");
  }
  return out;
}

std::vector<std::string> CriFromDocker(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& p : ParseAll("docker", lines)) {
    const std::string* stream = Find(p, "stream");
    out.push_back(sawlog::FormatRfc3339Nano(p.time.value_or(0)) + " " + (stream ? *stream : "stdout") +
                  (p.partial ? " P " : " F ") + *p.msg);
  }
  return out;
}

std::vector<std::string> DockerLines() {
  std::vector<std::string> lines;
  for (const auto& e : std::filesystem::recursive_directory_iterator(g_data + "/containers/kubernetes/log")) {
    if (!e.is_regular_file()) continue;
    for (auto& l : ReadLines(std::filesystem::relative(e.path(), g_data).string()))
      if (l.starts_with("{\"log\"")) lines.push_back(std::move(l));
  }
  return lines;
}

// Fluent Bit's `apache2` parser definition from its parsers.conf: the regex and the time format.
sawlog::ParserOptions FluentBitApache2() {
  std::ifstream in(g_data + "/vectors/parsers/parsers.conf");
  std::string line;
  bool inside = false;
  sawlog::ParserOptions options = {{"time_field", "time"}};
  while (std::getline(in, line)) {
    std::string_view l = line;
    l.remove_prefix(std::min(l.size(), l.find_first_not_of(" \t")));
    if (l.starts_with("Name")) inside = l.ends_with(" apache2");
    if (!inside) continue;
    std::string_view value = l.substr(std::min(l.size(), l.find_first_of(" \t")));
    value.remove_prefix(std::min(value.size(), value.find_first_not_of(" \t")));
    if (l.starts_with("Regex")) options.emplace_back("pattern", value);
    if (l.starts_with("Time_Format")) options.emplace_back("time_format", value);
  }
  if (options.size() != 3) std::fprintf(stderr, "bench: no apache2 parser in parsers.conf\n");
  return options;
}

// Bytes per second of each benchmark's last run, for the ratios printed at the end.
std::map<std::string, double> g_rates;

void Run(benchmark::State& state, const std::string& name, std::string_view parser_name,
         const std::vector<std::string>& lines, const sawlog::ParserOptions& options) {
  auto made = sawlog::MakeLineParser(parser_name, options);
  if (!made.ok()) {
    state.SkipWithError(made.status().ToString().c_str());
    return;
  }
  auto parser = std::move(made).value();
  sawlog::ParseContext ctx;
  ctx.now = 1'780'000'000 * sawlog::kNanosPerSecond;
  ParsedLine out;
  size_t i = 0, bytes = 0, errors = 0;
  if (lines.empty()) {
    state.SkipWithError("no input lines");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const std::string& line = lines[i];
    if (!parser->Parse(line, ctx, &out).ok()) ++errors;
    benchmark::DoNotOptimize(out);
    bytes += line.size() + 1;
    if (++i == lines.size()) i = 0;
  }
  g_rates[name] =
      static_cast<double>(bytes) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["error_share"] = static_cast<double>(errors) / static_cast<double>(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]).starts_with("--data=")) g_data = argv[i] + 7;
  benchmark::Initialize(&argc, argv);

  // Each input lives as long as the process; the benchmarks hold references.
  static const auto access = ReadLines("access/apache_combined_10k.log");
  static const auto auth = ReadLines("syslog/auth.log");
  static const auto linux_syslog = ReadLines("loghub/Linux/Linux_2k.log");
  static const auto docker = DockerLines();
  static std::vector<std::string> common;
  for (const auto& l : access) common.push_back(l.substr(0, l.find(" \"", l.find("\" ") + 2)));
  static const auto rfc5424 = Rfc5424FromRfc3164(auth);
  static const auto logfmt = PairsFromAccessLog(access, true);
  static const auto kv = PairsFromAccessLog(access, false);
  static const auto klog = KlogFromRfc3164(linux_syslog);
  static const auto cri = CriFromDocker(docker);
  static const auto hadoop = ReadLines("loghub/Hadoop/Hadoop_2k.log");
  static const auto spark = ReadLines("loghub/Spark/Spark_2k.log");
  static const auto zookeeper = ReadLines("loghub/Zookeeper/Zookeeper_2k.log");
  static const auto python = AppLayoutsFromHadoop(hadoop, "python");
  static const auto golog = AppLayoutsFromHadoop(hadoop, "go");
  static const auto zap = AppLayoutsFromHadoop(hadoop, "zap");

  struct Case {
    const char* name;
    const char* parser;
    const std::vector<std::string>* lines;
    sawlog::ParserOptions options = {};
  };
  static const Case kCases[] = {
      {"apache_combined/access_10k", "apache_combined", &access},
      {"apache_common/access_10k", "apache_common", &common},
      {"syslog3164/auth.log", "syslog3164", &auth},
      {"syslog3164/loghub_linux", "syslog3164", &linux_syslog},
      {"syslog/auth.log", "syslog", &auth},
      {"syslog5424/from_auth.log", "syslog5424", &rfc5424},
      {"logfmt/from_access_10k", "logfmt", &logfmt},
      {"kv/from_access_10k", "kv", &kv},
      {"docker/kubernetes_logs", "docker", &docker},
      {"cri/from_kubernetes_logs", "cri", &cri},
      {"klog/from_loghub_linux", "klog", &klog},
      {"java/loghub_hadoop", "java", &hadoop},
      {"java/loghub_spark", "java", &spark},
      {"java/loghub_zookeeper", "java", &zookeeper},
      {"python/from_loghub_hadoop", "python", &python},
      {"go/log_from_loghub_hadoop", "go", &golog},
      {"go/zap_from_loghub_hadoop", "go", &zap},
      {"auto/loghub_hadoop", "auto", &hadoop},
      {"json/kubernetes_logs", "json", &docker},
      // The figure: grok %{COMBINEDAPACHELOG} >= 2x Fluent Bit's apache2 regex parser, run
      // here through our regex parser (RE2, the same time format) as the peer.
      {"grok/COMBINEDAPACHELOG/access_10k", "grok", &access,
       {{"patterns_dir", g_data + "/vectors/grok/patterns/legacy"}, {"match", "%{COMBINEDAPACHELOG}"}}},
      {"regex/fluent_bit_apache2/access_10k", "regex", &access, FluentBitApache2()},
  };
  for (const auto& c : kCases)
    benchmark::RegisterBenchmark(c.name, [c](benchmark::State& s) { Run(s, c.name, c.parser, *c.lines, c.options); });
  benchmark::RunSpecifiedBenchmarks();
  const double grok = g_rates["grok/COMBINEDAPACHELOG/access_10k"];
  const double peer = g_rates["regex/fluent_bit_apache2/access_10k"];
  if (grok > 0 && peer > 0)
    std::printf("grok COMBINEDAPACHELOG %.1f MiB/s, Fluent Bit's apache2 regex on RE2 %.1f MiB/s: ratio %.2f\n",
                grok / 1048576, peer / 1048576, grok / peer);
  benchmark::Shutdown();
  return 0;
}
