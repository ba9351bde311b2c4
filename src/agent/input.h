// Input: one configured input (a set of files matched by globs, or standard input) turned into
// events: lines, joined by the multiline rule, each with `_msg`, the `file` field, the input's
// labels (fields and `_stream`) and the read time. The events of one Read form a batch together
// with the checkpoints it reaches; the caller makes the batch durable and then Commits it.
// Not thread-safe: the agent's reading thread owns its inputs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/checkpoints.h"
#include "agent/file_tailer.h"
#include "core/event.h"
#include "parse/multiline.h"

namespace sawlog::agent {

// A rotated-away or deleted file is closed once nothing was added to it for this long: the
// writer that still had it open has moved to the new file by then.
inline constexpr int64_t kReleaseAfter = 2'000'000'000;

struct InputBatch {
  std::vector<Event> events;
  std::vector<FileCheckpoint> checkpoints;  // where each file's reading stands once the batch is durable
  size_t bytes = 0;
};

class Input {
 public:
  // `state` keeps the checkpoints (nullptr for stdin: nothing to resume).
  Input(const InputConfig& config, AgentState* state, int64_t partial_line_timeout);
  ~Input();

  const InputConfig& config() const { return config_; }

  // Re-reads the globs: opens new files (at their checkpoint), follows renamed ones, releases
  // those gone for kReleaseAfter. The first scan starts files without a checkpoint at their end
  // when the input says `start_at: end`.
  void Scan(int64_t now);
  // Reads up to about max_bytes into `batch`. True when more is waiting.
  bool Read(size_t max_bytes, int64_t now, InputBatch* batch);
  // Gives out what is held (partial lines, multiline events) past their timeouts, or all of it
  // when `all` (end of standard input).
  void Flush(int64_t now, bool all, InputBatch* batch);
  // The batch is durable: its checkpoints become the state's.
  void Commit(const InputBatch& batch);
  // Standard input has ended and everything read was handed out.
  bool finished() const;
  size_t files() const { return files_.size(); }

 private:
  struct Followed {
    std::unique_ptr<FileTailer> tailer;
    std::unique_ptr<MultilineJoiner> joiner;
    uint64_t emitted = 0;      // every byte before it is in an event handed out
    int64_t last_data = 0;     // when Read last found bytes
    bool gone = false;         // no longer matched by the globs under its inode
    bool touched = false;      // has a checkpoint to report in the current batch
  };
  // A newly followed source, with the input's multiline joiner.
  Followed Follow(std::unique_ptr<FileTailer> tailer, int64_t now) const;
  void Emit(Followed& f, std::string_view text, int64_t now, InputBatch* batch);
  void OnLine(Followed& f, std::string_view line, uint64_t start, uint64_t end, int64_t now, InputBatch* batch);
  void Checkpoints(InputBatch* batch);
  bool Excluded(const std::string& path) const;

  InputConfig config_;
  AgentState* state_;
  int64_t partial_line_timeout_;
  std::string stream_;  // canonical labels
  bool scanned_ = false;
  std::map<std::pair<uint64_t, uint64_t>, Followed> files_;  // by device, inode
};

}  // namespace sawlog::agent
