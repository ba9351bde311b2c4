// The pipeline: the data-driven cases of tests/data/pipeline/*.test (format: README.md there),
// the processor schemas against docs/pipeline.md, GeoIP on a database written here, routing as
// the server uses it, and processors shared by threads.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/timestamp.h"
#include "ingest/ingest.h"
#include "pipeline/pipeline.h"
#include "testing/read_lines.h"

namespace sawlog {
// Readable failures: name=value rather than bytes.
void PrintTo(const Field& f, std::ostream* os) { *os << f.name << "=" << f.value; }
}  // namespace sawlog

namespace sawlog::pipeline {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = fs::path(SAWLOG_TEST_DATA) / "pipeline";

using testing::ReadLines;

Event EventOf(const std::string& input, bool json, int64_t now) {
  IngestParams params;
  params.now_ns = now;
  std::string body = input;
  body.reserve(body.size() + 64);
  DecodedBatch batch = json ? DecodeNdjson(body, body.capacity() - body.size(), params) : DecodeTextLines(body, params);
  EXPECT_EQ(batch.events.size(), 1u) << "input does not decode: " << input;
  return batch.events.empty() ? Event{} : batch.events[0];
}

struct Expected {
  size_t line = 0;
  std::string input;
  bool json = false;
  int64_t now = 0;
  bool dropped = false;
  std::vector<Field> fields;
  std::optional<int64_t> time;
  std::optional<std::string> msg;
  std::string tenant;
  std::vector<std::string> destinations;
};

// Runs one case through the pipeline and compares everything.
void Check(const fs::path& file, const Pipeline& p, const Expected& want) {
  SCOPED_TRACE(file.filename().string() + ":" + std::to_string(want.line) + ": " + want.input);
  std::vector<Record> records(1);
  records[0].event = EventOf(want.input, want.json, want.now);
  p.Run(records, ProcessContext{.now_ns = want.now});
  const Record& got = records[0];
  EXPECT_EQ(got.dropped_by != nullptr, want.dropped);
  if (want.dropped || got.dropped_by != nullptr) return;
  EXPECT_EQ(got.event.fields, want.fields);
  EXPECT_EQ(FormatRfc3339Nano(got.event.time), FormatRfc3339Nano(want.time.value_or(want.now)));
  EXPECT_EQ(got.event.ingest_time, want.now);
  EXPECT_EQ(got.event.msg, want.msg.value_or(want.json ? "" : want.input));
  EXPECT_EQ(got.tenant, want.tenant);
  EXPECT_EQ(got.destinations, want.destinations);
}

// Returns how many cases and configuration errors the file checked.
size_t RunFile(const fs::path& file) {
  const std::vector<std::string> lines = ReadLines(file);
  const int64_t default_now = ParseRfc3339("2026-06-15T12:00:00Z").value();
  int64_t now = default_now;
  std::optional<Config> config;
  Status config_status;
  std::string use;
  std::optional<Expected> open;
  size_t checked = 0;
  auto pipeline = [&]() -> const Pipeline* {
    if (!config) return nullptr;
    if (!use.empty()) return config->pipelines.contains(use) ? config->pipelines.find(use)->second.get() : nullptr;
    return config->pipelines.size() == 1 ? config->pipelines.begin()->second.get() : nullptr;
  };
  auto close = [&] {
    if (!open) return;
    const Pipeline* p = pipeline();
    if (p == nullptr) ADD_FAILURE() << file << ":" << open->line << ": no configuration or pipeline for this case";
    else Check(file, *p, *open), ++checked;
    open.reset();
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    const size_t number = n + 1;
    if (line.empty()) {
      close();
      continue;
    }
    if (line[0] == '#') continue;
    size_t space = line.find(' ');
    std::string directive = line.substr(0, space);
    std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
    if (directive == "config") {
      close();
      std::string yaml;
      for (++n; n < lines.size() && lines[n] != "end"; ++n) yaml += lines[n] + "\n";
      auto loaded = ParseConfig(yaml, file.filename().string(), kDataDir.string());
      config_status = loaded.status();
      config.reset();
      if (loaded.ok()) config = std::move(loaded).value();
      const bool expect_error = n + 1 < lines.size() && lines[n + 1].starts_with("config-error ");
      if (!expect_error) {
        EXPECT_TRUE(config_status.ok()) << file << ":" << number << ": " << config_status.ToString();
      }
      use.clear();
      now = default_now;
    } else if (directive == "config-error") {
      std::string where = arg.substr(0, arg.find(' '));
      std::string text = arg.substr(where.size() + 1);
      std::string prefix = file.filename().string() + ":" + where + ": ";
      EXPECT_EQ(config_status.code(), Code::kInvalidArgument) << file << ":" << number;
      EXPECT_TRUE(config_status.message().starts_with(prefix))
          << file << ":" << number << ": want the error at " << prefix << " got: " << config_status.message();
      EXPECT_NE(config_status.message().find(text), std::string::npos)
          << file << ":" << number << ": want '" << text << "' in: " << config_status.message();
      ++checked;
    } else if (directive == "use") {
      use = arg;
    } else if (directive == "now") {
      now = ParseRfc3339(arg).value();
    } else if (directive == "input" || directive == "input-json") {
      close();
      open.emplace();
      open->line = number;
      open->input = arg;
      open->json = directive == "input-json";
      open->now = now;
    } else if (!open) {
      ADD_FAILURE() << file << ":" << number << ": '" << directive << "' outside a case";
    } else if (directive == "field") {
      size_t eq = arg.find('=');
      open->fields.push_back({arg.substr(0, eq), eq == std::string::npos ? "" : arg.substr(eq + 1)});
    } else if (directive == "time") {
      open->time = ParseRfc3339(arg).value();
    } else if (directive == "msg") {
      open->msg = arg;
    } else if (directive == "dropped") {
      open->dropped = true;
    } else if (directive == "tenant") {
      open->tenant = arg;
    } else if (directive == "destination") {
      open->destinations.push_back(arg);
    } else {
      ADD_FAILURE() << file << ":" << number << ": unknown directive '" << directive << "'";
    }
  }
  close();
  return checked;
}

TEST(PipelineFiles, AllCasesPass) {
  size_t files = 0, cases = 0;
  for (const auto& entry : fs::directory_iterator(kDataDir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    size_t n = RunFile(entry.path());
    EXPECT_GT(n, 0u) << entry.path() << " checked nothing";
    cases += n;
  }
  EXPECT_GE(files, 9u);
  EXPECT_GE(cases, 70u);
}

// ---------------------------------------------------------------------------------------------
// Schemas as data: every type and option is documented, in docs/pipeline.md too.

TEST(ProcessorTypes, SchemasAreCompleteAndDocumented) {
  std::ifstream in(fs::path(SAWLOG_TEST_DATA) / ".." / ".." / "docs" / "pipeline.md");
  ASSERT_TRUE(in) << "docs/pipeline.md is missing";
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string_view> names;
  for (const ProcessorType* t : ProcessorTypes()) {
    EXPECT_TRUE(names.insert(t->name).second) << "two types named " << t->name;
    EXPECT_FALSE(t->doc.empty()) << t->name;
    EXPECT_EQ(FindProcessorType(t->name), t);
    const std::string heading = "\n### " + std::string(t->name) + "\n";
    size_t at = doc.find(heading);
    EXPECT_NE(at, std::string::npos) << "docs/pipeline.md has no section " << heading;
    std::string section = doc.substr(at, doc.find("\n### ", at + 1) - at);
    EXPECT_NE(section.find("```yaml"), std::string::npos) << t->name << ": no example";
    std::set<std::string_view> options;
    for (const OptionSpec& o : t->options) {
      EXPECT_TRUE(options.insert(o.name).second) << t->name << ": two options named " << o.name;
      EXPECT_FALSE(o.doc.empty()) << t->name << "." << o.name;
      EXPECT_FALSE(o.required && !o.default_value.empty()) << t->name << "." << o.name << ": required with a default";
      EXPECT_NE(section.find("`" + std::string(o.name) + "`"), std::string::npos)
          << "docs/pipeline.md, " << t->name << ": option `" << o.name << "` is not described";
    }
  }
  EXPECT_EQ(FindProcessorType("nope"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Loading from a file: errors name the file's path; relative paths are read beside it.

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("sawlog-pipeline-test-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

TEST(LoadConfig, RelativePathsAndErrorsNameTheFile) {
  TempDir dir;
  dir.Write("t.csv", "k,v\na,1\n");
  std::string good = dir.Write("good.yaml", "pipelines:\n  p:\n    - lookup: {file: t.csv, field: k}\nreceivers:\n  native: {pipeline: p}\n");
  auto config = LoadConfig(Env::Default(), good);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Pipeline* p = config->ForReceiver("native");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(config->ForReceiver("syslog"), nullptr);
  std::vector<Event> events(1);
  events[0].fields = {{"k", "a"}};
  auto routed = RunOnEvents(*p, std::move(events), "default", {});
  ASSERT_EQ(routed.by_tenant["default"].size(), 1u);
  EXPECT_EQ(routed.by_tenant["default"][0].fields, (std::vector<Field>{{"k", "a"}, {"v", "1"}}));

  std::string bad = dir.Write("bad.yaml", "pipelines:\n  p:\n    - lookup: {file: t.csv, field: k, columns: [w]}\n");
  auto error = LoadConfig(Env::Default(), bad);
  EXPECT_EQ(error.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(error.status().message().starts_with(bad + ":3:48: lookup: option 'columns': no column 'w'"))
      << error.status().message();

  EXPECT_EQ(LoadConfig(Env::Default(), (dir.path / "none.yaml").string()).status().code(), Code::kNotFound);
  auto empty = LoadConfig(Env::Default(), dir.Write("empty.yaml", ""));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->pipelines.empty());
}

// ---------------------------------------------------------------------------------------------
// As the server runs it: routed tenants override the request's, dropped events are counted.

TEST(RunOnEvents, RoutesTenantsAndCountsDrops) {
  auto config = ParseConfig(
      "pipelines:\n  p:\n    - drop: {if: 'debug'}\n    - route: {if: 'audit', tenant: security}\n", "t.yaml", ".");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  std::vector<Event> events(4);
  events[0].msg = "debug noise";
  events[1].msg = "audit login";
  events[2].msg = "plain";
  events[3].msg = "debug audit";
  auto routed = RunOnEvents(*config->pipelines["p"], std::move(events), "acme", {});
  EXPECT_EQ(routed.dropped, 2u);
  ASSERT_EQ(routed.by_tenant.size(), 2u);
  ASSERT_EQ(routed.by_tenant["acme"].size(), 1u);
  EXPECT_EQ(routed.by_tenant["acme"][0].msg, "plain");
  ASSERT_EQ(routed.by_tenant["security"].size(), 1u);
  EXPECT_EQ(routed.by_tenant["security"][0].msg, "audit login");
}

// ---------------------------------------------------------------------------------------------
// Shared by the server's handler threads: parsers are pooled, counters locked.

TEST(Pipeline, ConcurrentBatchesKeepCountsExact) {
  auto config = ParseConfig("pipelines:\n  p:\n    - parse: {format: logfmt}\n    - sample: {rate: 2}\n", "t.yaml", ".");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Pipeline& p = *config->pipelines["p"];
  constexpr int kThreads = 4, kBatches = 50, kPerBatch = 20;
  std::atomic<size_t> kept{0}, parsed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Record> records(kPerBatch);
        for (int i = 0; i < kPerBatch; ++i) records[i].event.msg = "t=" + std::to_string(t) + " i=" + std::to_string(i);
        p.Run(records, {});
        for (const auto& r : records) {
          if (r.dropped_by) continue;
          ++kept;
          if (r.event.Find("t") && *r.event.Find("t") == std::to_string(t)) ++parsed;
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(kept.load(), size_t{kThreads * kBatches * kPerBatch / 2});
  EXPECT_EQ(parsed.load(), kept.load());
}

TEST(Throttle, ClockSteppingBackRefillsNothing) {
  auto config = ParseConfig("pipelines:\n  p:\n    - throttle: {rate: 10}\n", "t.yaml", ".");
  ASSERT_TRUE(config.ok());
  const Pipeline& p = *config->pipelines["p"];
  auto kept = [&](int n, int64_t now) {
    std::vector<Record> records(n);
    p.Run(records, ProcessContext{.now_ns = now});
    return std::count_if(records.begin(), records.end(), [](const Record& r) { return r.dropped_by == nullptr; });
  };
  const int64_t t0 = 1'000 * kNanosPerSecond;
  EXPECT_EQ(kept(15, t0), 10);                       // the burst (= rate)
  EXPECT_EQ(kept(5, t0 - 60 * kNanosPerSecond), 0);  // back in time: nothing refilled
  EXPECT_EQ(kept(5, t0 + kNanosPerSecond / 5), 2);   // 0.2 s later: 2 tokens
  EXPECT_EQ(kept(20, t0 + 100 * kNanosPerSecond), 10);  // never more than the burst
}

// ---------------------------------------------------------------------------------------------
// GeoIP on a MaxMind DB written here (format: maxmind.github.io/MaxMind-DB): an IPv4 tree of 24
// nodes for 81.2.69.0/24, and one data record.

class MmdbWriter {
 public:
  void Map(size_t n) { out_.push_back(static_cast<char>(7 << 5 | n)); }
  void String(std::string_view s) {
    out_.push_back(static_cast<char>(2 << 5 | s.size()));
    out_ += s;
  }
  void Double(double d) {
    out_.push_back(static_cast<char>(3 << 5 | 8));
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  void Uint(int type, uint64_t v, int bytes) {  // 5: uint16, 6: uint32, 9: uint64 (extended)
    if (type <= 7) {
      out_.push_back(static_cast<char>(type << 5 | bytes));
    } else {
      out_.push_back(static_cast<char>(bytes));
      out_.push_back(static_cast<char>(type - 7));
    }
    for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

std::string TestMmdb() {
  constexpr uint32_t kNodes = 24;
  const uint32_t prefix = 81u << 16 | 2u << 8 | 69u;  // the first 24 bits of 81.2.69.x
  std::string file;
  auto record = [&](uint32_t v) {
    for (int i = 2; i >= 0; --i) file.push_back(static_cast<char>(v >> (8 * i)));
  };
  for (uint32_t node = 0; node < kNodes; ++node) {
    const bool bit = prefix >> (kNodes - 1 - node) & 1;
    const uint32_t next = node + 1 < kNodes ? node + 1 : kNodes + 16;  // the data at offset 0
    record(bit ? kNodes : next);
    record(bit ? next : kNodes);
  }
  file.append(16, '\0');
  MmdbWriter data;
  data.Map(3);
  data.String("country");
  data.Map(2);
  data.String("iso_code");
  data.String("GB");
  data.String("names");
  data.Map(1);
  data.String("en");
  data.String("United Kingdom");
  data.String("city");
  data.Map(1);
  data.String("names");
  data.Map(1);
  data.String("en");
  data.String("London");
  data.String("location");
  data.Map(2);
  data.String("latitude");
  data.Double(51.5142);
  data.String("longitude");
  data.Double(-0.0931);
  file += data.out();
  file += "\xAB\xCD\xEFMaxMind.com";
  MmdbWriter meta;
  meta.Map(9);
  meta.String("languages");
  meta.out() += std::string("\x00\x04", 2);  // an empty array (extended type 11)
  meta.String("description");
  meta.Map(0);
  meta.String("node_count");
  meta.Uint(6, kNodes, 4);
  meta.String("record_size");
  meta.Uint(5, 24, 2);
  meta.String("ip_version");
  meta.Uint(5, 4, 2);
  meta.String("database_type");
  meta.String("sawlog-test-City");
  meta.String("binary_format_major_version");
  meta.Uint(5, 2, 2);
  meta.String("binary_format_minor_version");
  meta.Uint(5, 0, 2);
  meta.String("build_epoch");
  meta.Uint(9, 1700000000, 8);
  file += meta.out();
  return file;
}

TEST(Geoip, LooksUpAddressesInAMaxMindDatabase) {
  TempDir dir;
  dir.Write("test.mmdb", TestMmdb());
  auto config = ParseConfig("pipelines:\n  p:\n    - geoip: {database: test.mmdb, field: ip, target: geo}\n", "t.yaml",
                            dir.path.string());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  std::vector<Record> records(4);
  records[0].event.fields = {{"ip", "81.2.69.160"}};
  records[1].event.fields = {{"ip", "81.2.70.1"}};     // outside the /24
  records[2].event.fields = {{"ip", "not an address"}};
  records[3].event.fields = {{"other", "81.2.69.1"}};
  config->pipelines["p"]->Run(records, {});
  EXPECT_EQ(records[0].event.fields, (std::vector<Field>{{"ip", "81.2.69.160"},
                                                          {"geo.country_iso_code", "GB"},
                                                          {"geo.country_name", "United Kingdom"},
                                                          {"geo.city_name", "London"},
                                                          {"geo.location.lat", "51.5142"},
                                                          {"geo.location.lon", "-0.0931"}}));
  for (int i = 1; i < 4; ++i) EXPECT_EQ(records[i].event.fields.size(), 1u) << i;
}

// A real database, when the machine has one (geoipupdate's default place): the processor must
// open it and answer for a well-known address.
TEST(Geoip, RealDatabaseWhenInstalled) {
  const char* path = "/usr/share/GeoIP/GeoLite2-City.mmdb";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  auto config = ParseConfig(std::string("pipelines:\n  p:\n    - geoip: {database: ") + path + ", field: ip}\n", "t.yaml", ".");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  std::vector<Record> records(1);
  records[0].event.fields = {{"ip", "8.8.8.8"}};
  config->pipelines["p"]->Run(records, {});
  EXPECT_NE(records[0].event.Find("client.geo.country_iso_code"), nullptr);
}

}  // namespace
}  // namespace sawlog::pipeline
