// The plain-lines receiver (docs/api.md, "Plain lines"): one event per line of a TCP stream, as
// Fluent Bit's tcp input reads it. A line that is a JSON object is decoded as the native NDJSON
// endpoint decodes it (_time, _msg); any other line is text, the whole line being _msg.
#include "ingest/buffered_session.h"
#include "ingest/ingest.h"

namespace sawlog {

namespace {

class LinesSession final : public BufferedSession {
 public:
  explicit LinesSession(size_t max_event_bytes)
      : BufferedSession("lines", max_event_bytes, /*nul_ends=*/false), json_(IngestParams{}), stream_(CanonicalStream({})) {}

 private:
  size_t DecodeFrames(std::string_view data, uint64_t offset, bool at_end, int64_t now_ns, SocketBatch* out) override {
    size_t pos = 0;
    std::string_view line;
    size_t next;
    while (pos < data.size() && CutLine(data, pos, offset, at_end, &line, &next, out)) {
      size_t first = line.find_first_not_of(" \t");
      if (first != std::string_view::npos) {
        Event e;
        const size_t after = data.size() - (line.data() + line.size() - data.data()) + kReadAheadBytes;
        // Not valid JSON after all: the line is still worth keeping, as text.
        if (line[first] != '{' || !json_.Decode(line, after, now_ns, &e).ok()) {
          e = Event{};
          e.time = e.ingest_time = now_ns;
          e.stream = stream_;
          e.msg = std::string(line);
        }
        out->events.push_back(std::move(e));
      }
      pos = next;
    }
    return pos;
  }

  NdjsonLineDecoder json_;
  const std::string stream_;
};

class LinesStreamReceiver final : public StreamReceiver {
 public:
  explicit LinesStreamReceiver(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}
  std::string_view name() const override { return "lines"; }
  std::unique_ptr<StreamSession> NewSession(const PeerInfo&) const override {
    return std::make_unique<LinesSession>(max_event_bytes_);
  }

 private:
  size_t max_event_bytes_;
};

}  // namespace

std::unique_ptr<StreamReceiver> MakeLinesReceiver(const SocketReceiverSettings& settings) {
  return std::make_unique<LinesStreamReceiver>(settings.max_event_bytes);
}

}  // namespace sawlog
