// The GELF receivers: UDP datagrams (chunked, compressed), NUL-framed TCP, and POST /gelf.
#include <atomic>
#include <mutex>

#include "ingest/gelf/gelf.h"
#include "ingest/ingest.h"
#include "ingest/receivers.h"
#include "ingest/socket_receivers.h"

namespace sawlog {

namespace gelf {

namespace {

// The JSON parser keeps its buffers between messages; datagrams and HTTP requests are decoded
// on many threads at once.
JsonParser& ThreadParser() {
  thread_local JsonParser parser;
  return parser;
}

class UdpReceiver final : public DatagramReceiver {
 public:
  explicit UdpReceiver(const SocketReceiverSettings& s) : max_event_bytes_(s.max_event_bytes), chunks_(s.max_event_bytes) {}

  std::string_view name() const override { return "gelf"; }

  void Decode(std::string_view datagram, const PeerInfo& peer, int64_t now_ns, SocketBatch* out) override {
    std::string assembled;
    const bool chunked = datagram.substr(0, 2) == kChunkMagic;
    // Expiry runs with the datagrams: a message that never completes is reported by the next one.
    if (chunked || pending_.load(std::memory_order_relaxed) > 0) {
      std::lock_guard lock(mu_);
      chunks_.Expire(now_ns, &out->errors);
      const bool complete = chunked && chunks_.Add(datagram, peer.address, now_ns, &assembled, &out->errors);
      pending_.store(chunks_.pending_messages(), std::memory_order_relaxed);
      if (chunked && !complete) return;
    }
    auto json = Uncompress(chunked ? std::string_view(assembled) : datagram, max_event_bytes_);
    if (!json.ok()) {
      out->errors.push_back("GELF datagram from " + peer.address + ": " + json.status().message());
      return;
    }
    auto event = DecodeMessage(*json, now_ns, &ThreadParser());
    if (!event.ok()) {
      out->errors.push_back("GELF datagram from " + peer.address + ": " + event.status().message());
      return;
    }
    out->events.push_back(std::move(event).value());
  }

 private:
  const size_t max_event_bytes_;
  std::mutex mu_;
  ChunkAssembler chunks_;
  std::atomic<size_t> pending_{0};
};

// NUL-terminated JSON frames. Whitespace around a frame (a newline some senders add) is ignored.
class TcpSession final : public StreamSession {
 public:
  TcpSession(size_t max_event_bytes, std::string peer) : max_event_bytes_(max_event_bytes), peer_(std::move(peer)) {}

  void Feed(std::string_view bytes, int64_t now_ns, SocketBatch* out) override {
    while (!bytes.empty()) {
      const size_t nul = bytes.find('\0');
      const std::string_view piece = bytes.substr(0, nul);
      if (!skipping_) {
        if (buf_.size() + piece.size() > max_event_bytes_) {
          out->errors.push_back(Where() + ": frame exceeds the limit of " + std::to_string(max_event_bytes_) +
                                " bytes; skipped to the next NUL");
          skipping_ = true;
          buf_.clear();
        } else {
          buf_.append(piece);
        }
      }
      offset_ += piece.size();
      if (nul == std::string_view::npos) return;
      if (!skipping_) Frame(now_ns, out);
      skipping_ = false;
      buf_.clear();
      ++offset_;
      frame_start_ = offset_;
      bytes.remove_prefix(nul + 1);
    }
  }

  void Finish(int64_t now_ns, SocketBatch* out) override {
    if (!skipping_) Frame(now_ns, out);
    buf_.clear();
  }

 private:
  void Frame(int64_t now_ns, SocketBatch* out) {
    std::string_view frame = buf_;
    const size_t first = frame.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return;  // empty frames (a NUL after a NUL) are nothing
    frame = frame.substr(first, frame.find_last_not_of(" \t\r\n") + 1 - first);
    auto event = DecodeMessage(frame, now_ns, &parser_);
    if (!event.ok()) {
      out->errors.push_back(Where() + ": " + event.status().message());
      return;
    }
    out->events.push_back(std::move(event).value());
  }

  std::string Where() const { return "GELF frame at offset " + std::to_string(frame_start_) + " from " + peer_; }

  const size_t max_event_bytes_;
  const std::string peer_;
  JsonParser parser_;
  std::string buf_;
  bool skipping_ = false;
  uint64_t offset_ = 0, frame_start_ = 0;
};

class TcpReceiver final : public StreamReceiver {
 public:
  explicit TcpReceiver(const SocketReceiverSettings& s) : max_event_bytes_(s.max_event_bytes) {}
  std::string_view name() const override { return "gelf"; }
  std::unique_ptr<StreamSession> NewSession(const PeerInfo& peer) const override {
    return std::make_unique<TcpSession>(max_event_bytes_, peer.address);
  }

 private:
  const size_t max_event_bytes_;
};

constexpr std::string_view kHttpPath = "/gelf";

// Graylog's GELF HTTP input: one message per request, 202 Accepted with no body.
class HttpReceiver final : public Receiver {
 public:
  std::string_view name() const override { return "gelf"; }
  bool Serves(std::string_view, std::string_view path) const override { return path == kHttpPath; }

  Result<ReceiverResult> Handle(ReceiverRequest& req) const override {
    if (req.method != "POST") return Status::InvalidArgument(std::string(kHttpPath) + " takes POST");
    // Like Graylog, compression is also told by the body's first bytes: graypy sends zlib labelled
    // "Content-Encoding: gzip,deflate", which the server has already undone or left alone.
    ASSIGN_OR_RETURN(auto json, Uncompress(req.body, kMaxEventBytes));
    ASSIGN_OR_RETURN(auto event, DecodeMessage(json, req.now_ns, &ThreadParser()));
    ReceiverResult result;
    result.events.push_back(std::move(event));
    result.reply.status = 202;
    result.reply.content_type = "text/plain";
    return result;
  }

  ReceiverReply ErrorReply(const Status& status) const override { return TextErrorReply(status); }
};

}  // namespace
}  // namespace gelf

std::unique_ptr<DatagramReceiver> MakeGelfUdpReceiver(const SocketReceiverSettings& settings) {
  return std::make_unique<gelf::UdpReceiver>(settings);
}

std::unique_ptr<StreamReceiver> MakeGelfTcpReceiver(const SocketReceiverSettings& settings) {
  return std::make_unique<gelf::TcpReceiver>(settings);
}

std::unique_ptr<Receiver> MakeGelfReceiver() { return std::make_unique<gelf::HttpReceiver>(); }

}  // namespace sawlog
