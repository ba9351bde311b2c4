// BufferedSession: the part every framed stream protocol shares (internal to ingest): the bytes of
// a connection not decoded yet, their offset in the stream for error messages, and cutting lines
// out of them when a line may arrive in many pieces or be too long to keep.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/socket_receivers.h"

namespace sawlog {

class BufferedSession : public StreamSession {
 public:
  // `protocol` names the receiver in error messages ("syslog"); a line longer than max_line
  // bytes is refused and skipped up to its end; lines end at '\n', and also at '\0' when
  // nul_ends (syslog senders that frame with NUL).
  BufferedSession(std::string_view protocol, size_t max_line, bool nul_ends)
      : protocol_(protocol), max_line_(max_line), nul_ends_(nul_ends) {}

  void Feed(std::string_view bytes, int64_t now_ns, SocketBatch* out) final;
  void Finish(int64_t now_ns, SocketBatch* out) final;

 protected:
  // Decodes the whole frames at the start of data, which begins at stream offset `offset`;
  // returns how many bytes it used. at_end: no more bytes will come (Finish), so a last
  // unterminated frame is decoded where the protocol allows. data stays readable for
  // kReadAheadBytes past its end (JsonParser's padding). Set *close when the stream cannot be
  // resynchronised.
  virtual size_t DecodeFrames(std::string_view data, uint64_t offset, bool at_end, int64_t now_ns,
                              SocketBatch* out) = 0;

  // The line starting at data[pos] (data and offset as DecodeFrames got them), its end and a
  // trailing '\r' dropped; *next is where the following frame starts. Returns false when the
  // line's end has not arrived yet: the caller returns pos, the start of the pending line. At
  // the end of the stream the rest is the last line. A line over max_line bytes is reported in
  // out->errors and skipped up to its end, which may only come in a later Feed: *line is then
  // empty.
  bool CutLine(std::string_view data, size_t pos, uint64_t offset, bool at_end, std::string_view* line, size_t* next,
               SocketBatch* out);

  // "<protocol> frame at byte <offset>: <what>", the form of every error of a session.
  std::string FrameError(uint64_t offset, std::string_view what) const;

  // Where the first line end at or after data[from] is, or npos.
  size_t FindLineEnd(std::string_view data, size_t from) const;

  size_t max_line() const { return max_line_; }

  static constexpr size_t kReadAheadBytes = 64;

 private:
  std::string_view protocol_;
  size_t max_line_;
  bool nul_ends_;
  std::string buffer_;          // bytes received and not decoded; kReadAheadBytes of spare capacity
  uint64_t offset_ = 0;         // stream offset of buffer_[0]
  size_t scanned_ = 0;          // buffer_[0, scanned_) holds no line end of the pending line
  size_t event_bytes_ = 0;      // bytes per event in the last Feed that decoded any; 0: none yet
  bool discarding_ = false;     // inside a line that was too long, up to its end
  bool closed_ = false;
};

}  // namespace sawlog
