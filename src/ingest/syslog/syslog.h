// The syslog receivers (docs/api.md, "Syslog"): RFC 5424 and RFC 3164 messages over UDP (one per
// datagram) and TCP or TLS (octet counting or newline framing, told apart per frame), read by the
// syslog line parser (src/parse/syslog.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog {

class LineParser;
struct ParsedLine;

namespace syslog {

// Turns one syslog message, without its framing, into an event: the parser's fields (priority,
// facility, severity, hostname, app_name, proc_id, msg_id, sd.<SD-ID>.<PARAM>), its time or else
// the receive time, MSG as _msg; the stream is {hostname, app_name}. A message without a
// hostname is given the sender's address, as rsyslog does. One per thread (it keeps buffers).
class MessageDecoder {
 public:
  MessageDecoder();
  ~MessageDecoder();
  MessageDecoder(const MessageDecoder&) = delete;
  MessageDecoder& operator=(const MessageDecoder&) = delete;

  // InvalidArgument (the parser's, naming the column) when the message is not syslog.
  Status Decode(std::string_view message, std::string_view peer_host, int64_t now_ns, Event* out);

 private:
  // Streams by hostname and app_name: a connection's messages come from a few of them, and
  // building a canonical stream costs more than the rest of the message. A relay's connection
  // may carry many: past kMaxCachedStreams the cache starts over. Open addressing in a table
  // at most half full, its size a power of two: no division to find a bucket and no node to
  // follow, which a std::unordered_map costs at every message.
  struct CachedStream {
    uint64_t hash = 0;
    std::string key;  // hostname '\n' app_name, never empty; empty: a free slot
    std::string stream;
  };
  const std::string& StreamOf(std::string_view host, const std::string* app);
  // The slot holding key, or the free one where it belongs.
  CachedStream* Find(uint64_t hash, std::string_view key);

  std::unique_ptr<LineParser> parser_;
  std::unique_ptr<ParsedLine> parsed_;
  static constexpr size_t kMaxCachedStreams = 4096;
  std::vector<CachedStream> streams_;
  size_t cached_ = 0;
  std::string stream_key_;
};

// The host part of PeerInfo::address ("IP:port", "[IPv6]:port").
std::string_view PeerHost(std::string_view address);

}  // namespace syslog
}  // namespace sawlog
