// GELF: the message cases of tests/data/gelf/messages.test (format: README.md there), the
// specification's own examples, chunk reassembly, UDP compression and TCP framing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/timestamp.h"
#include "ingest/gelf/gelf.h"
#include "ingest/ingest.h"
#include "ingest/receivers.h"
#include "ingest/socket_receivers.h"
#include "testing/deflate.h"
#include "testing/read_lines.h"

namespace sawlog {
namespace {

namespace fs = std::filesystem;

const int64_t kNow = ParseRfc3339("2026-06-15T12:00:00Z").value();

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
      out.push_back(s[++i] == 'n' ? '\n' : '\\');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

struct Case {
  size_t line = 0;
  std::string input;
  Event want;
  std::string error;
};

std::vector<Case> LoadCases(const fs::path& path) {
  std::vector<Case> cases;
  size_t n = 0;
  bool open = false;
  for (const std::string& line : testing::ReadLines(path)) {
    ++n;
    if (line.empty()) {
      open = false;
      continue;
    }
    if (line[0] == '#') continue;
    const size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "input") {
      cases.push_back({n, value, {}, ""});
      cases.back().want.time = cases.back().want.ingest_time = kNow;
      cases.back().want.stream = "{}";
      open = true;
      continue;
    }
    EXPECT_TRUE(open) << path << ":" << n << ": '" << key << "' outside a case";
    if (!open) continue;
    Event& e = cases.back().want;
    if (key == "msg") e.msg = Unescape(value);
    else if (key == "time") e.time = ParseRfc3339(value).value();
    else if (key == "stream") e.stream = value;
    else if (key == "field") e.fields.push_back({value.substr(0, value.find('=')), Unescape(value.substr(value.find('=') + 1))});
    else if (key == "error") cases.back().error = value;
    else ADD_FAILURE() << path << ":" << n << ": unknown key '" << key << "'";
  }
  return cases;
}

TEST(GelfMessage, DataDrivenCases) {
  const fs::path path = fs::path(SAWLOG_TEST_DATA) / "gelf" / "messages.test";
  JsonParser parser;
  const auto cases = LoadCases(path);
  ASSERT_GT(cases.size(), 10u);
  for (const Case& c : cases) {
    SCOPED_TRACE(path.string() + ":" + std::to_string(c.line));
    auto got = gelf::DecodeMessage(c.input, kNow, &parser);
    if (!c.error.empty()) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), Code::kInvalidArgument);
      EXPECT_NE(got.status().message().find(c.error), std::string::npos) << got.status().message();
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->msg, c.want.msg);
    EXPECT_EQ(FormatRfc3339Nano(got->time), FormatRfc3339Nano(c.want.time));
    EXPECT_EQ(got->ingest_time, kNow);
    EXPECT_EQ(got->stream, c.want.stream);
    EXPECT_EQ(got->fields, c.want.fields);
  }
}

// The specification's example payload (an indented block after "Example payload") and the JSON
// of its netcat and curl examples all decode.
TEST(GelfMessage, SpecificationExamples) {
  const fs::path spec = fs::path(SAWLOG_SHARED_DATA_DIR) / "vectors" / "gelf" / "gelf.rst";
  if (!fs::exists(spec)) GTEST_SKIP() << spec << " is missing";
  const auto lines = testing::ReadLines(spec);
  std::vector<std::string> examples;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "Example payload") {
      std::string block;
      size_t j = i + 1;
      while (j < lines.size() && lines[j] != "  {") ++j;
      for (; j < lines.size() && !lines[j].empty(); ++j) block += lines[j] + "\n";
      examples.push_back(block);
    }
    const size_t open = lines[i].find("'{ ");
    if (open != std::string::npos) examples.push_back(lines[i].substr(open + 1, lines[i].find("}'", open) - open));
  }
  ASSERT_EQ(examples.size(), 4u);
  JsonParser parser;
  auto payload = gelf::DecodeMessage(examples[0], kNow, &parser);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString() << "\n" << examples[0];
  EXPECT_EQ(payload->msg, "A short message that helps you identify what is going on");
  EXPECT_EQ(payload->stream, "{host=\"example.org\"}");
  EXPECT_EQ(FormatRfc3339Nano(payload->time), "2013-11-21T17:11:02.307200000Z");
  EXPECT_EQ(*payload->Find("user_id"), "9001");
  EXPECT_EQ(*payload->Find("full_message"), "Backtrace here\n\nmore stuff");
  for (size_t i = 1; i < examples.size(); ++i) {
    auto e = gelf::DecodeMessage(examples[i], kNow, &parser);
    ASSERT_TRUE(e.ok()) << e.status().ToString() << "\n" << examples[i];
    EXPECT_EQ(e->msg, "A short message");
    EXPECT_EQ(*e->Find("level"), "5");
    EXPECT_EQ(*e->Find("some_info"), "foo");
  }
}

// Every flattened field repeats its path: a long key above many values must not multiply memory.
TEST(GelfMessage, LongKeyAboveManyValuesIsRefused) {
  std::string json = R"({"short_message":"x","_)" + std::string(2000, 'k') + R"(":{)";
  for (int i = 0; i < 100; ++i) json += (i ? ",\"" : "\"") + std::to_string(i) + "\":1";
  json += "}}";
  JsonParser parser;
  auto e = gelf::DecodeMessage(json, kNow, &parser);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("flattened fields exceed"), std::string::npos) << e.status().message();
}

// ---------------------------------------------------------------------------------------------
// UDP: compression and chunks

std::string Chunk(uint64_t id, int seq, int count, std::string_view data) {
  std::string out(gelf::kChunkMagic);
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(id >> (8 * i)));
  out.push_back(static_cast<char>(seq));
  out.push_back(static_cast<char>(count));
  out.append(data);
  return out;
}

std::vector<std::string> Split(const std::string& payload, uint64_t id, size_t size) {
  std::vector<std::string> chunks;
  const int count = static_cast<int>((payload.size() + size - 1) / size);
  for (int i = 0; i < count; ++i) chunks.push_back(Chunk(id, i, count, std::string_view(payload).substr(i * size, size)));
  return chunks;
}

struct Udp {
  std::unique_ptr<DatagramReceiver> rx = MakeGelfUdpReceiver(SocketReceiverSettings{});
  SocketBatch Send(const std::string& d, int64_t at = kNow, std::string sender = "10.0.0.1:5000") {
    SocketBatch b;
    rx->Decode(d, PeerInfo{sender, false}, at, &b);
    return b;
  }
};

const std::string kMessage = R"({"version":"1.1","host":"h","short_message":"hello","_n":1})";

TEST(GelfUdp, PlainGzipAndZlibDatagrams) {
  Udp udp;
  EXPECT_EQ(MakeGelfUdpReceiver(SocketReceiverSettings{})->name(), "gelf");
  for (const std::string& d : {kMessage, testing::Gzip(kMessage), testing::Zlib(kMessage)}) {
    SocketBatch b = udp.Send(d);
    ASSERT_EQ(b.events.size(), 1u) << (b.errors.empty() ? "" : b.errors[0]);
    EXPECT_EQ(b.events[0].msg, "hello");
    EXPECT_EQ(b.events[0].stream, "{host=\"h\"}");
    EXPECT_TRUE(b.errors.empty() && b.reply.empty() && !b.close);
  }
  SocketBatch bad = udp.Send(testing::Gzip(kMessage).substr(0, 20));
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_NE(bad.errors[0].find("10.0.0.1:5000"), std::string::npos) << bad.errors[0];
  EXPECT_NE(bad.errors[0].find("gzip"), std::string::npos) << bad.errors[0];
}

TEST(GelfUdp, ChunksOutOfOrderAndInterleavedAreReassembled) {
  Udp udp;
  const std::string big = R"({"short_message":")" + std::string(5000, 'x') + R"("})";
  const auto a = Split(testing::Gzip(big + " "), 1, 20);  // compressed, then chunked
  const auto b = Split(big, 2, 1000);
  ASSERT_GT(a.size(), 2u);
  ASSERT_EQ(b.size(), 6u);
  std::vector<Event> events;
  // b backwards, a forwards, interleaved; a duplicate of b's last chunk is ignored.
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    for (const std::string* d : {i < b.size() ? &b[b.size() - 1 - i] : nullptr, i < a.size() ? &a[i] : nullptr}) {
      if (d == nullptr) continue;
      SocketBatch batch = udp.Send(*d);
      EXPECT_TRUE(batch.errors.empty()) << batch.errors[0];
      for (auto& e : batch.events) events.push_back(std::move(e));
    }
  }
  EXPECT_TRUE(udp.Send(b[5]).events.empty());  // a late duplicate starts a new, incomplete message
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].msg, std::string(5000, 'x'));
  EXPECT_EQ(events[1].msg, std::string(5000, 'x'));
}

TEST(GelfUdp, SameIdFromTwoSendersAreTwoMessages) {
  Udp udp;
  const auto chunks = Split(kMessage, 7, 30);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_TRUE(udp.Send(chunks[0], kNow, "10.0.0.1:1").events.empty());
  EXPECT_TRUE(udp.Send(chunks[1], kNow, "10.0.0.2:1").events.empty());
  EXPECT_EQ(udp.Send(chunks[1], kNow, "10.0.0.1:1").events.size(), 1u);
  EXPECT_EQ(udp.Send(chunks[0], kNow, "10.0.0.2:1").events.size(), 1u);
}

TEST(GelfChunks, IncompleteMessagesExpireAfterFiveSecondsWithAnError) {
  gelf::ChunkAssembler chunks(1 << 20);
  std::string msg;
  std::vector<std::string> errors;
  EXPECT_FALSE(chunks.Add(Chunk(9, 0, 3, "ab"), "s:1", kNow, &msg, &errors));
  EXPECT_FALSE(chunks.Add(Chunk(9, 2, 3, "ef"), "s:1", kNow + 1, &msg, &errors));
  chunks.Expire(kNow + gelf::kChunkTimeoutNs - 1, &errors);
  EXPECT_EQ(chunks.pending_messages(), 1u);
  EXPECT_EQ(chunks.pending_bytes(), 4u);
  chunks.Expire(kNow + gelf::kChunkTimeoutNs, &errors);
  EXPECT_EQ(chunks.pending_messages(), 0u);
  EXPECT_EQ(chunks.pending_bytes(), 0u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("0000000000000009 from s:1"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("2 of 3 chunks"), std::string::npos) << errors[0];
  // The late chunk starts a message of its own, which never completes.
  EXPECT_FALSE(chunks.Add(Chunk(9, 1, 3, "cd"), "s:1", kNow + gelf::kChunkTimeoutNs, &msg, &errors));
}

TEST(GelfChunks, BadHeadersAndDisagreeingCountsAreErrors) {
  gelf::ChunkAssembler chunks(1 << 20);
  std::string msg;
  std::vector<std::string> errors;
  EXPECT_FALSE(chunks.Add(Chunk(1, 0, 0, "x"), "s", kNow, &msg, &errors));
  EXPECT_FALSE(chunks.Add(Chunk(1, 3, 3, "x"), "s", kNow, &msg, &errors));
  EXPECT_FALSE(chunks.Add(Chunk(1, 0, 129, "x"), "s", kNow, &msg, &errors));
  EXPECT_FALSE(chunks.Add(std::string(gelf::kChunkMagic) + "short", "s", kNow, &msg, &errors));
  EXPECT_FALSE(chunks.Add(Chunk(2, 0, 2, "x"), "s", kNow, &msg, &errors));
  EXPECT_FALSE(chunks.Add(Chunk(2, 1, 3, "y"), "s", kNow, &msg, &errors));
  EXPECT_EQ(errors.size(), 5u);
  EXPECT_TRUE(chunks.Add(Chunk(2, 1, 2, "y"), "s", kNow, &msg, &errors));
  EXPECT_EQ(msg, "xy");
  EXPECT_TRUE(chunks.Add(Chunk(3, 0, 1, "whole"), "s", kNow, &msg, &errors));
  EXPECT_EQ(msg, "whole");
  EXPECT_EQ(chunks.pending_messages(), 0u);
}

TEST(GelfChunks, MemoryIsBounded) {
  // A message over its own limit is dropped whole.
  gelf::ChunkAssembler small(10);
  std::string msg;
  std::vector<std::string> errors;
  EXPECT_FALSE(small.Add(Chunk(1, 0, 3, "123456"), "s", kNow, &msg, &errors));
  EXPECT_FALSE(small.Add(Chunk(1, 1, 3, "789012"), "s", kNow, &msg, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("message limit of 10 bytes"), std::string::npos) << errors[0];
  EXPECT_EQ(small.pending_messages(), 0u);
  // Past kMaxPendingMessages, new messages are refused until old ones complete or expire.
  gelf::ChunkAssembler chunks(1 << 20);
  errors.clear();
  for (uint64_t id = 0; id < gelf::kMaxPendingMessages; ++id) chunks.Add(Chunk(id, 0, 2, "x"), "s", kNow, &msg, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(chunks.Add(Chunk(1u << 30, 0, 2, "x"), "s", kNow, &msg, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("refused"), std::string::npos) << errors[0];
  EXPECT_TRUE(chunks.Add(Chunk(5, 1, 2, "y"), "s", kNow, &msg, &errors));
  EXPECT_EQ(chunks.pending_messages(), gelf::kMaxPendingMessages - 1);
  chunks.Expire(kNow + gelf::kChunkTimeoutNs, &errors);
  EXPECT_EQ(chunks.pending_messages(), 0u);
  EXPECT_EQ(chunks.pending_bytes(), 0u);
}

// ---------------------------------------------------------------------------------------------
// TCP and HTTP

TEST(GelfTcp, NulOrNewlineFramesInAnyPieces) {
  auto rx = MakeGelfTcpReceiver(SocketReceiverSettings{});
  EXPECT_EQ(rx->name(), "gelf");
  const std::string stream = kMessage + std::string(1, '\0') + kMessage + "\n" + std::string(1, '\0') +
                             std::string(1, '\0') + "{bad" + std::string(1, '\0') + kMessage;
  for (size_t piece : {1u, 7u, 1000u}) {
    auto session = rx->NewSession(PeerInfo{"10.0.0.3:7", false});
    EXPECT_EQ(session->Greeting(), "");
    SocketBatch b;
    for (size_t i = 0; i < stream.size(); i += piece) session->Feed(std::string_view(stream).substr(i, piece), kNow, &b);
    EXPECT_EQ(b.events.size(), 2u);
    session->Finish(kNow, &b);  // the last frame had no NUL
    ASSERT_EQ(b.events.size(), 3u);
    ASSERT_EQ(b.errors.size(), 1u);
    EXPECT_NE(b.errors[0].find("gelf frame at byte " + std::to_string(2 * kMessage.size() + 4)), std::string::npos)
        << b.errors[0];
  }
}

TEST(GelfTcp, OversizedFrameIsSkippedToItsEnd) {
  SocketReceiverSettings settings;
  settings.max_event_bytes = 100;
  auto session = MakeGelfTcpReceiver(settings)->NewSession(PeerInfo{"p", false});
  SocketBatch b;
  session->Feed(std::string(150, 'x'), kNow, &b);
  session->Feed(std::string(150, 'x') + '\0' + kMessage + '\0', kNow, &b);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_NE(b.errors[0].find("limit of 100 bytes"), std::string::npos) << b.errors[0];
  EXPECT_EQ(b.events.size(), 1u);
  EXPECT_FALSE(b.close);
}

TEST(GelfHttp, PostGelfAnswers202AndRefusesBadMessages) {
  const Receiver* rx = nullptr;
  for (const auto& r : Receivers())
    if (r->Serves("POST", "/gelf")) rx = r.get();
  ASSERT_NE(rx, nullptr);
  EXPECT_EQ(rx->name(), "gelf");
  ReceiverRequest req{"POST", "/gelf", "application/json", kMessage, kNow};
  auto got = rx->Handle(req);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->reply.status, 202);
  ASSERT_EQ(got->events.size(), 1u);
  EXPECT_EQ(got->events[0].msg, "hello");
  req.body = testing::Zlib(kMessage);  // compressed, but not labelled so
  got = rx->Handle(req);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->events[0].msg, "hello");
  req.body = "{}";
  auto bad = rx->Handle(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(rx->ErrorReply(bad.status()).status, 400);
  req.method = "GET";
  EXPECT_FALSE(rx->Handle(req).ok());
}

}  // namespace
}  // namespace sawlog
