// Fuzzes the syslog receivers: a TCP stream (octet counting and newline framing, split into
// random reads; stream_session_check.h) with the default and a 64-byte frame limit, and the
// input as one UDP datagram. Beyond the common checks: a stream is closed only for an octet
// count over the limit, and a datagram gives one event or one error (nothing when blank).
#include <cstddef>
#include <cstdint>

#include "stream_session_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sawlog;
  const SocketReceiverKind* tcp = FindSocketReceiverKind("syslog/tcp");
  const SocketReceiverKind* udp = FindSocketReceiverKind("syslog/udp");
  SocketReceiverSettings settings;
  fuzz::CheckStreamReceiver(*tcp->make_stream(settings), "syslog", data, size);
  settings.max_event_bytes = 64;
  auto small = tcp->make_stream(settings);
  fuzz::CheckStreamReceiver(*small, "syslog", data, size);
  if (size > 2) {
    SocketBatch b = fuzz::FeedInReads(*small, std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2), {});
    if (b.close && (b.errors.empty() || b.errors.back().find("octet count") == std::string::npos)) __builtin_trap();
  }

  SocketBatch b;
  udp->make_datagram(settings)->Decode(std::string_view(reinterpret_cast<const char*>(data), size),
                                       PeerInfo{"192.0.2.7:40000", false}, fuzz::kStreamNow, &b);
  if (b.events.size() + b.errors.size() > 1 || b.close) __builtin_trap();
  return 0;
}
