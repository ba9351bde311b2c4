// The Fluentd forward protocol: the msgpack reader, the four message modes, records, acks and the
// shared-key handshake.
#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "ingest/forward/forward.h"
#include "ingest/forward/msgpack_reader.h"
#include "ingest/forward/msgpack_writer.h"
#include "ingest/socket_receivers.h"
#include "testing/deflate.h"

namespace sawlog {
namespace {

namespace mp = msgpack;
constexpr int64_t kNow = 1'800'000'000 * kNanosPerSecond;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// ---------------------------------------------------------------------------------------------
// msgpack

TEST(Msgpack, ReadsEveryScalarEncoding) {
  struct {
    std::string bytes;
    mp::Type type;
    int64_t i;
  } ints[] = {
      {Bytes({0x05}), mp::Type::kInt, 5},
      {Bytes({0xff}), mp::Type::kInt, -1},
      {Bytes({0xe0}), mp::Type::kInt, -32},
      {Bytes({0xcc, 0xff}), mp::Type::kInt, 255},
      {Bytes({0xcd, 0x01, 0x00}), mp::Type::kInt, 256},
      {Bytes({0xce, 0xff, 0xff, 0xff, 0xff}), mp::Type::kInt, 4294967295},
      {Bytes({0xd0, 0x80}), mp::Type::kInt, -128},
      {Bytes({0xd1, 0xff, 0x00}), mp::Type::kInt, -256},
      {Bytes({0xd2, 0x80, 0, 0, 0}), mp::Type::kInt, -2147483648LL},
      {Bytes({0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}), mp::Type::kInt, -2},
  };
  for (const auto& c : ints) {
    mp::Reader r(c.bytes);
    mp::Value v;
    ASSERT_TRUE(r.Read(&v)) << r.error();
    EXPECT_EQ(v.type, c.type);
    EXPECT_EQ(v.i, c.i);
    EXPECT_TRUE(r.at_end());
  }
  mp::Value v;
  EXPECT_TRUE(mp::Reader(Bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})).Read(&v));
  EXPECT_EQ(v.type, mp::Type::kUint);
  EXPECT_EQ(v.u, UINT64_MAX);
  EXPECT_TRUE(mp::Reader(Bytes({0xca, 0x3f, 0xc0, 0, 0})).Read(&v));
  EXPECT_EQ(v.type, mp::Type::kFloat);
  EXPECT_EQ(v.f, 1.5);
  std::string s;
  mp::AppendDouble(&s, -0.25);
  EXPECT_TRUE(mp::Reader(s).Read(&v));
  EXPECT_EQ(v.f, -0.25);
  EXPECT_TRUE(mp::Reader(Bytes({0xc3})).Read(&v));
  EXPECT_TRUE(v.type == mp::Type::kBool && v.boolean);
  EXPECT_TRUE(mp::Reader(Bytes({0xc0})).Read(&v));
  EXPECT_EQ(v.type, mp::Type::kNil);
  for (size_t n : {0u, 31u, 32u, 255u, 256u, 70000u}) {
    s.clear();
    mp::AppendStr(&s, std::string(n, 'a'));
    mp::AppendBin(&s, std::string(n, 'b'));
    mp::Reader r(s);
    ASSERT_TRUE(r.Read(&v));
    EXPECT_EQ(v.type, mp::Type::kStr);
    EXPECT_EQ(v.bytes, std::string(n, 'a'));
    ASSERT_TRUE(r.Read(&v));
    EXPECT_EQ(v.type, mp::Type::kBin);
    EXPECT_EQ(v.bytes, std::string(n, 'b'));
    EXPECT_TRUE(r.at_end());
  }
  const std::string ext8 = Bytes({0xc7, 0x02, 0x05, 'x', 'y'}), fixext1 = Bytes({0xd4, 0xff, 'z'});
  EXPECT_TRUE(mp::Reader(ext8).Read(&v));
  EXPECT_TRUE(v.type == mp::Type::kExt && v.ext_type == 5 && v.bytes == "xy");
  EXPECT_TRUE(mp::Reader(fixext1).Read(&v));
  EXPECT_TRUE(v.type == mp::Type::kExt && v.ext_type == -1 && v.bytes == "z");
}

TEST(Msgpack, ContainersAndSkip) {
  std::string s;
  mp::AppendArray(&s, 17);
  for (int i = 0; i < 17; ++i) {
    mp::AppendMap(&s, 1);
    mp::AppendStr(&s, "k");
    mp::AppendArray(&s, 1);
    mp::AppendInt(&s, i);
  }
  mp::AppendStr(&s, "after");
  mp::Reader r(s);
  std::string_view whole;
  ASSERT_TRUE(r.Skip(&whole)) << r.error();
  EXPECT_EQ(whole.size(), s.size() - 6);
  mp::Value v;
  ASSERT_TRUE(r.Read(&v));
  EXPECT_EQ(v.bytes, "after");
  mp::Reader again(s);
  ASSERT_TRUE(again.Read(&v));
  EXPECT_TRUE(v.type == mp::Type::kArray && v.count == 17);
}

TEST(Msgpack, TruncatedInvalidAndLyingValuesFailWithTheirOffset) {
  for (const std::string& bad : {Bytes({0xa5, 'a'}), Bytes({0xcd, 0x01}), Bytes({0xda, 0x00}), Bytes({0xc1}),
                                 Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), Bytes({0x92, 0x01}), Bytes({0xd8, 0x00})}) {
    mp::Reader r(bad);
    EXPECT_FALSE(r.Skip()) << ::testing::PrintToString(bad);
    EXPECT_NE(r.error().find("offset"), std::string::npos) << r.error();
    mp::Value v;
    EXPECT_FALSE(r.Read(&v));  // stays failed
  }
  // The five bytes that msgpuck's validator takes for a complete array.
  const std::string lie = Bytes({0xdd, 0xff, 0xff, 0xff, 0xff});
  mp::Reader r(lie);
  mp::Value v;
  EXPECT_FALSE(r.Read(&v));
  EXPECT_NE(r.error().find("claims 4294967295 items in 0 bytes"), std::string::npos) << r.error();
}

TEST(Msgpack, ScannerFindsValuesArrivingByteByByte) {
  std::string s;
  mp::AppendArray(&s, 2);
  mp::AppendStr(&s, std::string(300, 'x'));
  mp::AppendMap(&s, 1);
  mp::AppendStr(&s, "k");
  mp::AppendInt(&s, -5);
  mp::ValueScanner scanner;
  for (size_t n = 1; n < s.size(); ++n) EXPECT_EQ(scanner.Scan(std::string_view(s).substr(0, n)), mp::ValueScanner::State::kNeedMore);
  const std::string two = s + s;
  EXPECT_EQ(scanner.Scan(two), mp::ValueScanner::State::kComplete);
  EXPECT_EQ(scanner.size(), s.size());
  scanner.Reset();
  EXPECT_EQ(scanner.Scan(Bytes({0x91, 0xc1})), mp::ValueScanner::State::kInvalid);
}

// ---------------------------------------------------------------------------------------------
// Messages

std::string Record(std::initializer_list<std::pair<std::string, std::string>> kv) {
  std::string s;
  mp::AppendMap(&s, static_cast<uint32_t>(kv.size()));
  for (const auto& [k, v] : kv) {
    mp::AppendStr(&s, k);
    mp::AppendStr(&s, v);
  }
  return s;
}

std::string Option(std::string_view chunk, std::string_view compressed = "") {
  std::string s;
  mp::AppendMap(&s, compressed.empty() ? 2 : 3);
  mp::AppendStr(&s, "size");
  mp::AppendInt(&s, 1);
  mp::AppendStr(&s, "chunk");
  mp::AppendStr(&s, chunk);
  if (!compressed.empty()) {
    mp::AppendStr(&s, "compressed");
    mp::AppendStr(&s, compressed);
  }
  return s;
}

std::string Entry(int64_t secs, const std::string& record) {
  std::string s;
  mp::AppendArray(&s, 2);
  mp::AppendInt(&s, secs);
  s += record;
  return s;
}

forward::DecodedMessage Decode(const std::string& message) {
  forward::DecodedMessage d;
  Status st = forward::DecodeMessage(message, kNow, 1 << 20, &d);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return d;
}

TEST(ForwardMessage, MessageModeWithEventTimeAndNestedRecord) {
  std::string m;
  mp::AppendArray(&m, 4);
  mp::AppendStr(&m, "app.web");
  mp::AppendEventTime(&m, 1700000000, 123456789);
  mp::AppendMap(&m, 6);
  mp::AppendStr(&m, "log");  // "message" wins over "log"
  mp::AppendStr(&m, "from log");
  mp::AppendStr(&m, "message");
  mp::AppendStr(&m, "hello");
  mp::AppendStr(&m, "http");
  m += Record({{"method", "GET"}});
  mp::AppendStr(&m, "n");
  mp::AppendInt(&m, -7);
  mp::AppendStr(&m, "tags");
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "a\"b");
  mp::AppendBool(&m, true);
  mp::AppendNil(&m);
  mp::AppendStr(&m, "gone");
  mp::AppendNil(&m);
  m += Option("c1");
  auto d = Decode(m);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_TRUE(d.has_chunk);
  EXPECT_EQ(d.chunk, "c1");
  const Event& e = d.events[0];
  EXPECT_EQ(e.stream, "{tag=\"app.web\"}");
  EXPECT_EQ(FormatRfc3339Nano(e.time), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(e.ingest_time, kNow);
  EXPECT_EQ(e.msg, "hello");
  EXPECT_EQ(e.fields, (std::vector<Field>{{"log", "from log"}, {"http.method", "GET"}, {"n", "-7"}, {"tags", "[\"a\\\"b\",true,null]"}}));
}

TEST(ForwardMessage, ForwardModeRejectsBadEntriesAndKeepsTheRest) {
  std::string m;
  mp::AppendArray(&m, 2);
  mp::AppendStr(&m, "t");
  mp::AppendArray(&m, 5);
  m += Entry(1700000000, Record({{"log", "one"}}));
  mp::AppendArray(&m, 2);  // a time that is a string
  mp::AppendStr(&m, "soon");
  m += Record({{"msg", "x"}});
  mp::AppendArray(&m, 2);  // a record that is an array
  mp::AppendInt(&m, 1);
  mp::AppendArray(&m, 1);
  mp::AppendInt(&m, 1);
  mp::AppendInt(&m, 42);  // not an entry at all
  m += Entry(0, Record({{"msg", "three"}}));  // time 0: now
  auto d = Decode(m);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].msg, "one");
  EXPECT_EQ(d.events[0].time, 1700000000 * kNanosPerSecond);
  EXPECT_EQ(d.events[1].msg, "three");
  EXPECT_EQ(d.events[1].time, kNow);
  ASSERT_EQ(d.errors.size(), 3u);
  EXPECT_EQ(d.errors[0].rfind("entry 1: the time must be", 0), 0u) << d.errors[0];
  EXPECT_EQ(d.errors[1].rfind("entry 2: the record must be a map", 0), 0u) << d.errors[1];
  EXPECT_EQ(d.errors[2].rfind("entry 3: an entry must be [time, record]", 0), 0u) << d.errors[2];
  EXPECT_FALSE(d.has_chunk);
}

TEST(ForwardMessage, PackedAndCompressedPackedForward) {
  std::string entries;
  for (int i = 0; i < 3; ++i) entries += Entry(1700000000 + i, Record({{"message", "m" + std::to_string(i)}}));
  for (bool bin : {false, true}) {
    std::string m;
    mp::AppendArray(&m, 3);
    mp::AppendStr(&m, "packed");
    bin ? mp::AppendBin(&m, entries) : mp::AppendStr(&m, entries);
    m += Option("p");
    auto d = Decode(m);
    ASSERT_EQ(d.events.size(), 3u);
    EXPECT_EQ(d.events[2].msg, "m2");
  }
  // Two gzip members, as out_forward appends to a compressed chunk.
  const std::string gz = testing::Gzip(entries) + testing::Gzip(entries);
  std::string m;
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "gz");
  mp::AppendBin(&m, gz);
  m += Option("g", "gzip");
  auto d = Decode(m);
  ASSERT_EQ(d.events.size(), 6u);
  EXPECT_EQ(d.events[5].msg, "m2");
  EXPECT_EQ(d.events[5].stream, "{tag=\"gz\"}");
  EXPECT_EQ(d.chunk, "g");
}

TEST(ForwardMessage, MalformedMessagesAreInvalid) {
  auto bad = [](const std::string& m) {
    forward::DecodedMessage d;
    return forward::DecodeMessage(m, kNow, 1 << 20, &d);
  };
  std::string m;
  mp::AppendMap(&m, 0);
  EXPECT_EQ(bad(m).code(), Code::kInvalidArgument);
  m.clear();
  mp::AppendArray(&m, 3);
  mp::AppendInt(&m, 1);  // the tag is not a string
  mp::AppendInt(&m, 1);
  mp::AppendMap(&m, 0);
  EXPECT_EQ(bad(m).code(), Code::kInvalidArgument);
  m.clear();
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "t");
  mp::AppendBin(&m, "not gzip");
  m += Option("c", "gzip");
  EXPECT_NE(bad(m).message().find("CompressedPackedForward"), std::string::npos);
  m.clear();
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "t");
  mp::AppendBin(&m, "");
  m += Option("c", "lz4");
  EXPECT_EQ(bad(m).code(), Code::kUnsupported);
}

TEST(ForwardMessage, OversizedEventAndDeepRecordAreRejectedEntries) {
  std::string m;
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "t");
  mp::AppendInt(&m, 1);
  m += Record({{"message", std::string(2000, 'x')}});
  forward::DecodedMessage d;
  ASSERT_TRUE(forward::DecodeMessage(m, kNow, 1000, &d).ok());
  EXPECT_TRUE(d.events.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_NE(d.errors[0].find("limit of 1000 bytes"), std::string::npos) << d.errors[0];

  // A long key above many small values: each leaf repeats the path, so the limit stops it early.
  m.clear();
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "t");
  mp::AppendInt(&m, 1);
  mp::AppendMap(&m, 1);
  mp::AppendStr(&m, std::string(600, 'k'));
  mp::AppendMap(&m, 1000);
  for (int i = 0; i < 1000; ++i) {
    mp::AppendInt(&m, i);
    mp::AppendInt(&m, 0);
  }
  d = {};
  ASSERT_TRUE(forward::DecodeMessage(m, kNow, 100000, &d).ok());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_NE(d.errors[0].find("exceeds the limit of 100000 bytes"), std::string::npos) << d.errors[0];

  m.clear();
  mp::AppendArray(&m, 3);
  mp::AppendStr(&m, "t");
  mp::AppendInt(&m, 1);
  for (int i = 0; i < forward::kMaxRecordDepth + 1; ++i) {
    mp::AppendMap(&m, 1);
    mp::AppendStr(&m, "a");
  }
  mp::AppendInt(&m, 1);
  d = {};
  ASSERT_TRUE(forward::DecodeMessage(m, kNow, 1 << 20, &d).ok());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_NE(d.errors[0].find("nested deeper"), std::string::npos) << d.errors[0];
}

// ---------------------------------------------------------------------------------------------
// Sessions

std::string MessageMode(const std::string& tag, const std::string& text, const std::string& chunk) {
  std::string m;
  mp::AppendArray(&m, chunk.empty() ? 3 : 4);
  mp::AppendStr(&m, tag);
  mp::AppendInt(&m, 1700000000);
  m += Record({{"message", text}});
  if (!chunk.empty()) m += Option(chunk);
  return m;
}

std::string Ack(const std::string& chunk) {
  std::string s;
  mp::AppendMap(&s, 1);
  mp::AppendStr(&s, "ack");
  mp::AppendStr(&s, chunk);
  return s;
}

TEST(ForwardSession, MessagesInAnyPiecesAndAcksForChunks) {
  auto rx = MakeForwardReceiver(SocketReceiverSettings{});
  EXPECT_EQ(rx->name(), "forward");
  const std::string stream = MessageMode("a", "one", "c1") + MessageMode("a", "two", "") + MessageMode("b", "three", "c3");
  for (size_t piece : {1u, 5u, 4096u}) {
    auto s = rx->NewSession(PeerInfo{"10.0.0.9:1", false});
    EXPECT_EQ(s->Greeting(), "");
    SocketBatch b;
    for (size_t i = 0; i < stream.size(); i += piece) s->Feed(std::string_view(stream).substr(i, piece), kNow, &b);
    s->Finish(kNow, &b);
    ASSERT_EQ(b.events.size(), 3u);
    EXPECT_EQ(b.events[2].msg, "three");
    EXPECT_EQ(b.reply, Ack("c1") + Ack("c3"));
    EXPECT_TRUE(b.errors.empty()) << b.errors[0];
    EXPECT_FALSE(b.close);
  }
}

TEST(ForwardSession, BadMessagesAreErrorsNamingTheirOffsetAndTruncatedEndIsReported) {
  auto s = MakeForwardReceiver(SocketReceiverSettings{})->NewSession(PeerInfo{"p:1", false});
  std::string bad;
  mp::AppendArray(&bad, 1);
  mp::AppendStr(&bad, "lonely");
  const std::string good = MessageMode("a", "ok", "c");
  SocketBatch b;
  s->Feed(bad + good + good.substr(0, 5), kNow, &b);
  ASSERT_EQ(b.events.size(), 1u);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_NE(b.errors[0].find("offset 0 from p:1"), std::string::npos) << b.errors[0];
  s->Finish(kNow, &b);
  ASSERT_EQ(b.errors.size(), 2u);
  EXPECT_NE(b.errors[1].find("offset " + std::to_string(bad.size() + good.size())), std::string::npos) << b.errors[1];
  EXPECT_NE(b.errors[1].find("ended inside a message"), std::string::npos) << b.errors[1];

  auto s2 = MakeForwardReceiver(SocketReceiverSettings{})->NewSession(PeerInfo{"p:1", false});
  SocketBatch c;
  s2->Feed(Bytes({0x93, 0xc1}), kNow, &c);
  EXPECT_TRUE(c.close);
  s2->Feed(good, kNow, &c);
  EXPECT_TRUE(c.events.empty());
}

std::string Ping(const std::string& nonce, const std::string& key, const std::string& client = "client-1") {
  std::string m;
  mp::AppendArray(&m, 6);
  mp::AppendStr(&m, "PING");
  mp::AppendStr(&m, client);
  mp::AppendStr(&m, "salt");
  mp::AppendStr(&m, forward::Sha512Hex({"salt", client, nonce, key}));
  mp::AppendStr(&m, "");
  mp::AppendStr(&m, "");
  return m;
}

// HELO's nonce, checking the HELO's shape on the way.
std::string NonceOf(const std::string& helo) {
  mp::Reader r(helo);
  mp::Value v;
  EXPECT_TRUE(r.Read(&v) && v.type == mp::Type::kArray && v.count == 2);
  EXPECT_TRUE(r.Read(&v) && v.bytes == "HELO");
  EXPECT_TRUE(r.Read(&v) && v.type == mp::Type::kMap && v.count == 3);
  std::string nonce;
  for (int i = 0; i < 3; ++i) {
    mp::Value k;
    EXPECT_TRUE(r.Read(&k) && r.Read(&v));
    if (k.bytes == "nonce") nonce = std::string(v.bytes);
  }
  EXPECT_TRUE(r.at_end());
  return nonce;
}

TEST(ForwardSession, SharedKeyHandshake) {
  SocketReceiverSettings settings;
  settings.hostname = "server-1";
  settings.forward_shared_key = "s3cret";
  auto rx = MakeForwardReceiver(settings);

  auto s = rx->NewSession(PeerInfo{"p:1", true});
  const std::string nonce = NonceOf(s->Greeting());
  EXPECT_EQ(nonce.size(), 32u);
  EXPECT_NE(NonceOf(rx->NewSession(PeerInfo{"p:2", true})->Greeting()), nonce);  // one per connection
  SocketBatch b;
  const std::string ping = Ping(nonce, "s3cret");
  s->Feed(ping.substr(0, 10), kNow, &b);
  s->Feed(ping.substr(10) + MessageMode("a", "after auth", "c"), kNow, &b);
  EXPECT_FALSE(b.close);
  ASSERT_EQ(b.events.size(), 1u);
  std::string pong;
  mp::AppendArray(&pong, 5);
  mp::AppendStr(&pong, "PONG");
  mp::AppendBool(&pong, true);
  mp::AppendStr(&pong, "");
  mp::AppendStr(&pong, "server-1");
  mp::AppendStr(&pong, forward::Sha512Hex({"salt", "server-1", nonce, "s3cret"}));
  EXPECT_EQ(b.reply, pong + Ack("c"));

  // A wrong key: PONG false, close, nothing stored.
  auto bad = rx->NewSession(PeerInfo{"p:3", false});
  SocketBatch c;
  bad->Feed(Ping(NonceOf(bad->Greeting()), "guess") + MessageMode("a", "sneaky", ""), kNow, &c);
  EXPECT_TRUE(c.close);
  EXPECT_TRUE(c.events.empty());
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].find("shared key mismatch"), std::string::npos) << c.errors[0];
  mp::Reader r(c.reply);
  mp::Value v;
  ASSERT_TRUE(r.Read(&v) && r.Read(&v) && r.Read(&v));
  EXPECT_TRUE(v.type == mp::Type::kBool && !v.boolean);

  // Data before the PING: refused the same way.
  auto early = rx->NewSession(PeerInfo{"p:4", false});
  SocketBatch e;
  early->Feed(MessageMode("a", "no auth", "c"), kNow, &e);
  EXPECT_TRUE(e.close && e.events.empty());
  EXPECT_NE(e.errors[0].find("expected the handshake's PING"), std::string::npos) << e.errors[0];
}

}  // namespace
}  // namespace sawlog
