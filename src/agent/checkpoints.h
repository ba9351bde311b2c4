// AgentState: what the agent must remember across restarts, in one small file written
// atomically (temp file, fsync, rename): how far each followed file was read into the disk buffer
// (its checkpoint), and how far the buffer was delivered to the server.
//
// Format of `<data_dir>/state` (docs/agent.md), one item per line:
//   sawlog-agent-state 1
//   acked <segment> <offset>
//   file <input> <device> <inode> <fingerprint bytes> <fingerprint hex> <offset> <path>
// The path is last so that it may hold spaces. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/disk_buffer.h"
#include "core/env.h"
#include "core/status.h"

namespace sawlog::agent {

// What names a file across renames: its device and inode, plus a hash of its first bytes, since
// an inode freed by a deleted file is soon given to a new one.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t fingerprint_bytes = 0;  // how many first bytes the fingerprint covers (0: empty file)
  uint64_t fingerprint = 0;        // XXH3-64 of them
};

// The fingerprint covers at most this many first bytes: past a typical first line (timestamps
// make them unique), few enough to reread on every scan.
inline constexpr uint64_t kFingerprintBytes = 1024;

struct FileCheckpoint {
  std::string input;
  FileIdentity id;
  uint64_t offset = 0;  // every byte before it is in the disk buffer
  std::string path;     // where it was last seen, for people reading the file
};

class AgentState {
 public:
  // Reads `path` when it exists. Corruption names the file and line.
  static Result<std::unique_ptr<AgentState>> Open(Env* env, std::string path);

  BufferPosition acked() const;
  void SetAcked(BufferPosition acked);

  // The checkpoint of a file, if one was kept for the same device, inode and first bytes; a
  // checkpoint whose fingerprint covers fewer bytes matches a file that has grown since.
  // `first_bytes` must hold the file's first min(size, kFingerprintBytes) bytes.
  std::optional<FileCheckpoint> Find(std::string_view input, uint64_t device, uint64_t inode, std::string_view first_bytes) const;
  void Put(const FileCheckpoint& checkpoint);
  void Remove(std::string_view input, uint64_t device, uint64_t inode);
  // Drops the checkpoints of an input except those of `keep` (device, inode) — the files still followed.
  void Retain(std::string_view input, const std::vector<std::pair<uint64_t, uint64_t>>& keep);
  std::vector<FileCheckpoint> Checkpoints() const;

  // Writes the file atomically.
  Status Save();

 private:
  AgentState(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  Status Parse(std::string_view text);

  Env* const env_;
  const std::string path_;
  mutable std::mutex mu_;
  std::mutex save_mu_;  // one Save at a time, so an older state never replaces a newer one
  BufferPosition acked_;
  // key: input, device, inode
  std::map<std::tuple<std::string, uint64_t, uint64_t>, FileCheckpoint, std::less<>> files_;
};

// The identity of a file from its device, inode and first bytes.
FileIdentity MakeIdentity(uint64_t device, uint64_t inode, std::string_view first_bytes);

}  // namespace sawlog::agent
