// The socket receivers' sessions, fed bytes the way a connection delivers them.
#include <gtest/gtest.h>

#include "ingest/socket_receivers.h"

namespace sawlog {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000'000;

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
  EXPECT_NE(b.errors[0].find("line 2"), std::string::npos) << b.errors[0];
}

TEST(SocketReceiverKinds, EveryKindHasOneMakerForItsTransport) {
  for (const auto& k : SocketReceiverKinds()) {
    EXPECT_EQ(k.transport == "udp", k.make_datagram != nullptr) << k.spec;
    EXPECT_EQ(k.transport != "udp", k.make_stream != nullptr) << k.spec;
    EXPECT_EQ(FindSocketReceiverKind(k.spec), &k);
  }
  EXPECT_EQ(FindSocketReceiverKind("nosuch/tcp"), nullptr);
}

}  // namespace
}  // namespace sawlog
