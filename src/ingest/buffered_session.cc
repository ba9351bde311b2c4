#include "ingest/buffered_session.h"

#include <algorithm>
#include <cstring>

namespace sawlog {

void BufferedSession::Feed(std::string_view bytes, int64_t now_ns, SocketBatch* out) {
  if (closed_) return;
  if (discarding_) {
    size_t end = FindLineEnd(bytes, 0);
    if (end == std::string_view::npos) {
      offset_ += bytes.size();
      return;
    }
    discarding_ = false;
    offset_ += end + 1;
    bytes.remove_prefix(end + 1);
  }
  // Growing geometrically keeps a frame that arrives in many small pieces linear to collect.
  const size_t need = buffer_.size() + bytes.size() + kReadAheadBytes;
  if (buffer_.capacity() < need) buffer_.reserve(std::max(need, 2 * buffer_.capacity()));
  buffer_.append(bytes);
  // The batch's events are reserved at the size this session's frames have had so far (and a
  // little more): a growing vector would move every event again, several times over.
  const size_t before = out->events.size();
  if (event_bytes_ > 0) out->events.reserve(before + buffer_.size() / event_bytes_ * 9 / 8 + 16);
  size_t used = DecodeFrames(buffer_, offset_, false, now_ns, out);
  if (const size_t added = out->events.size() - before; added > 0) event_bytes_ = std::max<size_t>(1, used / added);
  if (out->close) {
    closed_ = true;
    buffer_.clear();
    return;
  }
  if (discarding_) used = buffer_.size();
  buffer_.erase(0, used);
  offset_ += used;
  scanned_ = scanned_ > used ? scanned_ - used : 0;
}

void BufferedSession::Finish(int64_t now_ns, SocketBatch* out) {
  if (closed_) return;
  closed_ = true;
  if (!discarding_ && !buffer_.empty()) {
    buffer_.reserve(buffer_.size() + kReadAheadBytes);
    DecodeFrames(buffer_, offset_, true, now_ns, out);
  }
  buffer_.clear();
}

size_t BufferedSession::FindLineEnd(std::string_view data, size_t from) const {
  if (from >= data.size()) return std::string_view::npos;
  const char* begin = data.data() + from;
  size_t n = data.size() - from;
  const void* nl = std::memchr(begin, '\n', n);
  if (nul_ends_) {
    // Only the part before the newline can hold an earlier NUL.
    size_t before = nl ? static_cast<const char*>(nl) - begin : n;
    if (const void* nul = std::memchr(begin, '\0', before)) nl = nul;
  }
  return nl ? static_cast<const char*>(nl) - data.data() : std::string_view::npos;
}

bool BufferedSession::CutLine(std::string_view data, size_t pos, uint64_t offset, bool at_end, std::string_view* line,
                              size_t* next, SocketBatch* out) {
  size_t end = FindLineEnd(data, std::max(pos, scanned_));
  const bool found = end != std::string_view::npos;
  if (!found) end = data.size();
  if (end - pos > max_line_) {
    out->errors.push_back(FrameError(offset + pos, "line longer than the limit of " + std::to_string(max_line_) +
                                                       " bytes: skipped up to its end"));
    *line = {};
    *next = found ? end + 1 : data.size();
    discarding_ = !found && !at_end;
    scanned_ = 0;
    return true;
  }
  if (!found && !at_end) {
    scanned_ = data.size();
    *next = pos;
    return false;
  }
  scanned_ = 0;
  *line = data.substr(pos, end - pos);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  *next = found ? end + 1 : data.size();
  return true;
}

std::string BufferedSession::FrameError(uint64_t offset, std::string_view what) const {
  std::string s(protocol_);
  s += " frame at byte ";
  s += std::to_string(offset);
  s += ": ";
  s += what;
  return s;
}

}  // namespace sawlog
