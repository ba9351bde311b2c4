// What every stream receiver must hold on any input, checked by the fuzz_<receiver>_frames
// targets: the input's first two bytes choose where a connection splits the rest into reads, and
// the result must be what one read of everything gives (framing does not depend on how bytes
// arrive); errors name the frame's offset ("<name> frame at byte N: ..."); every event has a
// stream; after `close` nothing more is decoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/socket_receivers.h"

namespace sawlog::fuzz {

inline constexpr int64_t kStreamNow = 1'781'524'800LL * 1'000'000'000;  // 2026-06-15T12:00:00Z

inline void Collect(SocketBatch* all, SocketBatch&& b) {
  if (all->close && !(b.events.empty() && b.errors.empty())) __builtin_trap();
  for (auto& e : b.events) all->events.push_back(std::move(e));
  for (auto& e : b.errors) all->errors.push_back(std::move(e));
  all->close |= b.close;
}

// Feeds `stream` in reads whose sizes cycle through `sizes` (0: all at once), then Finish.
inline SocketBatch FeedInReads(const StreamReceiver& receiver, std::string_view stream, const std::vector<size_t>& sizes) {
  auto session = receiver.NewSession(PeerInfo{"192.0.2.7:40000", false});
  SocketBatch all;
  size_t pos = 0;
  for (size_t i = 0; pos < stream.size(); ++i) {
    size_t n = sizes.empty() ? stream.size() : std::min(sizes[i % sizes.size()], stream.size() - pos);
    SocketBatch b;
    session->Feed(stream.substr(pos, n), kStreamNow, &b);
    Collect(&all, std::move(b));
    pos += n;
  }
  SocketBatch b;
  session->Finish(kStreamNow, &b);
  Collect(&all, std::move(b));
  return all;
}

inline void CheckStreamReceiver(const StreamReceiver& receiver, std::string_view name, const uint8_t* data,
                                size_t size) {
  if (size < 2) return;
  // Read sizes 1..16 from the first two bytes' bits, so splits land anywhere.
  std::vector<size_t> sizes = {size_t(data[0] & 15) + 1, size_t(data[0] >> 4) + 1, size_t(data[1] & 15) + 1,
                               size_t(data[1] >> 4) + 1};
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  SocketBatch whole = FeedInReads(receiver, stream, {});
  SocketBatch split = FeedInReads(receiver, stream, sizes);
  if (whole.events != split.events || whole.errors != split.errors || whole.close != split.close) __builtin_trap();
  const std::string prefix = std::string(name) + " frame at byte ";
  for (const auto& e : whole.errors)
    if (!e.starts_with(prefix)) __builtin_trap();
  for (const auto& e : whole.events)
    if (e.stream.empty() || e.ingest_time != kStreamNow) __builtin_trap();
}

}  // namespace sawlog::fuzz
