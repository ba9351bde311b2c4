// The agent: its configuration's errors, the tailer (appends, partial lines, rotation by rename,
// copytruncate, inode reuse), checkpoints, the disk buffer across crashes, and the whole agent
// against a fake server that fails and refuses. The tailer works on real files in a temp
// directory (inodes are what it follows); the buffer and the state on the crash-modelling MemEnv.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/agent.h"
#include "agent/checkpoints.h"
#include "agent/disk_buffer.h"
#include "agent/file_tailer.h"
#include "agent/input.h"
#include "agent/shipment.h"
#include "core/coding.h"
#include "core/log.h"
#include "testing/mem_env.h"

namespace sawlog::agent {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("sawlog-agent-test-" + std::to_string(::getpid()) + "-" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
  void Append(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary | std::ios::app) << text;
  }
};

// ---------------------------------------------------------------------------------------------
// Configuration

std::string ConfigError(const std::string& yaml) {
  auto c = ParseAgentConfig(yaml, "agent.yaml", "/tmp");
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(AgentConfig, ParsesEveryOption) {
  auto c = ParseAgentConfig(R"(server: http://127.0.0.1:9999/
tenant: team-a
data_dir: /var/tmp/x
max_buffer_size: 64MiB
batch_size: 512KiB
partial_line_timeout: 2s
request_timeout: 10s
compression: gzip
inputs:
  - name: app
    paths: ["/var/log/app/*.log"]
    exclude: ["*.gz"]
    start_at: end
    multiline: java
    labels: {service: app, env: prod}
    pipeline:
      - parse: {format: json}
  - name: job
    type: stdin
    multiline: {start: '^\d'}
)", "agent.yaml", "/tmp");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->server, "http://127.0.0.1:9999");
  EXPECT_EQ(c->tenant, "team-a");
  EXPECT_EQ(c->max_buffer_bytes, 64u << 20);
  EXPECT_EQ(c->batch_bytes, 512u << 10);
  EXPECT_EQ(c->partial_line_timeout, 2'000'000'000);
  EXPECT_EQ(c->request_timeout, 10'000'000'000);
  EXPECT_EQ(c->compression, Compression::kGzip);
  ASSERT_EQ(c->inputs.size(), 2u);
  EXPECT_EQ(c->inputs[0].exclude, std::vector<std::string>{"*.gz"});
  EXPECT_TRUE(c->inputs[0].start_at_end);
  ASSERT_TRUE(c->inputs[0].multiline.has_value());
  EXPECT_EQ(c->inputs[0].labels.size(), 2u);
  ASSERT_NE(c->inputs[0].pipeline, nullptr);
  EXPECT_EQ(c->inputs[0].pipeline->size(), 1u);
  EXPECT_EQ(c->inputs[1].type, InputType::kStdin);
  EXPECT_EQ(c->inputs[1].multiline->start, "^\\d");
}

TEST(AgentConfig, ErrorsNameFileLineColumn) {
  EXPECT_EQ(ConfigError("inputs:\n  - name: a\n    paths: [/x]\n    colour: red\n"),
            "agent.yaml:4:5: unknown key 'colour' in an input (known: name, type, paths, exclude, start_at, multiline, "
            "labels, tenant, pipeline)");
  EXPECT_EQ(ConfigError("servr: http://x\ninputs: []\n").substr(0, 30), "agent.yaml:1:1: unknown key 's");
  EXPECT_EQ(ConfigError("inputs:\n  - paths: {a: b}\n"), "agent.yaml:2:12: 'paths' must be a list of strings");
  EXPECT_EQ(ConfigError("inputs:\n  - paths: [/x]\n    start_at: middle\n"),
            "agent.yaml:3:15: 'start_at' must be beginning or end");
  EXPECT_EQ(ConfigError("inputs:\n  - paths: [relative/*.log]\n"),
            "agent.yaml:2:12: input 'input1': paths must be absolute, got 'relative/*.log'");
  EXPECT_EQ(ConfigError("inputs:\n  - name: a\n"), "agent.yaml:2:5: input 'a': a file input needs 'paths'");
  EXPECT_EQ(ConfigError("inputs:\n  - paths: [/x]\n    multiline: cobol\n").substr(0, 29), "agent.yaml:3:16: 'multiline':");
  EXPECT_EQ(ConfigError("max_buffer_size: lots\ninputs:\n  - paths: [/x]\n"),
            "agent.yaml:1:18: 'max_buffer_size': expected a size such as 64MiB or 1GB, got 'lots'");
  EXPECT_EQ(ConfigError("inputs:\n  - {name: a, paths: [/x]}\n  - {name: a, paths: [/y]}\n"),
            "agent.yaml:3:5: two inputs are named 'a'");
  EXPECT_EQ(ConfigError("inputs: [\n"), "agent.yaml:2:1: end of sequence flow not found");
  EXPECT_EQ(ConfigError("server: http://x\n"), "agent.yaml:1:1: the configuration has no inputs");
}

TEST(AgentConfig, ProcessorsAreCheckedByThePipelineLoader) {
  // The same messages as the server's --config: one loader.
  EXPECT_EQ(ConfigError("inputs:\n  - paths: [/x]\n    pipeline:\n      - parse: {formt: json}\n").substr(0, 48),
            "agent.yaml:4:17: parse: unknown option 'formt' (");
  EXPECT_EQ(ConfigError("inputs:\n  - paths: [/x]\n    pipeline:\n      - frobnicate: {}\n").substr(0, 46),
            "agent.yaml:4:9: unknown processor 'frobnicate'");
}

// ---------------------------------------------------------------------------------------------
// The tailer

struct Lines {
  std::vector<std::string> text;
  std::vector<uint64_t> ends;
  FileTailer::LineSink Sink() {
    return [this](std::string_view line, uint64_t, uint64_t end) {
      text.emplace_back(line);
      ends.push_back(end);
    };
  }
};

TEST(FileTailer, ReadsAppendedLinesAndHoldsAPartialOne) {
  TempDir dir;
  dir.Append("a.log", "one\ntwo\r\nthr");
  auto t = FileTailer::Open(dir.File("a.log"));
  ASSERT_TRUE(t.ok());
  Lines got;
  ASSERT_EQ(t.value()->Read(1 << 20, 0, got.Sink()).value(), 12u);
  EXPECT_EQ(got.text, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(got.ends, (std::vector<uint64_t>{4, 9}));
  EXPECT_TRUE(t.value()->holding_partial());
  dir.Append("a.log", "ee\nfour\n");
  ASSERT_EQ(t.value()->Read(1 << 20, 0, got.Sink()).value(), 8u);
  EXPECT_EQ(got.text, (std::vector<std::string>{"one", "two", "three", "four"}));
  EXPECT_EQ(got.ends.back(), 20u);
  EXPECT_EQ(t.value()->Read(1 << 20, 0, got.Sink()).value(), 0u);
}

TEST(FileTailer, APartialLineGoesWholeAfterItsTimeout) {
  TempDir dir;
  dir.Append("a.log", "last words");
  auto t = FileTailer::Open(dir.File("a.log"));
  ASSERT_TRUE(t.ok());
  Lines got;
  ASSERT_TRUE(t.value()->Read(1 << 20, 100, got.Sink()).ok());
  t.value()->FlushPartial(100 + 4, 5, got.Sink());
  EXPECT_TRUE(got.text.empty());
  t.value()->FlushPartial(100 + 5, 5, got.Sink());
  EXPECT_EQ(got.text, std::vector<std::string>{"last words"});
  EXPECT_EQ(got.ends, std::vector<uint64_t>{10});
  EXPECT_FALSE(t.value()->holding_partial());
}

TEST(FileTailer, KeepsReadingARenamedFile) {
  TempDir dir;
  dir.Append("a.log", "1\n");
  auto t = FileTailer::Open(dir.File("a.log"));
  ASSERT_TRUE(t.ok());
  Lines got;
  ASSERT_TRUE(t.value()->Read(1 << 20, 0, got.Sink()).ok());
  fs::rename(dir.File("a.log"), dir.File("a.log.1"));
  dir.Append("a.log.1", "2\n");  // the writer still had the old file open
  dir.Append("a.log", "new\n");
  ASSERT_TRUE(t.value()->Read(1 << 20, 0, got.Sink()).ok());
  EXPECT_EQ(got.text, (std::vector<std::string>{"1", "2"}));
}

TEST(FileTailer, StartsAgainAfterCopytruncate) {
  TempDir dir;
  dir.Append("a.log", "first line of the old file\nsecond\n");
  auto t = FileTailer::Open(dir.File("a.log"));
  ASSERT_TRUE(t.ok());
  Lines got;
  ASSERT_TRUE(t.value()->Read(1 << 20, 0, got.Sink()).ok());
  fs::resize_file(dir.File("a.log"), 0);
  dir.Append("a.log", "x\n");  // shorter than what was read
  ASSERT_TRUE(t.value()->Read(1 << 20, 0, got.Sink()).ok());
  EXPECT_EQ(got.text.back(), "x");
  EXPECT_EQ(t.value()->truncations(), 1u);
  // Truncated and rewritten past the old offset before the tailer looked: the first bytes differ.
  fs::resize_file(dir.File("a.log"), 0);
  dir.Append("a.log", "a different beginning, and longer than before\n");
  ASSERT_TRUE(t.value()->Read(1 << 20, 0, got.Sink()).ok());
  EXPECT_EQ(got.text.back(), "a different beginning, and longer than before");
  EXPECT_EQ(t.value()->truncations(), 2u);
}

TEST(FileTailer, SplitsARunawayLine) {
  TempDir dir;
  dir.Append("a.log", std::string(kMaxLineBytes + 10, 'x') + "\n");
  auto t = FileTailer::Open(dir.File("a.log"));
  ASSERT_TRUE(t.ok());
  Lines got;
  ASSERT_TRUE(t.value()->Read(4u << 20, 0, got.Sink()).ok());
  ASSERT_EQ(got.text.size(), 2u);
  EXPECT_EQ(got.text[0].size(), kMaxLineBytes);
  EXPECT_EQ(got.text[1].size(), 10u);
  EXPECT_EQ(got.ends.back(), kMaxLineBytes + 11);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

TEST(AgentState, SavesAndFindsCheckpointsByInodeAndFirstBytes) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto s = AgentState::Open(&env, "/d/state");
  ASSERT_TRUE(s.ok());
  s.value()->SetAcked({3, 77});
  s.value()->Put({"app", MakeIdentity(1, 42, "2026-01-01 first line\n"), 22, "/var/log/my app.log"});
  ASSERT_TRUE(s.value()->Save().ok());
  auto crashed = env.CrashCopy();
  auto r = AgentState::Open(crashed.get(), "/d/state");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value()->acked(), (BufferPosition{3, 77}));
  auto c = r.value()->Find("app", 1, 42, "2026-01-01 first line\nand more since");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->offset, 22u);
  EXPECT_EQ(c->path, "/var/log/my app.log");
  // The inode of a deleted file, given to a new one: other first bytes, no checkpoint.
  EXPECT_FALSE(r.value()->Find("app", 1, 42, "2026-01-02 another file\n").has_value());
  EXPECT_FALSE(r.value()->Find("app", 1, 42, "2026").has_value());
  EXPECT_FALSE(r.value()->Find("other", 1, 42, "2026-01-01 first line\n").has_value());
  r.value()->Retain("app", {});
  EXPECT_TRUE(r.value()->Checkpoints().empty());
}

TEST(AgentState, DamageIsCorruptionNamingTheLine) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  ASSERT_TRUE(env.WriteFileAtomic("/d/state", "sawlog-agent-state 1\nacked x 1\n").ok());
  auto s = AgentState::Open(&env, "/d/state");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorruption);
  EXPECT_EQ(s.status().message(), "/d/state line 2: cannot read 'acked x 1'");
}

// An input over the *.log files of a temp directory, its checkpoints in memory.
struct InputFixture {
  TempDir dir;
  testing::MemEnv env;
  std::unique_ptr<AgentState> state;
  InputConfig config;
  explicit InputFixture(const std::string& name) {
    EXPECT_TRUE(env.CreateDirs("/d").ok());
    state = std::move(AgentState::Open(&env, "/d/state").value());
    config.name = name;
    config.paths = {dir.File("*.log")};
  }
};

TEST(Input, ResumesFromTheCheckpointAndFollowsARotation) {
  InputFixture fx("app");
  auto& [dir, env, state, config] = fx;
  config.labels = {{"service", "app"}};
  dir.Append("a.log", "1\n2\n");
  auto read_all = [&](Input& in, int64_t now) {
    InputBatch batch;
    in.Scan(now);
    in.Read(1 << 20, now, &batch);
    in.Flush(now, false, &batch);
    in.Commit(batch);
    std::vector<std::string> msgs;
    for (const auto& e : batch.events) msgs.push_back(e.msg);
    return std::make_pair(msgs, batch);
  };
  {
    Input in(config, state.get(), kDefaultPartialLineTimeout);
    auto [msgs, batch] = read_all(in, 1);
    EXPECT_EQ(msgs, (std::vector<std::string>{"1", "2"}));
    ASSERT_EQ(batch.events.size(), 2u);
    EXPECT_EQ(batch.events[0].stream, "{service=\"app\"}");
    EXPECT_EQ(*batch.events[0].Find("file"), dir.File("a.log"));
    EXPECT_EQ(*batch.events[0].Find("service"), "app");
  }
  dir.Append("a.log", "3\n");
  {
    Input in(config, state.get(), kDefaultPartialLineTimeout);  // a restart: from the checkpoint
    EXPECT_EQ(read_all(in, 2).first, std::vector<std::string>{"3"});
    // Rotation by rename: the old file gets its last line, then the new file is followed.
    fs::rename(dir.File("a.log"), dir.File("a.log.1"));
    dir.Append("a.log.1", "4\n");
    dir.Append("a.log", "5\n");
    auto msgs = read_all(in, 3).first;
    std::sort(msgs.begin(), msgs.end());
    EXPECT_EQ(msgs, (std::vector<std::string>{"4", "5"}));
    EXPECT_EQ(in.files(), 1u + 1u);  // the rotated one is kept a while
    read_all(in, 3 + kReleaseAfter);
    EXPECT_EQ(in.files(), 1u);
    EXPECT_EQ(state->Checkpoints().size(), 1u);
  }
}

TEST(Input, StartAtEndAppliesOnlyToFilesFoundAtStartUp) {
  InputFixture fx("app");
  auto& [dir, env, state, config] = fx;
  config.start_at_end = true;
  dir.Append("old.log", "before the agent\n");
  Input in(config, state.get(), kDefaultPartialLineTimeout);
  InputBatch batch;
  in.Scan(0);
  dir.Append("old.log", "after\n");
  dir.Append("new.log", "a new file\n");
  in.Scan(1);
  in.Read(1 << 20, 1, &batch);
  std::vector<std::string> msgs;
  for (const auto& e : batch.events) msgs.push_back(e.msg);
  std::sort(msgs.begin(), msgs.end());
  EXPECT_EQ(msgs, (std::vector<std::string>{"a new file", "after"}));
}

TEST(Input, JoinsMultilineEventsAndCheckpointsBeforeWhatItHolds) {
  InputFixture fx("java");
  auto& [dir, env, state, config] = fx;
  config.multiline = MultilineRule{"^\\d", ""};
  dir.Append("a.log", "1 error\n  at x\n  at y\n2 next\n");
  Input in(config, state.get(), kDefaultPartialLineTimeout);
  InputBatch batch;
  in.Scan(0);
  in.Read(1 << 20, 0, &batch);
  in.Flush(0, false, &batch);
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].msg, "1 error\n  at x\n  at y");
  ASSERT_EQ(batch.checkpoints.size(), 1u);
  EXPECT_EQ(batch.checkpoints[0].offset, 22u);  // "2 next" is held: a restart reads it again
  InputBatch later;
  in.Flush(kDefaultMultilineFlushTimeout, false, &later);
  ASSERT_EQ(later.events.size(), 1u);
  EXPECT_EQ(later.events[0].msg, "2 next");
  EXPECT_EQ(later.checkpoints[0].offset, 29u);
}

// ---------------------------------------------------------------------------------------------
// The disk buffer

std::vector<std::string> Drain(DiskBuffer& b) {
  std::vector<std::string> out;
  std::string payload;
  BufferPosition end;
  while (b.Next(0, &payload, &end).ok()) {
    out.push_back(payload);
    EXPECT_TRUE(b.Ack(end).ok());
  }
  return out;
}

TEST(DiskBuffer, RecordsSurviveACrashAndATornTailIsCut) {
  testing::MemEnv env;
  {
    auto b = DiskBuffer::Open(&env, "/d/buffer", 1 << 20, {});
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(b.value()->Append("one").ok());
    ASSERT_TRUE(b.value()->Append("two").ok());
    env.SetWriteBudget(kBufferHeaderSize + 2);  // the third is torn mid-payload
    EXPECT_FALSE(b.value()->Append("three").ok());
  }
  auto crashed = env.CrashCopy();
  auto b = DiskBuffer::Open(crashed.get(), "/d/buffer", 1 << 20, {});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b.value()->unsent_records(), 2u);
  EXPECT_EQ(Drain(*b.value()), (std::vector<std::string>{"one", "two"}));
}

TEST(DiskBuffer, DamageIsNeverHandedOut) {
  testing::MemEnv env;
  {
    auto b = DiskBuffer::Open(&env, "/d/buffer", 1 << 20, {});
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(b.value()->Append("good").ok());
    ASSERT_TRUE(b.value()->Append("flipped").ok());
  }
  std::string* data = env.FileData("/d/buffer/0000000000000001.seg");
  ASSERT_NE(data, nullptr);
  data->back() ^= 1;
  auto b = DiskBuffer::Open(&env, "/d/buffer", 1 << 20, {});
  ASSERT_TRUE(b.ok());
  ASSERT_NE(env.FileData("/d/buffer/0000000000000001.seg"), nullptr);
  EXPECT_EQ(env.FileData("/d/buffer/0000000000000001.seg")->size(), kBufferHeaderSize + 4);  // cut
  EXPECT_EQ(Drain(*b.value()), std::vector<std::string>{"good"});
}

TEST(DiskBuffer, SkipsWhatWasAckedAndDeletesSentSegments) {
  testing::MemEnv env;
  BufferPosition after_first;
  {
    auto b = DiskBuffer::Open(&env, "/d/buffer", 1 << 20, {});
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(b.value()->Append("a").ok());
    ASSERT_TRUE(b.value()->Append("b").ok());
    std::string payload;
    ASSERT_TRUE(b.value()->Next(0, &payload, &after_first).ok());
    ASSERT_TRUE(b.value()->Ack(after_first).ok());
  }
  auto b = DiskBuffer::Open(&env, "/d/buffer", 1 << 20, after_first);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Drain(*b.value()), std::vector<std::string>{"b"});
  ASSERT_TRUE(b.value()->Append("c").ok());
  EXPECT_EQ(Drain(*b.value()), std::vector<std::string>{"c"});
  // Only the segment being written is left.
  EXPECT_EQ(env.GetChildren("/d/buffer").value(), std::vector<std::string>{"0000000000000002.seg"});
}

TEST(DiskBuffer, AFullBufferRefusesUntilSent) {
  testing::MemEnv env;
  auto b = DiskBuffer::Open(&env, "/d/buffer", 100, {});
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b.value()->Append(std::string(200, 'x')).ok());  // into an empty buffer: always taken
  EXPECT_EQ(b.value()->Append("y").code(), Code::kResourceExhausted);
  Drain(*b.value());
  EXPECT_TRUE(b.value()->Append("y").ok());
}

TEST(Shipment, RoundTripsAndRefusesDamage) {
  auto s = MakeShipment("t1", "service", 1, "{\"_msg\":\"x\"}\n", Compression::kZstd);
  ASSERT_TRUE(s.ok());
  auto d = DecodeShipment(EncodeShipment(*s));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tenant, "t1");
  EXPECT_EQ(d->stream_fields, "service");
  EXPECT_EQ(d->encoding, "zstd");
  EXPECT_EQ(d->body, s->body);
  std::string bad = EncodeShipment(*s);
  bad.pop_back();
  EXPECT_EQ(DecodeShipment(bad).status().code(), Code::kCorruption);
  std::vector<Event> events(1);
  events[0].time = 1'700'000'000'123'456'789;
  events[0].msg = "a \"quoted\" line";
  events[0].fields = {{"level", "info"}, {"_msg", "shadowed"}};
  std::string ndjson;
  AppendNdjson(events, &ndjson);
  EXPECT_EQ(ndjson, "{\"_time\":\"2023-11-14T22:13:20.123456789Z\",\"_msg\":\"a \\\"quoted\\\" line\",\"level\":\"info\"}\n");
}

// ---------------------------------------------------------------------------------------------
// The whole agent against a fake server

TEST(Agent, RetriesAnUnavailableServerAndDropsRefusedData) {
  SetLogEnabled(false);
  TempDir dir;
  dir.Append("a.log", "one\ntwo\n");
  AgentConfig config;
  config.data_dir = dir.File("state");
  config.compression = Compression::kNone;
  config.max_buffer_bytes = 1;  // one batch at a time: the input pauses while the server is away
  InputConfig in;
  in.name = "app";
  in.paths = {dir.File("*.log")};
  config.inputs = {in};
  std::mutex mu;
  std::vector<std::string> bodies;
  std::atomic<int> calls{0};
  Agent* running = nullptr;
  auto post = [&](const std::string& target, const std::vector<std::pair<std::string, std::string>>&,
                  std::string body) -> Result<HttpReply> {
    EXPECT_EQ(target, "/api/v1/ingest");
    int n = ++calls;
    if (n == 1) return Status::Unavailable("connection refused");
    if (n == 2) return HttpReply{503, "busy", "0"};
    std::lock_guard l(mu);
    bodies.push_back(body);
    if (bodies.size() == 1) dir.Append("a.log", "three\nfour\n");
    if (bodies.size() == 2) {
      running->Stop();
      return HttpReply{400, "{\"accepted\":0,\"rejected_count\":1}", ""};
    }
    return HttpReply{200, "{\"accepted\":2,\"rejected_count\":0,\"rejected\":[]}", ""};
  };
  auto a = Agent::Open(Env::Default(), config, post);
  ASSERT_TRUE(a.ok()) << a.status().message();
  running = a.value().get();
  ASSERT_TRUE(running->Run().ok());
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_NE(bodies[0].find("\"_msg\":\"one\""), std::string::npos);
  EXPECT_NE(bodies[0].find("\"_msg\":\"two\""), std::string::npos);
  EXPECT_NE(bodies[1].find("\"_msg\":\"three\""), std::string::npos);
  EXPECT_NE(bodies[1].find("\"_msg\":\"four\""), std::string::npos);
  EXPECT_EQ(running->counters().events_sent, 2u);
  EXPECT_EQ(running->counters().events_rejected, 2u);
  EXPECT_EQ(running->counters().send_failures, 2u);
  a.value().reset();
  // After a restart nothing is sent again: the state says all was delivered.
  auto again = Agent::Open(Env::Default(), config, [&](auto&, auto&, std::string) -> Result<HttpReply> {
    ADD_FAILURE() << "sent again";
    return HttpReply{200, "", ""};
  });
  ASSERT_TRUE(again.ok());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // not a timing assertion: a run of a few polls
    again.value()->Stop();
  });
  EXPECT_TRUE(again.value()->Run().ok());
  stopper.join();
  EXPECT_EQ(again.value()->counters().events_read, 0u);
}

}  // namespace
}  // namespace sawlog::agent
