// Fuzzes the GELF receivers. The input is a sequence of datagrams, each a 3-byte header (length,
// big-endian 16 bits; a byte whose low 6 bits advance the clock by that many 100 ms and whose top
// bit picks the second sender) and its bytes, so chunk sequences, repeats, timeouts and senders
// mix; the same datagrams also go to a ChunkAssembler directly, and the whole input to a TCP
// session, fed in two pieces and at once.
// Invariants: the assembler stays within kMaxPendingMessages and kMaxPendingBytes and holds
// nothing once 5 s pass without chunks; every event has a canonical stream; a datagram yields at
// most one event; the TCP session decodes the same frames however the bytes are split.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/gelf/gelf.h"
#include "ingest/socket_receivers.h"

namespace {

constexpr int64_t kStart = 1'793'491'200'000'000'000;

void CheckEvents(const sawlog::SocketBatch& b) {
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& e : b.events)
    if (!sawlog::ParseCanonicalStream(e.stream, &labels)) __builtin_trap();
}

sawlog::SocketBatch FeedTcp(std::string_view input, size_t split) {
  static const auto rx = sawlog::MakeGelfTcpReceiver(sawlog::SocketReceiverSettings{.max_event_bytes = 4096});
  auto session = rx->NewSession(sawlog::PeerInfo{"10.0.0.1:1", false});
  sawlog::SocketBatch b;
  session->Feed(input.substr(0, split), kStart, &b);
  session->Feed(input.substr(split), kStart, &b);
  session->Finish(kStart, &b);
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto udp = sawlog::MakeGelfUdpReceiver(sawlog::SocketReceiverSettings{.max_event_bytes = 1u << 16});
  sawlog::gelf::ChunkAssembler chunks(1u << 16);
  int64_t now = kStart;
  for (size_t pos = 0; pos + 3 <= input.size();) {
    const size_t len = (static_cast<uint8_t>(input[pos]) << 8) | static_cast<uint8_t>(input[pos + 1]);
    const auto flags = static_cast<uint8_t>(input[pos + 2]);
    pos += 3;
    const std::string_view datagram = input.substr(pos, len);
    pos += datagram.size();
    now += (flags & 0x3f) * 100'000'000LL;
    const std::string sender = flags & 0x80 ? "10.0.0.2:2" : "10.0.0.1:1";
    sawlog::SocketBatch b;
    udp->Decode(datagram, sawlog::PeerInfo{sender, false}, now, &b);
    if (b.events.size() > 1 || !b.reply.empty() || b.close) __builtin_trap();
    CheckEvents(b);
    std::string message;
    std::vector<std::string> errors;
    chunks.Expire(now, &errors);
    if (datagram.substr(0, 2) == sawlog::gelf::kChunkMagic) chunks.Add(datagram, sender, now, &message, &errors);
    if (chunks.pending_messages() > sawlog::gelf::kMaxPendingMessages ||
        chunks.pending_bytes() > sawlog::gelf::kMaxPendingBytes)
      __builtin_trap();
  }
  std::vector<std::string> errors;
  chunks.Expire(now + sawlog::gelf::kChunkTimeoutNs, &errors);
  if (chunks.pending_messages() != 0 || chunks.pending_bytes() != 0) __builtin_trap();

  const auto whole = FeedTcp(input, input.size());
  const auto split = FeedTcp(input, input.size() / 3);
  CheckEvents(whole);
  if (whole.events != split.events || whole.errors != split.errors) __builtin_trap();
  return 0;
}
