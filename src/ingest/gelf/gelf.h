// GELF, the Graylog Extended Log Format 1.1 (docs.graylog.org, "GELF"; docs/api.md, "GELF"): one
// JSON object per message, over UDP (plain, gzip or zlib, optionally in chunks), TCP (frames
// ended by a NUL byte or a line feed) or HTTP (POST /gelf).
//
// Mapping: short_message → _msg (full_message when there is no short_message), full_message →
// field full_message, timestamp (seconds with decimals) → _time, host → the stream label host,
// level → field level, an additional field _foo → field foo; any other field keeps its name.
#pragma once

#include <bitset>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "parse/parse.h"

namespace sawlog::gelf {

// A chunked message: the magic, an 8-byte message id, the sequence number and the count.
inline constexpr std::string_view kChunkMagic = "\x1e\x0f";
inline constexpr size_t kChunkHeaderBytes = 12;
// The spec's limits: at most 128 chunks, all of them within 5 seconds of the first.
inline constexpr int kMaxChunks = 128;
inline constexpr int64_t kChunkTimeoutNs = 5'000'000'000;
// What incomplete messages may hold at once, so a flood of first chunks cannot exhaust memory:
// 128 chunks of a 64 KiB datagram make 8 MiB, so 64 MiB keeps at least eight of the largest
// messages; 4096 messages is far more than well-behaved senders keep in flight within 5 s.
inline constexpr size_t kMaxPendingBytes = 64u << 20;
inline constexpr size_t kMaxPendingMessages = 4096;

// One GELF message → an event. InvalidArgument when the text is not a JSON object, has neither
// short_message nor full_message, a timestamp that is not a number, or a version other than 1.0
// or 1.1 (GELF libraries send either; a missing version is accepted).
Result<Event> DecodeMessage(std::string_view json, int64_t now_ns, JsonParser* parser);

// A UDP datagram's payload (after reassembly) as JSON text: gzip and zlib are recognised by their
// first bytes and inflated (at most max_bytes), anything else is taken as plain JSON.
Result<std::string> Uncompress(std::string_view payload, size_t max_bytes);

// Reassembles chunked messages. Not thread-safe: the UDP receiver holds it behind a lock.
class ChunkAssembler {
 public:
  explicit ChunkAssembler(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Adds one chunk (a datagram starting with kChunkMagic) from `sender`. True, with *message set
  // to the payload in sequence order, when this chunk completes its message. A chunk that cannot
  // be used (bad header, a count that disagrees with the first chunk's, a message over its limit,
  // the pending limits reached) adds an error naming the sender and message id.
  bool Add(std::string_view chunk, std::string_view sender, int64_t now_ns, std::string* message,
           std::vector<std::string>* errors);
  // Drops the messages whose first chunk came kChunkTimeoutNs or more before now, an error each.
  void Expire(int64_t now_ns, std::vector<std::string>* errors);

  size_t pending_messages() const { return pending_.size(); }
  size_t pending_bytes() const { return pending_bytes_; }

 private:
  struct Pending {
    int64_t first_ns = 0;
    int count = 0;
    int received = 0;
    size_t bytes = 0;
    std::vector<std::string> chunks;  // by sequence number
    std::bitset<kMaxChunks> arrived;
    std::list<std::string>::iterator age;  // its place in order_
  };
  void Drop(std::unordered_map<std::string, Pending>::iterator it);

  size_t max_message_bytes_;
  size_t pending_bytes_ = 0;
  // Keyed by the sender's address and the message id, so senders cannot complete (or spoil)
  // each other's messages.
  std::unordered_map<std::string, Pending> pending_;
  std::list<std::string> order_;  // keys, oldest first
};

}  // namespace sawlog::gelf
