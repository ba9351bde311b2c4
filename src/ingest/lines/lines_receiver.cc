// Plain lines over TCP (`lines/tcp`, port 5170 like Fluent Bit's tcp input): one event per line.
// A line that is a JSON object is decoded like the native endpoint's NDJSON; any other line, and
// a JSON line that does not parse, is text with the line as _msg, so nothing sent is lost.
#include <cstring>

#include "ingest/ingest.h"
#include "ingest/socket_receivers.h"

namespace sawlog {

namespace {

class LinesSession final : public StreamSession {
 public:
  explicit LinesSession(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

  void Feed(std::string_view bytes, int64_t now_ns, SocketBatch* out) override {
    size_t pos = 0;
    while (pos < bytes.size()) {
      const char* nl = static_cast<const char*>(std::memchr(bytes.data() + pos, '\n', bytes.size() - pos));
      if (nl == nullptr) {
        if (skipping_) return;
        if (partial_.size() + (bytes.size() - pos) > max_event_bytes_) {
          ++line_;
          out->errors.push_back("line " + std::to_string(line_) + ": longer than " + std::to_string(max_event_bytes_) +
                                " bytes; skipped to its end");
          partial_.clear();
          skipping_ = true;
          return;
        }
        partial_.append(bytes.substr(pos));
        return;
      }
      const size_t end = static_cast<size_t>(nl - bytes.data());
      if (skipping_) {
        skipping_ = false;
      } else if (partial_.empty()) {
        Line(bytes.substr(pos, end - pos), now_ns, out);
      } else {
        partial_.append(bytes.substr(pos, end - pos));
        Line(partial_, now_ns, out);
        partial_.clear();
      }
      pos = end + 1;
    }
  }

  void Finish(int64_t now_ns, SocketBatch* out) override {
    if (!partial_.empty()) Line(partial_, now_ns, out);
    partial_.clear();
  }

 private:
  void Line(std::string_view line, int64_t now_ns, SocketBatch* out) {
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    IngestParams params;
    params.now_ns = now_ns;
    DecodedBatch batch;
    const size_t first = line.find_first_not_of(" \t");
    if (line[first] == '{') {
      // The JSON parser wants padding after its input; a line is small, so copy it.
      std::string copy(line);
      copy.reserve(copy.size() + 64);
      batch = DecodeNdjson(copy, copy.capacity() - copy.size(), params);
    }
    if (batch.events.empty()) batch = DecodeTextLines(line, params);
    for (auto& e : batch.events) out->events.push_back(std::move(e));
  }

  size_t max_event_bytes_;
  std::string partial_;  // the start of a line whose end has not arrived
  bool skipping_ = false;  // inside a line over the limit
  size_t line_ = 0;
};

class LinesReceiver final : public StreamReceiver {
 public:
  explicit LinesReceiver(const SocketReceiverSettings& s) : max_event_bytes_(s.max_event_bytes) {}
  std::string_view name() const override { return "lines"; }
  std::unique_ptr<StreamSession> NewSession(const PeerInfo&) const override {
    return std::make_unique<LinesSession>(max_event_bytes_);
  }

 private:
  size_t max_event_bytes_;
};

}  // namespace

std::unique_ptr<StreamReceiver> MakeLinesReceiver(const SocketReceiverSettings& settings) {
  return std::make_unique<LinesReceiver>(settings);
}

}  // namespace sawlog
