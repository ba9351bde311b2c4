#include "agent/checkpoints.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "core/coding.h"

namespace sawlog::agent {

namespace {

constexpr std::string_view kStateHeader = "sawlog-agent-state 1";

// Splits off the next space-separated word.
std::string_view Word(std::string_view* line) {
  size_t sp = line->find(' ');
  std::string_view w = line->substr(0, sp);
  line->remove_prefix(sp == std::string_view::npos ? line->size() : sp + 1);
  return w;
}

bool Number(std::string_view w, uint64_t* v, int base = 10) {
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), *v, base);
  return ec == std::errc() && end == w.data() + w.size() && !w.empty();
}

}  // namespace

FileIdentity MakeIdentity(uint64_t device, uint64_t inode, std::string_view first_bytes) {
  first_bytes = first_bytes.substr(0, kFingerprintBytes);
  return {device, inode, first_bytes.size(), Checksum(first_bytes)};
}

Result<std::unique_ptr<AgentState>> AgentState::Open(Env* env, std::string path) {
  std::unique_ptr<AgentState> state(new AgentState(env, path));
  if (!env->FileExists(path)) return state;
  ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  RETURN_IF_ERROR(state->Parse(text));
  return state;
}

Status AgentState::Parse(std::string_view text) {
  size_t number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    const std::string_view whole = line;
    auto bad = [&] { return Status::Corruption(path_ + " line " + std::to_string(number) + ": cannot read '" + std::string(whole) + "'"); };
    if (number == 1) {
      if (line != kStateHeader) return bad();
      continue;
    }
    std::string_view kind = Word(&line);
    if (kind == "acked") {
      if (!Number(Word(&line), &acked_.segment) || !Number(Word(&line), &acked_.offset) || !line.empty()) return bad();
    } else if (kind == "file") {
      FileCheckpoint c;
      c.input = std::string(Word(&line));
      if (!Number(Word(&line), &c.id.device) || !Number(Word(&line), &c.id.inode) ||
          !Number(Word(&line), &c.id.fingerprint_bytes) || !Number(Word(&line), &c.id.fingerprint, 16) ||
          !Number(Word(&line), &c.offset))
        return bad();
      c.path = std::string(line);
      files_[{c.input, c.id.device, c.id.inode}] = std::move(c);
    } else {
      return bad();
    }
  }
  if (number == 0) return Status::Corruption(path_ + ": empty");
  return Status::Ok();
}

BufferPosition AgentState::acked() const {
  std::lock_guard l(mu_);
  return acked_;
}

void AgentState::SetAcked(BufferPosition acked) {
  std::lock_guard l(mu_);
  acked_ = acked;
}

std::optional<FileCheckpoint> AgentState::Find(std::string_view input, uint64_t device, uint64_t inode,
                                               std::string_view first_bytes) const {
  std::lock_guard l(mu_);
  auto it = files_.find(std::make_tuple(std::string(input), device, inode));
  if (it == files_.end()) return std::nullopt;
  const FileIdentity& id = it->second.id;
  if (first_bytes.size() < id.fingerprint_bytes) return std::nullopt;  // shorter than when seen: not that file
  if (Checksum(first_bytes.substr(0, id.fingerprint_bytes)) != id.fingerprint) return std::nullopt;
  return it->second;
}

void AgentState::Put(const FileCheckpoint& checkpoint) {
  std::lock_guard l(mu_);
  files_[{checkpoint.input, checkpoint.id.device, checkpoint.id.inode}] = checkpoint;
}

void AgentState::Remove(std::string_view input, uint64_t device, uint64_t inode) {
  std::lock_guard l(mu_);
  files_.erase(std::make_tuple(std::string(input), device, inode));
}

void AgentState::Retain(std::string_view input, const std::vector<std::pair<uint64_t, uint64_t>>& keep) {
  std::lock_guard l(mu_);
  std::erase_if(files_, [&](const auto& kv) {
    const auto& [in, dev, ino] = kv.first;
    if (in != input) return false;
    return std::find(keep.begin(), keep.end(), std::make_pair(dev, ino)) == keep.end();
  });
}

std::vector<FileCheckpoint> AgentState::Checkpoints() const {
  std::lock_guard l(mu_);
  std::vector<FileCheckpoint> out;
  for (const auto& [k, c] : files_) out.push_back(c);
  return out;
}

Status AgentState::Save() {
  std::lock_guard save(save_mu_);
  std::string text(kStateHeader);
  text += '\n';
  {
    std::lock_guard l(mu_);
    text += "acked " + std::to_string(acked_.segment) + " " + std::to_string(acked_.offset) + "\n";
    char hex[17];
    for (const auto& [k, c] : files_) {
      std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(c.id.fingerprint));
      text += "file " + c.input + " " + std::to_string(c.id.device) + " " + std::to_string(c.id.inode) + " " +
              std::to_string(c.id.fingerprint_bytes) + " " + hex + " " + std::to_string(c.offset) + " " + c.path + "\n";
    }
  }
  return env_->WriteFileAtomic(path_, text).Annotate("agent state " + path_);
}

}  // namespace sawlog::agent
