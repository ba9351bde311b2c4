// The forward receiver: a connection's byte stream cut into messages, the optional shared-key
// handshake first, acks for messages that ask for them.
#include "ingest/forward/forward.h"
#include "ingest/forward/msgpack_reader.h"
#include "ingest/forward/msgpack_writer.h"
#include "ingest/ingest.h"
#include "ingest/socket_receivers.h"

namespace sawlog {
namespace forward {

namespace {

// A message may be as large as an HTTP request body: Fluentd's out_forward sends a whole buffer
// chunk as one message (8 MiB by default for memory buffers, more for file buffers).
constexpr size_t kMaxMessageBytes = kMaxBodyBytes;

class Session final : public StreamSession {
 public:
  Session(const SocketReceiverSettings& s, const PeerInfo& peer) : max_event_bytes_(s.max_event_bytes), peer_(peer.address) {
    if (!s.forward_shared_key.empty()) handshake_ = std::make_unique<SharedKeyHandshake>(s.forward_shared_key, s.hostname);
  }

  std::string Greeting() override { return handshake_ ? handshake_->Helo() : std::string(); }

  void Feed(std::string_view bytes, int64_t now_ns, SocketBatch* out) override {
    if (closed_) return;
    buf_.append(bytes);
    size_t start = 0;
    while (start < buf_.size()) {
      const std::string_view rest = std::string_view(buf_).substr(start);
      const auto state = scanner_.Scan(rest);
      if (state == msgpack::ValueScanner::State::kInvalid) {
        Close(out, Where(start) + ": invalid msgpack (type byte 0xc1); closing the connection");
        return;
      }
      if (state == msgpack::ValueScanner::State::kNeedMore) {
        if (rest.size() > kMaxMessageBytes)
          Close(out, Where(start) + ": message exceeds the limit of " + std::to_string(kMaxMessageBytes) + " bytes; closing the connection");
        break;
      }
      Message(rest.substr(0, scanner_.size()), start, now_ns, out);
      start += scanner_.size();
      scanner_.Reset();
      if (closed_) return;
    }
    buf_.erase(0, start);
    consumed_ += start;
  }

  void Finish(int64_t, SocketBatch* out) override {
    if (!closed_ && !buf_.empty())
      out->errors.push_back(Where(0) + ": the connection ended inside a message (" + std::to_string(buf_.size()) + " bytes)");
  }

 private:
  void Message(std::string_view message, size_t at, int64_t now_ns, SocketBatch* out) {
    if (handshake_ != nullptr) {
      std::string error;
      const bool ok = handshake_->CheckPing(message, &out->reply, &error);
      handshake_.reset();
      if (!ok) Close(out, Where(at) + ": " + error);
      return;
    }
    DecodedMessage decoded;
    if (Status st = DecodeMessage(message, now_ns, max_event_bytes_, &decoded); !st.ok()) {
      out->errors.push_back(Where(at) + ": " + st.message());
      return;
    }
    for (auto& e : decoded.errors) out->errors.push_back(Where(at) + ": " + e);
    for (auto& e : decoded.events) out->events.push_back(std::move(e));
    // Acknowledged once its events are durable (the server writes the reply after the WAL fsync).
    // Entries refused are not retried by acking nothing: the same bytes would be refused again.
    if (decoded.has_chunk) {
      msgpack::AppendMap(&out->reply, 1);
      msgpack::AppendStr(&out->reply, "ack");
      msgpack::AppendStr(&out->reply, decoded.chunk);
    }
  }

  void Close(SocketBatch* out, std::string error) {
    out->errors.push_back(std::move(error));
    out->close = true;
    closed_ = true;
  }

  std::string Where(size_t at) const {
    return "forward message at offset " + std::to_string(consumed_ + at) + " from " + peer_;
  }

  const size_t max_event_bytes_;
  const std::string peer_;
  std::unique_ptr<SharedKeyHandshake> handshake_;  // until the PING is checked
  msgpack::ValueScanner scanner_;
  std::string buf_;
  uint64_t consumed_ = 0;  // stream bytes before buf_
  bool closed_ = false;
};

class Receiver final : public StreamReceiver {
 public:
  explicit Receiver(const SocketReceiverSettings& s) : settings_(s) {}
  std::string_view name() const override { return "forward"; }
  std::unique_ptr<StreamSession> NewSession(const PeerInfo& peer) const override {
    return std::make_unique<Session>(settings_, peer);
  }

 private:
  const SocketReceiverSettings settings_;
};

}  // namespace
}  // namespace forward

std::unique_ptr<StreamReceiver> MakeForwardReceiver(const SocketReceiverSettings& settings) {
  return std::make_unique<forward::Receiver>(settings);
}

}  // namespace sawlog
