// FileTailer: follows one open file — a log file by its descriptor, or standard input — and
// hands out its complete lines with the offset just past each. A file renamed away keeps being
// read through its descriptor (rotation by rename loses nothing); a file that shrinks, or whose
// first bytes change, was truncated in place (copytruncate) and is read again from the start.
// A last line without its newline is held until the newline comes, or given out whole once
// nothing was added for a while (a writer that died mid-line). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "agent/checkpoints.h"
#include "core/status.h"

namespace sawlog::agent {

// A line longer than this goes out in pieces of this size, so one runaway writer cannot exhaust
// memory; below the server's 2 MiB event limit.
inline constexpr size_t kMaxLineBytes = 1 << 20;

class FileTailer {
 public:
  // One line (without '\n', a trailing '\r' dropped) and the file offsets where it starts and
  // just past its end.
  using LineSink = std::function<void(std::string_view line, uint64_t start, uint64_t end)>;

  // Opens a regular file for reading from offset 0.
  static Result<std::unique_ptr<FileTailer>> Open(const std::string& path);
  // Reads a descriptor that cannot seek (a pipe: standard input). Takes ownership only of reading.
  static std::unique_ptr<FileTailer> FromStream(int fd, std::string name);
  ~FileTailer();

  // Continues reading at `offset` (a checkpoint), or at the end of the file.
  void Seek(uint64_t offset);
  void SeekToEnd();

  // Reads up to about max_bytes of what was appended, giving complete lines to `sink`. Returns
  // the bytes read (0 at the end of the file for now). `now` is the caller's clock (ns).
  Result<size_t> Read(size_t max_bytes, int64_t now, const LineSink& sink);
  // Gives out the held partial line when it is older than `timeout`, or whatever its age when
  // `timeout` is 0 (end of input).
  void FlushPartial(int64_t now, int64_t timeout, const LineSink& sink);

  // The file's identity, its fingerprint covering as many first bytes as it has (up to
  // kFingerprintBytes). Refreshed by Read.
  const FileIdentity& identity() const { return id_; }
  // The first bytes the fingerprint covers, read again.
  Result<std::string> FirstBytes() const;
  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  // Offset just past the last byte handed out as a line or held as a partial one.
  uint64_t read_offset() const { return offset_; }
  bool holding_partial() const { return !partial_.empty(); }
  // True after Read found the end of a stream (standard input closed).
  bool at_eof() const { return eof_; }
  // How many times the file was found truncated.
  uint64_t truncations() const { return truncations_; }

 private:
  FileTailer(int fd, std::string path, bool seekable) : fd_(fd), path_(std::move(path)), seekable_(seekable) {}
  Status RefreshIdentity(uint64_t size, bool* rewritten);
  void Lines(std::string_view data, const LineSink& sink);

  int fd_;
  std::string path_;
  bool seekable_;
  FileIdentity id_;
  uint64_t offset_ = 0;
  std::string partial_;
  int64_t partial_since_ = 0;
  bool eof_ = false;
  uint64_t truncations_ = 0;
  std::string buf_;
};

}  // namespace sawlog::agent
