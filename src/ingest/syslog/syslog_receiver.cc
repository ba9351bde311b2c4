// The syslog receivers: framing (TCP, TLS: RFC 6587 octet counting or newline; UDP: one message
// per datagram) around MessageDecoder.
#include "ingest/buffered_session.h"
#include "ingest/syslog/syslog.h"

namespace sawlog {

namespace {

// RFC 6587's MSG-LEN has at most this many digits here: more can only exceed any frame limit,
// and such a frame is read as a line.
constexpr size_t kMaxCountDigits = 10;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Between frames: blank lines, a line end after an octet-counted frame, and the space Cisco ASA
// sends after a line end (rsyslog's framingfix.cisco.asa).
bool IsBetweenFrames(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\0'; }

std::string_view TrimLineEnd(std::string_view m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == '\0')) m.remove_suffix(1);
  return m;
}

class SyslogSession final : public BufferedSession {
 public:
  SyslogSession(const PeerInfo& peer, size_t max_event_bytes)
      : BufferedSession("syslog", max_event_bytes, /*nul_ends=*/true), peer_host_(syslog::PeerHost(peer.address)) {}

 private:
  // A frame starting with a digit and continuing with "LEN SP" is octet-counted (RFC 6587 3.4.1);
  // any other frame is a line (3.4.2), so a line that starts with a number is still a line.
  size_t DecodeFrames(std::string_view data, uint64_t offset, bool at_end, int64_t now_ns, SocketBatch* out) override {
    size_t pos = 0;
    while (pos < data.size()) {
      if (IsBetweenFrames(data[pos])) {
        ++pos;
        continue;
      }
      if (IsDigit(data[pos])) {
        size_t i = pos;
        uint64_t count = 0;
        while (i < data.size() && i - pos < kMaxCountDigits && IsDigit(data[i])) count = count * 10 + (data[i++] - '0');
        if (i == data.size() && !at_end) break;  // the count or what follows it is still to come
        if (i < data.size() && data[i] == ' ') {
          if (count > max_line()) {
            out->errors.push_back(FrameError(offset + pos, "octet count " + std::to_string(count) +
                                                               " exceeds the limit of " + std::to_string(max_line()) +
                                                               " bytes; closing the connection"));
            out->close = true;
            return data.size();
          }
          const size_t start = i + 1;
          if (data.size() - start < count) {
            if (!at_end) break;
            out->errors.push_back(FrameError(offset + pos, "the connection closed after " +
                                                               std::to_string(data.size() - start) + " of the " +
                                                               std::to_string(count) + " bytes of the frame"));
            return data.size();
          }
          Decode(data.substr(start, count), offset + pos, now_ns, out);
          pos = start + count;
          continue;
        }
      }
      std::string_view line;
      size_t next;
      if (!CutLine(data, pos, offset, at_end, &line, &next, out)) break;
      Decode(line, offset + pos, now_ns, out);
      pos = next;
    }
    return pos;
  }

  void Decode(std::string_view message, uint64_t offset, int64_t now_ns, SocketBatch* out) {
    message = TrimLineEnd(message);
    if (message.empty()) return;
    // Decoded in place: an event is 100 bytes before its strings, not worth moving.
    Status st = decoder_.Decode(message, peer_host_, now_ns, &out->events.emplace_back());
    if (st.ok()) return;
    out->events.pop_back();
    out->errors.push_back(FrameError(offset, st.message()));
  }

  std::string peer_host_;
  syslog::MessageDecoder decoder_;
};

class SyslogStreamReceiver final : public StreamReceiver {
 public:
  explicit SyslogStreamReceiver(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}
  std::string_view name() const override { return "syslog"; }
  std::unique_ptr<StreamSession> NewSession(const PeerInfo& peer) const override {
    return std::make_unique<SyslogSession>(peer, max_event_bytes_);
  }

 private:
  size_t max_event_bytes_;
};

class SyslogDatagramReceiver final : public DatagramReceiver {
 public:
  std::string_view name() const override { return "syslog"; }
  void Decode(std::string_view datagram, const PeerInfo& peer, int64_t now_ns, SocketBatch* out) override {
    datagram = TrimLineEnd(datagram);
    if (datagram.empty()) return;
    // Many threads may call Decode: one decoder (parser buffers, stream cache) per thread.
    thread_local syslog::MessageDecoder decoder;
    Status st = decoder.Decode(datagram, syslog::PeerHost(peer.address), now_ns, &out->events.emplace_back());
    if (st.ok()) return;
    out->events.pop_back();
    out->errors.push_back("syslog datagram from " + peer.address + ": " + st.message());
  }
};

}  // namespace

std::unique_ptr<StreamReceiver> MakeSyslogStreamReceiver(const SocketReceiverSettings& settings) {
  return std::make_unique<SyslogStreamReceiver>(settings.max_event_bytes);
}

std::unique_ptr<DatagramReceiver> MakeSyslogDatagramReceiver(const SocketReceiverSettings&) {
  return std::make_unique<SyslogDatagramReceiver>();
}

}  // namespace sawlog
