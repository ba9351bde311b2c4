#include "agent/input.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

namespace sawlog::agent {

namespace {

// The field naming the file an event was read from (Filebeat: log.file.path, Promtail: filename).
constexpr std::string_view kFileField = "file";

std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  return out;
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Input::Input(const InputConfig& config, AgentState* state, int64_t partial_line_timeout)
    : config_(config), state_(state), partial_line_timeout_(partial_line_timeout), stream_(CanonicalStream(config.labels)) {}

Input::~Input() = default;

bool Input::Excluded(const std::string& path) const {
  const std::string base(BaseName(path));
  for (const auto& pattern : config_.exclude)
    if (::fnmatch(pattern.c_str(), path.c_str(), 0) == 0 || ::fnmatch(pattern.c_str(), base.c_str(), 0) == 0) return true;
  return false;
}

void Input::Scan(int64_t now) {
  const bool first = !scanned_;
  scanned_ = true;
  if (config_.type == InputType::kStdin) {
    if (first)
      files_.emplace(std::make_pair(uint64_t{0}, uint64_t{0}),
                     Follow(FileTailer::FromStream(STDIN_FILENO, "stdin"), now));
    return;
  }
  for (auto& [key, f] : files_) f.gone = true;
  for (const auto& pattern : config_.paths) {
    for (const std::string& path : Glob(pattern)) {
      if (Excluded(path)) continue;
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      const auto key = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
      auto it = files_.find(key);
      if (it != files_.end()) {
        if (it->second.tailer->path() != path) it->second.tailer->set_path(path);  // renamed within the globs
        it->second.gone = false;
        continue;
      }
      auto tailer = FileTailer::Open(path);
      if (!tailer.ok()) {
        LogWarn("agent: input " + config_.name + ": " + tailer.status().message());
        continue;
      }
      Followed f = Follow(std::move(tailer.value()), now);
      // The fingerprint covers the first bytes the file has now: a checkpoint of the same inode
      // with other first bytes belongs to a deleted file whose inode was reused.
      auto first_bytes = f.tailer->FirstBytes();
      if (!first_bytes.ok()) {
        LogWarn("agent: input " + config_.name + ": " + first_bytes.status().message());
        continue;
      }
      auto checkpoint = state_ ? state_->Find(config_.name, key.first, key.second, *first_bytes) : std::nullopt;
      if (checkpoint) {
        f.tailer->Seek(checkpoint->offset);
        LogInfo("agent: input " + config_.name + ": following " + path + " from its checkpoint at " + std::to_string(checkpoint->offset));
      } else if (first && config_.start_at_end) {
        f.tailer->SeekToEnd();
        LogInfo("agent: input " + config_.name + ": following " + path + " from its end");
      } else {
        LogInfo("agent: input " + config_.name + ": following " + path + " from its start");
      }
      f.emitted = f.tailer->read_offset();
      f.touched = true;  // its starting point is a checkpoint too
      files_.emplace(key, std::move(f));
    }
  }
  std::vector<std::pair<uint64_t, uint64_t>> keep;
  for (auto it = files_.begin(); it != files_.end();) {
    Followed& f = it->second;
    // A file gone from the globs is read to its end, then released once quiet, its held lines
    // given out first.
    if (f.gone && now - f.last_data >= kReleaseAfter && f.emitted == f.tailer->read_offset() && !f.tailer->holding_partial() &&
        (!f.joiner || f.joiner->held_bytes() == 0)) {
      LogInfo("agent: input " + config_.name + ": released " + f.tailer->path() + " (rotated away or deleted)");
      it = files_.erase(it);
      continue;
    }
    keep.push_back(it->first);
    ++it;
  }
  if (state_) state_->Retain(config_.name, keep);
}

Input::Followed Input::Follow(std::unique_ptr<FileTailer> tailer, int64_t now) const {
  Followed f;
  f.tailer = std::move(tailer);
  f.last_data = now;
  // The configuration's loader built a joiner from these rules already: they compile.
  if (config_.multiline) f.joiner = std::move(MultilineJoiner::Make({*config_.multiline}).value());
  return f;
}

void Input::Emit(Followed& f, std::string_view text, int64_t now, InputBatch* batch) {
  Event e;
  e.time = e.ingest_time = now;
  e.stream = stream_;
  e.msg = std::string(text);
  e.fields.reserve(config_.labels.size() + 1);
  for (const auto& [k, v] : config_.labels) e.fields.push_back({k, v});
  e.fields.push_back({std::string(kFileField), f.tailer->path()});
  batch->bytes += e.msg.size() + 64;
  batch->events.push_back(std::move(e));
}

void Input::OnLine(Followed& f, std::string_view line, uint64_t start, uint64_t end, int64_t now, InputBatch* batch) {
  f.touched = true;
  if (!f.joiner) {
    if (!line.empty()) Emit(f, line, now, batch);
    f.emitted = end;
    return;
  }
  std::vector<MultilineEvent> out;
  f.joiner->Add(line, now, &out);
  for (const auto& m : out) Emit(f, m.text, now, batch);
  // What the joiner still holds is re-read after a restart: the checkpoint stops before it.
  if (!out.empty()) f.emitted = f.joiner->held_bytes() > 0 ? start : end;
}

bool Input::Read(size_t max_bytes, int64_t now, InputBatch* batch) {
  bool more = false;
  for (auto& entry : files_) {
    Followed& f = entry.second;  // a lambda below captures it: no structured binding
    if (batch->bytes >= max_bytes) return true;
    auto sink = [&](std::string_view line, uint64_t start, uint64_t end) { OnLine(f, line, start, end, now, batch); };
    auto n = f.tailer->Read(max_bytes - batch->bytes, now, sink);
    if (!n.ok()) {
      LogWarn("agent: input " + config_.name + ": " + n.status().message());
      continue;
    }
    if (*n > 0) f.last_data = now;
    if (f.tailer->truncations() > 0 && f.emitted > f.tailer->read_offset()) f.emitted = f.tailer->read_offset();
    more |= batch->bytes >= max_bytes;
  }
  Checkpoints(batch);
  return more;
}

void Input::Flush(int64_t now, bool all, InputBatch* batch) {
  for (auto& entry : files_) {
    Followed& f = entry.second;
    auto sink = [&](std::string_view line, uint64_t start, uint64_t end) { OnLine(f, line, start, end, now, batch); };
    f.tailer->FlushPartial(now, all || f.tailer->at_eof() ? 0 : partial_line_timeout_, sink);
    if (f.joiner && f.joiner->held_bytes() > 0) {
      std::vector<MultilineEvent> out;
      if (all || f.tailer->at_eof()) f.joiner->FlushAll(&out);
      else f.joiner->Flush(now, &out);
      for (const auto& m : out) Emit(f, m.text, now, batch);
      if (!out.empty() && f.joiner->held_bytes() == 0) {
        f.emitted = f.tailer->read_offset();
        f.touched = true;
      }
    }
  }
  Checkpoints(batch);
}

void Input::Checkpoints(InputBatch* batch) {
  if (!state_) return;
  for (auto& [key, f] : files_) {
    if (!f.touched) continue;
    f.touched = false;
    FileCheckpoint c{config_.name, f.tailer->identity(), f.emitted, f.tailer->path()};
    std::erase_if(batch->checkpoints, [&](const FileCheckpoint& o) { return o.id.device == c.id.device && o.id.inode == c.id.inode; });
    batch->checkpoints.push_back(std::move(c));
  }
}

void Input::Commit(const InputBatch& batch) {
  if (!state_) return;
  for (const auto& c : batch.checkpoints) state_->Put(c);
}

bool Input::finished() const {
  if (config_.type != InputType::kStdin) return false;
  for (const auto& [key, f] : files_)
    if (!f.tailer->at_eof() || f.tailer->holding_partial() || (f.joiner && f.joiner->held_bytes() > 0)) return false;
  return scanned_;
}

}  // namespace sawlog::agent
