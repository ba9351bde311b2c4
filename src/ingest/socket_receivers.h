// Receivers of byte streams (TCP, TLS) and datagrams (UDP): syslog, GELF, the Fluentd forward
// protocol and plain text lines. The server owns the sockets (server/socket_listeners.cc); a
// receiver only turns bytes into events, so it can be tested and fuzzed without a network.
//
// Protocol: for each connection the server makes one StreamSession, sends its Greeting(), then
// calls Feed with whatever bytes arrived. The events decoded are run through the receiver's
// pipeline and appended to the store; only once they are durable (WAL fsync) is the batch's reply
// written and the next read started, so a slow store pauses the sender (back-pressure, no drops).
// At end of stream the server calls Finish. A datagram is decoded with Decode, its events stored
// the same way; UDP has no back-pressure, so what the kernel drops is counted, not prevented.
//
// Thread safety: StreamReceiver and DatagramReceiver may be used by many threads at once (a
// datagram receiver keeps any state it needs, such as GELF chunks, behind its own lock); a
// StreamSession is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace sawlog {

// What one Feed, Finish or Decode produced.
struct SocketBatch {
  std::vector<Event> events;  // to store
  // Bytes to send back after the events are durable (the forward protocol's acks). Stream only.
  std::string reply;
  // Frames that could not be decoded, each message naming the frame (and its offset in the
  // connection's stream where that means something). The server logs them rate-limited and counts
  // them as rejected; a bad frame never ends a connection that can resynchronise.
  std::vector<std::string> errors;
  // The stream cannot be resynchronised (or the peer failed a handshake): close the connection
  // after writing the reply.
  bool close = false;
};

struct PeerInfo {
  std::string address;  // "IP:port" of the sender
  bool tls = false;
};

// Settings the server passes to every receiver (from its command line).
struct SocketReceiverSettings {
  std::string hostname;           // this machine's name, for protocols that say who answers
  std::string forward_shared_key;  // Fluentd forward: require the shared-key handshake when set
  size_t max_event_bytes = 2u << 20;  // a larger frame is refused (kMaxEventBytes)
};

class StreamSession {
 public:
  virtual ~StreamSession() = default;
  // Bytes to send right after the connection is made (the forward protocol's HELO); usually none.
  virtual std::string Greeting() { return {}; }
  // Decodes the bytes received; a frame may span several calls. now_ns is the receive time.
  virtual void Feed(std::string_view bytes, int64_t now_ns, SocketBatch* out) = 0;
  // The peer closed its side: a last unterminated frame is decoded where the protocol allows.
  virtual void Finish(int64_t now_ns, SocketBatch* out) = 0;
};

class StreamReceiver {
 public:
  virtual ~StreamReceiver() = default;
  // Its name for pipelines and /metrics: "syslog", "gelf", "forward", "lines".
  virtual std::string_view name() const = 0;
  virtual std::unique_ptr<StreamSession> NewSession(const PeerInfo& peer) const = 0;
};

class DatagramReceiver {
 public:
  virtual ~DatagramReceiver() = default;
  virtual std::string_view name() const = 0;
  virtual void Decode(std::string_view datagram, const PeerInfo& peer, int64_t now_ns, SocketBatch* out) = 0;
};

// One way to listen: a protocol over a transport, with the port that protocol uses by default.
struct SocketReceiverKind {
  std::string_view spec;       // how --receive names it: "syslog/udp", "gelf/tcp", ...
  std::string_view transport;  // "udp", "tcp" or "tls"
  uint16_t default_port;
  // Exactly one of these is set, by transport.
  std::unique_ptr<StreamReceiver> (*make_stream)(const SocketReceiverSettings&) = nullptr;
  std::unique_ptr<DatagramReceiver> (*make_datagram)(const SocketReceiverSettings&) = nullptr;
};

// The one list (receivers.cc), in the order `sawlog server --help` shows them.
const std::vector<SocketReceiverKind>& SocketReceiverKinds();
// The kind --receive names, or nullptr.
const SocketReceiverKind* FindSocketReceiverKind(std::string_view spec);

// Makers of the receivers of the list, one per folder.
std::unique_ptr<StreamReceiver> MakeLinesReceiver(const SocketReceiverSettings& settings);
std::unique_ptr<StreamReceiver> MakeSyslogStreamReceiver(const SocketReceiverSettings& settings);
std::unique_ptr<DatagramReceiver> MakeSyslogDatagramReceiver(const SocketReceiverSettings& settings);
std::unique_ptr<DatagramReceiver> MakeGelfUdpReceiver(const SocketReceiverSettings& settings);
std::unique_ptr<StreamReceiver> MakeGelfTcpReceiver(const SocketReceiverSettings& settings);
std::unique_ptr<StreamReceiver> MakeForwardReceiver(const SocketReceiverSettings& settings);

}  // namespace sawlog
