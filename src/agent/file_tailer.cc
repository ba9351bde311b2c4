#include "agent/file_tailer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/log.h"

namespace sawlog::agent {

namespace {
// Bytes per read(2): large enough for few system calls at high rates.
constexpr size_t kReadChunk = 256 << 10;
}  // namespace

Result<std::unique_ptr<FileTailer>> FileTailer::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open", path);
  std::unique_ptr<FileTailer> t(new FileTailer(fd, path, true));
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "fstat", path);
  t->id_.device = static_cast<uint64_t>(st.st_dev);
  t->id_.inode = static_cast<uint64_t>(st.st_ino);
  bool rewritten = false;
  RETURN_IF_ERROR(t->RefreshIdentity(static_cast<uint64_t>(st.st_size), &rewritten));
  return t;
}

std::unique_ptr<FileTailer> FileTailer::FromStream(int fd, std::string name) {
  return std::unique_ptr<FileTailer>(new FileTailer(fd, std::move(name), false));
}

FileTailer::~FileTailer() {
  if (seekable_ && fd_ >= 0) ::close(fd_);
}

void FileTailer::Seek(uint64_t offset) {
  offset_ = offset;
  partial_.clear();
}

void FileTailer::SeekToEnd() {
  struct stat st;
  if (seekable_ && ::fstat(fd_, &st) == 0) Seek(static_cast<uint64_t>(st.st_size));
}

// Rereads the first bytes: a file whose first bytes changed was rewritten from the start (a
// copytruncate followed by enough new lines to pass the old offset).
Status FileTailer::RefreshIdentity(uint64_t size, bool* rewritten) {
  const uint64_t want = std::min<uint64_t>(size, kFingerprintBytes);
  std::string first(want, '\0');
  ssize_t n = want ? ::pread(fd_, first.data(), want, 0) : 0;
  if (n < 0) return Status::FromErrno(errno, "read", path_);
  first.resize(static_cast<size_t>(n));
  const FileIdentity now = MakeIdentity(id_.device, id_.inode, first);
  if (id_.fingerprint_bytes > 0 && first.size() >= id_.fingerprint_bytes &&
      MakeIdentity(id_.device, id_.inode, std::string_view(first).substr(0, id_.fingerprint_bytes)).fingerprint != id_.fingerprint)
    *rewritten = true;
  id_ = now;
  return Status::Ok();
}

Result<size_t> FileTailer::Read(size_t max_bytes, int64_t now, const LineSink& sink) {
  if (seekable_) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, "fstat", path_);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    bool rewritten = size < offset_;
    if (!rewritten && offset_ > 0) RETURN_IF_ERROR(RefreshIdentity(size, &rewritten));
    if (rewritten) {
      LogInfo("agent: " + path_ + " was truncated (" + std::to_string(size) + " bytes, had read " +
              std::to_string(offset_) + "); reading it again from the start");
      ++truncations_;
      Seek(0);
      id_.fingerprint_bytes = 0;
      bool ignored = false;
      RETURN_IF_ERROR(RefreshIdentity(size, &ignored));
    } else if (offset_ == 0 && id_.fingerprint_bytes < std::min<uint64_t>(size, kFingerprintBytes)) {
      bool ignored = false;
      RETURN_IF_ERROR(RefreshIdentity(size, &ignored));
    }
    if (size == offset_) return size_t{0};
  }
  size_t total = 0;
  while (total < max_bytes) {
    if (!seekable_) {
      // A pipe that has nothing now must not block the reader: it serves other inputs and stops.
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) break;
    }
    buf_.resize(kReadChunk);
    ssize_t n = seekable_ ? ::pread(fd_, buf_.data(), buf_.size(), static_cast<off_t>(offset_))
                          : ::read(fd_, buf_.data(), buf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return Status::FromErrno(errno, "read", path_);
    }
    if (n == 0) {
      eof_ = !seekable_;
      break;
    }
    buf_.resize(static_cast<size_t>(n));
    offset_ += static_cast<uint64_t>(n);
    total += static_cast<size_t>(n);
    partial_since_ = now;
    Lines(buf_, sink);
    if (static_cast<size_t>(n) < kReadChunk && seekable_) break;  // the end of the file for now
  }
  if (seekable_ && offset_ > 0 && id_.fingerprint_bytes < kFingerprintBytes) {
    bool ignored = false;
    RETURN_IF_ERROR(RefreshIdentity(offset_, &ignored));
  }
  return total;
}

void FileTailer::Lines(std::string_view data, const LineSink& sink) {
  // Offset of data[0] in the file.
  uint64_t base = offset_ - data.size();
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(data);
      while (partial_.size() >= kMaxLineBytes) {  // a runaway line goes in pieces
        const uint64_t start = base + data.size() - partial_.size();
        sink(std::string_view(partial_).substr(0, kMaxLineBytes), start, start + kMaxLineBytes);
        partial_.erase(0, kMaxLineBytes);
      }
      return;
    }
    const uint64_t end = base + nl + 1;
    std::string_view line = data.substr(0, nl);
    uint64_t start = end - 1 - line.size();
    if (!partial_.empty()) {
      start -= partial_.size();
      partial_.append(line);
      line = partial_;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    sink(line, start, end);
    partial_.clear();
    base = end;
    data.remove_prefix(nl + 1);
  }
}

Result<std::string> FileTailer::FirstBytes() const {
  std::string first(id_.fingerprint_bytes, '\0');
  ssize_t n = first.empty() ? 0 : ::pread(fd_, first.data(), first.size(), 0);
  if (n < 0) return Status::FromErrno(errno, "read", path_);
  first.resize(static_cast<size_t>(n));
  return first;
}

void FileTailer::FlushPartial(int64_t now, int64_t timeout, const LineSink& sink) {
  if (partial_.empty() || (timeout > 0 && now - partial_since_ < timeout)) return;
  sink(partial_, offset_ - partial_.size(), offset_);
  partial_.clear();
}

}  // namespace sawlog::agent
