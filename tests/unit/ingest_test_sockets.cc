// The socket receivers (syslog, lines), fed bytes the way a connection delivers them: the
// data-driven cases of tests/data/ingest/*.test (README.md there), and what data cannot say.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"
#include "core/timestamp.h"
#include "ingest/socket_receivers.h"
#include "ingest/syslog/syslog.h"

namespace sawlog {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'781'524'800LL * kNanosPerSecond;  // 2026-06-15T12:00:00Z
const PeerInfo kPeer{"192.0.2.7:40000", false};

// An event as the .test files write it: {"_time":…,"_stream":…,"_msg":…,fields…}.
std::string EventJson(const Event& e) {
  std::string s = "{\"_time\":";
  AppendJsonString(&s, FormatRfc3339Nano(e.time));
  s += ",\"_stream\":";
  AppendJsonString(&s, e.stream);
  s += ",\"_msg\":";
  AppendJsonString(&s, e.msg);
  for (const auto& f : e.fields) {
    s += ',';
    AppendJsonString(&s, f.name);
    s += ':';
    AppendJsonString(&s, f.value);
  }
  return s + "}";
}

// Everything a batch says, one line each, in the .test files' words.
std::vector<std::string> Describe(const SocketBatch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.events) out.push_back("event " + EventJson(e));
  for (const auto& e : b.errors) out.push_back("error " + e);
  if (b.close) out.push_back("close");
  return out;
}

void Append(SocketBatch* to, SocketBatch&& from) {
  for (auto& e : from.events) to->events.push_back(std::move(e));
  for (auto& e : from.errors) to->errors.push_back(std::move(e));
  to->close |= from.close;
}

const SocketReceiverKind& Kind(std::string_view spec) {
  const SocketReceiverKind* kind = FindSocketReceiverKind(spec);
  EXPECT_NE(kind, nullptr) << spec;
  return *kind;
}

// Feeds `stream` in pieces of `piece` bytes (0: all at once), then finishes.
SocketBatch RunStream(const StreamReceiver& receiver, std::string_view stream, size_t piece) {
  auto session = receiver.NewSession(kPeer);
  SocketBatch all;
  for (size_t pos = 0; pos < stream.size() || (pos == 0 && stream.empty());) {
    size_t n = piece == 0 ? stream.size() : std::min(piece, stream.size() - pos);
    SocketBatch b;
    session->Feed(stream.substr(pos, n), kNow, &b);
    Append(&all, std::move(b));
    pos += n;
    if (n == 0) break;
  }
  SocketBatch b;
  session->Finish(kNow, &b);
  Append(&all, std::move(b));
  return all;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    if (c == 'n') out += '\n';
    else if (c == 'r') out += '\r';
    else if (c == 't') out += '\t';
    else if (c == '0') out += '\0';
    else if (c == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else out += c;
  }
  return out;
}

struct Case {
  std::string where;  // file:line
  std::string spec;
  size_t max_event_bytes = 2u << 20;
  std::vector<std::string> inputs;  // the stream's pieces, or the datagrams
  std::vector<std::string> expected;
};

void RunCase(const Case& c) {
  SCOPED_TRACE(c.where);
  const SocketReceiverKind& kind = Kind(c.spec);
  SocketReceiverSettings settings;
  settings.max_event_bytes = c.max_event_bytes;
  SocketBatch got;
  std::unique_ptr<StreamReceiver> receiver;
  if (kind.make_datagram) {
    auto datagrams = kind.make_datagram(settings);
    for (const auto& d : c.inputs) datagrams->Decode(d, kPeer, kNow, &got);
  } else {
    receiver = kind.make_stream(settings);
    auto session = receiver->NewSession(kPeer);
    for (const auto& piece : c.inputs) {
      SocketBatch b;
      session->Feed(piece, kNow, &b);
      Append(&got, std::move(b));
    }
    SocketBatch last;
    session->Finish(kNow, &last);
    Append(&got, std::move(last));
  }
  std::vector<std::string> described = Describe(got);
  if (described != c.expected) {
    std::string s;
    for (const auto& l : described) s += l + "\n";
    ADD_FAILURE() << "got:\n" << s;
  }
  if (!receiver) return;
  // The same stream all at once, byte by byte and in odd pieces: framing must not depend on how
  // the bytes arrive.
  std::string whole;
  for (const auto& piece : c.inputs) whole += piece;
  EXPECT_TRUE(Describe(RunStream(*receiver, whole, 0)) == described) << "differs when fed at once";
  EXPECT_TRUE(Describe(RunStream(*receiver, whole, 1)) == described) << "differs when fed byte by byte";
  EXPECT_TRUE(Describe(RunStream(*receiver, whole, 7)) == described) << "differs when fed 7 bytes at a time";
}

void RunFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << path;
  Case c;
  bool open = false;
  std::string line;
  size_t number = 0;
  auto finish = [&] {
    if (open) RunCase(c);
    open = false;
    c.inputs.clear();
    c.expected.clear();
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.starts_with('#')) continue;
    if (line.empty()) {
      finish();
      continue;
    }
    size_t space = line.find(' ');
    std::string key = line.substr(0, space);
    std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (!open && (key == "input" || key == "input-esc" || key == "input-file")) {
      open = true;
      c.where = path.filename().string() + ":" + std::to_string(number);
    }
    if (key == "receiver") c.spec = value;
    else if (key == "max") c.max_event_bytes = std::stoul(value);
    else if (key == "input") c.inputs.push_back(value);
    else if (key == "input-esc") c.inputs.push_back(Unescape(value));
    else if (key == "input-file") {
      std::string file = SAWLOG_SHARED_DATA_DIR + value.substr(value.find('/'));
      if (!fs::exists(file)) GTEST_SKIP() << file << " is missing";
      std::ifstream f(file, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      c.inputs.push_back(ss.str());
    } else if (key == "event" || key == "error" || key == "close") c.expected.push_back(line);
    else FAIL() << path << ":" << number << ": unknown line '" << key << "'";
  }
  finish();
}

std::vector<std::string> Messages(const SocketBatch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.events) out.push_back(e.msg);
  return out;
}

std::unique_ptr<StreamSession> LinesSession(size_t max_event_bytes = 2u << 20) {
  SocketReceiverSettings s;
  s.max_event_bytes = max_event_bytes;
  return FindSocketReceiverKind("lines/tcp")->make_stream(s)->NewSession(PeerInfo{.address = "127.0.0.1:1"});
}

TEST(LinesReceiver, LinesSplitAcrossReadsAreJoinedAndTheLastIsKeptAtTheEnd) {
  auto s = LinesSession();
  SocketBatch b;
  s->Feed("one\r\ntw", kNow, &b);
  s->Feed("o\n\n  \nthr", kNow, &b);
  EXPECT_EQ(Messages(b), (std::vector<std::string>{"one", "two"}));
  s->Finish(kNow, &b);
  EXPECT_EQ(Messages(b), (std::vector<std::string>{"one", "two", "thr"}));
  EXPECT_TRUE(b.errors.empty());
}

TEST(LinesReceiver, JsonObjectsAreDecodedAndBadJsonIsKeptAsText) {
  auto s = LinesSession();
  SocketBatch b;
  s->Feed("{\"_msg\":\"hi\",\"_time\":\"2026-11-20T10:00:00Z\",\"k\":\"v\"}\n{broken\n", kNow, &b);
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[0].msg, "hi");
  EXPECT_EQ(b.events[0].time, 1'795'168'800'000'000'000);
  ASSERT_EQ(b.events[0].fields.size(), 1u);
  EXPECT_EQ(b.events[0].fields[0], (Field{"k", "v"}));
  EXPECT_EQ(b.events[1].msg, "{broken");
  EXPECT_EQ(b.events[1].time, kNow);
}

TEST(LinesReceiver, ALineOverTheLimitIsSkippedToItsEndWithAnError) {
  auto s = LinesSession(10);
  SocketBatch b;
  s->Feed("short\n0123456789", kNow, &b);
  s->Feed("abcdef", kNow, &b);
  s->Feed("xyz\nafter\n", kNow, &b);
  EXPECT_EQ(Messages(b), (std::vector<std::string>{"short", "after"}));
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0], "lines frame at byte 6: line longer than the limit of 10 bytes: skipped up to its end");
}

TEST(SocketReceiverKinds, EveryKindHasOneMakerForItsTransport) {
  for (const auto& k : SocketReceiverKinds()) {
    EXPECT_EQ(k.transport == "udp", k.make_datagram != nullptr) << k.spec;
    EXPECT_EQ(k.transport != "udp", k.make_stream != nullptr) << k.spec;
    EXPECT_EQ(FindSocketReceiverKind(k.spec), &k);
  }
  EXPECT_EQ(FindSocketReceiverKind("nosuch/tcp"), nullptr);
}

TEST(SocketReceiverFiles, Syslog) { RunFile(SAWLOG_TEST_DATA "/ingest/syslog.test"); }
TEST(SocketReceiverFiles, SyslogRsyslogFraming) { RunFile(SAWLOG_TEST_DATA "/ingest/syslog_rsyslog_framing.test"); }
TEST(SocketReceiverFiles, Lines) { RunFile(SAWLOG_TEST_DATA "/ingest/lines.test"); }

TEST(SocketReceiverKinds, SpecsAndDefaultPorts) {
  EXPECT_EQ(Kind("syslog/udp").default_port, 514);
  EXPECT_NE(Kind("syslog/udp").make_datagram, nullptr);
  EXPECT_EQ(Kind("syslog/tcp").default_port, 514);
  EXPECT_EQ(Kind("syslog/tls").default_port, 6514);
  EXPECT_EQ(Kind("lines/tcp").default_port, 5170);
  EXPECT_EQ(Kind("lines/tcp").transport, "tcp");
  EXPECT_EQ(FindSocketReceiverKind("syslog"), nullptr);
}

TEST(SyslogSession, FrameSplitAcrossFeedsIsDecodedOnceComplete) {
  auto receiver = Kind("syslog/tcp").make_stream({});
  auto session = receiver->NewSession(kPeer);
  SocketBatch b;
  session->Feed("2", kNow, &b);
  session->Feed("5 <13>1 - h app - - - hel", kNow, &b);
  EXPECT_TRUE(b.events.empty());
  session->Feed("lo<14>Oct 11 22:14:15 h2 su: x\n", kNow, &b);
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[0].msg, "hello");
  EXPECT_EQ(b.events[1].msg, "x");
  EXPECT_TRUE(b.errors.empty());
}

TEST(SyslogSession, NothingIsDecodedAfterAnUnrecoverableFrame) {
  SocketReceiverSettings settings;
  settings.max_event_bytes = 100;
  auto session = Kind("syslog/tcp").make_stream(settings)->NewSession(kPeer);
  SocketBatch b;
  session->Feed("101 <13>", kNow, &b);
  EXPECT_TRUE(b.close);
  ASSERT_EQ(b.errors.size(), 1u);
  SocketBatch after;
  session->Feed("<13>fine\n", kNow, &after);
  session->Finish(kNow, &after);
  EXPECT_TRUE(after.events.empty());
}

TEST(SyslogMessageDecoder, StreamIsCachedPerHostAndApp) {
  syslog::MessageDecoder d;
  Event a, b, c;
  ASSERT_TRUE(d.Decode("<13>1 - h1 app1 - - - m", "10.0.0.1", kNow, &a).ok());
  ASSERT_TRUE(d.Decode("<13>1 - h1 app2 - - - m", "10.0.0.1", kNow, &b).ok());
  ASSERT_TRUE(d.Decode("<13>1 - - - - - - m", "10.0.0.1", kNow, &c).ok());
  EXPECT_EQ(a.stream, "{app_name=\"app1\",hostname=\"h1\"}");
  EXPECT_EQ(b.stream, "{app_name=\"app2\",hostname=\"h1\"}");
  EXPECT_EQ(c.stream, "{hostname=\"10.0.0.1\"}");
}

// A relay's connection: more hosts than the cache holds, each seen again after it has grown and
// after it has started over.
TEST(SyslogMessageDecoder, StreamsStayRightPastTheCacheLimit) {
  syslog::MessageDecoder d;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 5000; ++i) {
      Event e;
      const std::string host = "h" + std::to_string(i);
      ASSERT_TRUE(d.Decode("<13>1 - " + host + " app - - - m", "10.0.0.1", kNow, &e).ok());
      ASSERT_EQ(e.stream, "{app_name=\"app\",hostname=\"" + host + "\"}");
    }
}

TEST(SyslogPeerHost, TakesTheAddressWithoutPort) {
  EXPECT_EQ(syslog::PeerHost("192.0.2.1:514"), "192.0.2.1");
  EXPECT_EQ(syslog::PeerHost("[2001:db8::1]:514"), "2001:db8::1");
  EXPECT_EQ(syslog::PeerHost("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(syslog::PeerHost("host"), "host");
}

}  // namespace
}  // namespace sawlog
