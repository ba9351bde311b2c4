// The GELF receivers: UDP datagrams (chunked, compressed), NUL-framed TCP, and POST /gelf.
#include <atomic>
#include <mutex>

#include "ingest/buffered_session.h"
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

// JSON frames ended by NUL, as GELF senders frame them, or by a line feed (a trailing newline
// after the NUL, or newline-framed senders: GELF's compact JSON has no raw line feeds).
class TcpSession final : public BufferedSession {
 public:
  explicit TcpSession(size_t max_event_bytes) : BufferedSession("gelf", max_event_bytes, /*nul_ends=*/true) {}

 private:
  size_t DecodeFrames(std::string_view data, uint64_t offset, bool at_end, int64_t now_ns, SocketBatch* out) override {
    size_t pos = 0, next;
    std::string_view frame;
    while (pos < data.size() && CutLine(data, pos, offset, at_end, &frame, &next, out)) {
      const size_t first = frame.find_first_not_of(" \t\r");
      if (first != std::string_view::npos) {  // empty frames (a NUL after a newline) are nothing
        auto event = DecodeMessage(frame.substr(first), now_ns, &parser_);
        if (event.ok()) out->events.push_back(std::move(event).value());
        else out->errors.push_back(FrameError(offset + pos, event.status().message()));
      }
      pos = next;
    }
    return pos;
  }

  JsonParser parser_;
};

class TcpReceiver final : public StreamReceiver {
 public:
  explicit TcpReceiver(const SocketReceiverSettings& s) : max_event_bytes_(s.max_event_bytes) {}
  std::string_view name() const override { return "gelf"; }
  std::unique_ptr<StreamSession> NewSession(const PeerInfo&) const override {
    return std::make_unique<TcpSession>(max_event_bytes_);
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
