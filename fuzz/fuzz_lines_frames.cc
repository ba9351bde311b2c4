// Fuzzes the plain-lines receiver: the input as a TCP stream split into random reads
// (stream_session_check.h), with the default and a 64-byte line limit. Beyond the common checks:
// nothing is lost: every non-blank line within the limit is an event, every line over it an error.
#include <cstddef>
#include <cstdint>

#include "stream_session_check.h"

namespace {

// Lines that must give an event or an error: those over the limit (blank or not), and the
// non-blank ones (blank as the native endpoint's ForEachLine says).
size_t CountLines(std::string_view s, size_t limit) {
  size_t count = 0;
  while (!s.empty()) {
    size_t end = s.find('\n');
    std::string_view line = s.substr(0, end);
    const bool over = line.size() > limit;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (over || line.find_first_not_of(" \t") != std::string_view::npos) ++count;
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sawlog;
  const SocketReceiverKind* kind = FindSocketReceiverKind("lines/tcp");
  SocketReceiverSettings settings;
  fuzz::CheckStreamReceiver(*kind->make_stream(settings), "lines", data, size);
  settings.max_event_bytes = 64;
  auto small = kind->make_stream(settings);
  fuzz::CheckStreamReceiver(*small, "lines", data, size);
  if (size < 2) return 0;
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  SocketBatch b = fuzz::FeedInReads(*small, stream, {});
  if (b.close || b.events.size() + b.errors.size() != CountLines(stream, 64)) __builtin_trap();
  return 0;
}
