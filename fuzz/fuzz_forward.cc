// Fuzzes the Fluentd forward receiver with the input as the byte stream of one connection. The
// first byte chooses: bit 0, a session with a shared key, whose valid PING (built from the
// session's HELO) goes first; the other bits, with the next bytes, where the stream is cut into
// pieces. The rest is the stream, fed in those pieces and, to a second session, at once.
// Invariants: both sessions store the same events with the same errors and close alike (without a
// key, they also reply the same bytes); the replies are whole msgpack values; every event has a
// canonical stream with a tag.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/forward/forward.h"
#include "ingest/forward/msgpack_reader.h"
#include "ingest/forward/msgpack_writer.h"
#include "ingest/socket_receivers.h"

namespace {

namespace mp = sawlog::msgpack;
constexpr int64_t kNow = 1'793'491'200'000'000'000;

// The PING that answers this session's HELO correctly.
std::string Ping(const std::string& helo, const std::string& key) {
  mp::Reader r(helo);
  mp::Value v, k;
  std::string nonce;
  r.Read(&v);
  r.Read(&v);
  r.Read(&v);
  for (uint32_t i = 0, n = v.count; i < n && r.Read(&k) && r.Read(&v); ++i)
    if (k.bytes == "nonce") nonce = std::string(v.bytes);
  if (nonce.empty()) __builtin_trap();
  std::string ping;
  mp::AppendArray(&ping, 6);
  mp::AppendStr(&ping, "PING");
  mp::AppendStr(&ping, "fuzz-client");
  mp::AppendStr(&ping, "salt");
  mp::AppendStr(&ping, sawlog::forward::Sha512Hex({"salt", "fuzz-client", nonce, key}));
  mp::AppendStr(&ping, "");
  mp::AppendStr(&ping, "");
  return ping;
}

struct Run {
  sawlog::SocketBatch batch;
  std::string pong;
};

Run Feed(const sawlog::StreamReceiver& rx, bool keyed, std::string_view stream, uint64_t cuts) {
  auto session = rx.NewSession(sawlog::PeerInfo{"10.0.0.1:1", false});
  Run run;
  if (keyed) {
    sawlog::SocketBatch hello;
    session->Feed(Ping(session->Greeting(), "k"), kNow, &hello);
    if (hello.close || !hello.errors.empty()) __builtin_trap();
    run.pong = hello.reply;
  }
  while (!stream.empty()) {
    const size_t piece = cuts == 0 ? stream.size() : 1 + cuts % 61;
    cuts /= 61;
    if (cuts == 0 && piece != stream.size()) cuts = 0x9e3779b97f4a7c15ULL;  // keep cutting, differently
    session->Feed(stream.substr(0, piece), kNow, &run.batch);
    stream.remove_prefix(std::min(piece, stream.size()));
  }
  session->Finish(kNow, &run.batch);
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool keyed = data[0] & 1;
  const uint64_t cuts = (data[0] >> 1) * 257 + data[1] + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  static const auto plain = sawlog::MakeForwardReceiver(sawlog::SocketReceiverSettings{.max_event_bytes = 4096});
  static const auto with_key = sawlog::MakeForwardReceiver(
      sawlog::SocketReceiverSettings{.hostname = "fuzz-server", .forward_shared_key = "k", .max_event_bytes = 4096});
  const auto& rx = keyed ? *with_key : *plain;
  const Run pieces = Feed(rx, keyed, stream, cuts);
  const Run whole = Feed(rx, keyed, stream, 0);
  if (pieces.batch.events != whole.batch.events || pieces.batch.errors != whole.batch.errors ||
      pieces.batch.close != whole.batch.close)
    __builtin_trap();
  if (!keyed && pieces.batch.reply != whole.batch.reply) __builtin_trap();
  mp::Reader replies(whole.batch.reply);
  while (!replies.at_end())
    if (!replies.Skip()) __builtin_trap();
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& e : whole.batch.events)
    if (!sawlog::ParseCanonicalStream(e.stream, &labels) || labels.size() != 1 || labels[0].first != "tag") __builtin_trap();
  return 0;
}
