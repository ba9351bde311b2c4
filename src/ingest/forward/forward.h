// The Fluentd forward protocol v1 (github.com/fluent/fluentd/wiki/Forward-Protocol-Specification-v1)
// over TCP or TLS, as Fluentd's out_forward, Fluent Bit, the fluent-logger libraries and Docker's
// fluentd log driver speak it (docs/api.md, "Fluentd forward").
//
// A connection carries msgpack arrays, one after another, each one message in one of four modes:
//   Message                  [tag, time, record, option?]
//   Forward                  [tag, [[time, record], ...], option?]
//   PackedForward            [tag, <bin or str: the entries [time, record] as a msgpack stream>, option?]
//   CompressedPackedForward  the same, gzipped (option "compressed": "gzip"; several gzip members)
// The option map's "chunk" asks for {"ack": chunk} once the message's events are durable.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog::forward {

// The record keys that become _msg, the first present one winning: "message" (fluent-logger,
// Fluentd's own), "log" (Docker's fluentd driver, Fluent Bit's tail and Kubernetes), "msg".
inline constexpr std::string_view kMessageKeys[] = {"message", "log", "msg"};
// Records nested deeper than this are refused (the flattening recurses).
inline constexpr int kMaxRecordDepth = 64;

// What one message decoded to.
struct DecodedMessage {
  std::vector<Event> events;
  std::vector<std::string> errors;  // entries refused, each naming the entry
  std::string chunk;                // the option "chunk" (empty: no ack wanted)
  bool has_chunk = false;
};

// Decodes one complete message (a whole msgpack value). A message whose shape is not one of the
// four modes is an InvalidArgument; a bad entry in a good message is one of out->errors, the
// other entries still decoded.
Status DecodeMessage(std::string_view message, int64_t now_ns, size_t max_event_bytes, DecodedMessage* out);

// The shared-key handshake of the spec's "Handshake Messages": the server greets with
// ["HELO", {"nonce": N, "auth": "", "keepalive": true}], the client answers
// ["PING", client_hostname, salt, sha512_hex(salt + client_hostname + N + key), user, password]
// and the server replies ["PONG", ok, reason, server_hostname, sha512_hex(salt + server_hostname +
// N + key)]. User names and passwords (the "auth" salt) are not supported.
class SharedKeyHandshake {
 public:
  SharedKeyHandshake(std::string shared_key, std::string server_hostname);
  std::string Helo() const;
  // Checks a PING message; the reply is appended to *pong. False: the peer failed (close after the PONG).
  bool CheckPing(std::string_view message, std::string* pong, std::string* error) const;

 private:
  std::string key_, hostname_, nonce_;
};

// sha512 of the concatenation, as lower-case hex.
std::string Sha512Hex(std::initializer_list<std::string_view> parts);

}  // namespace sawlog::forward
