#include "testing/mem_env.h"

namespace sawlog::testing {

namespace {
std::string Normalize(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}
}  // namespace

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path, std::shared_ptr<MemEnv::FileState> state)
      : env_(env), path_(std::move(path)), state_(std::move(state)) {}
  Status Append(std::string_view data) override {
    size_t allowed = data.size();
    Status st = env_->ChargeWrite(data.size(), &allowed);
    std::lock_guard l(env_->mu_);
    state_->data.append(data.substr(0, allowed));
    return st.ok() ? st : Status::NoSpace("disk full: write '" + path_ + "': injected");
  }
  Status Sync() override {
    std::lock_guard l(env_->mu_);
    if (env_->fail_sync_) return Status::IOError("fdatasync '" + path_ + "': injected failure");
    state_->synced = state_->data.size();
    return Status::Ok();
  }
  Status Close() override { return Status::Ok(); }
  uint64_t Size() const override {
    std::lock_guard l(env_->mu_);
    return state_->data.size();
  }

 private:
  MemEnv* env_;
  std::string path_;
  std::shared_ptr<MemEnv::FileState> state_;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::string data) : data_(std::move(data)) {}
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (offset >= data_.size()) {
      out->clear();
      return Status::Ok();
    }
    out->assign(data_, offset, n);
    return Status::Ok();
  }
  uint64_t Size() const override { return data_.size(); }

 private:
  std::string data_;  // a snapshot: parts and segments are read after they are complete
};

Status MemEnv::ChargeWrite(size_t n, size_t* allowed) {
  std::lock_guard l(mu_);
  if (write_budget_ < 0) return Status::Ok();
  if (static_cast<int64_t>(n) <= write_budget_) {
    write_budget_ -= static_cast<int64_t>(n);
    return Status::Ok();
  }
  *allowed = static_cast<size_t>(write_budget_);
  write_budget_ = 0;
  return Status::NoSpace("injected");
}

Result<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(const std::string& path) {
  std::lock_guard l(mu_);
  if (!dirs_.count(DirName(path))) return Status::NotFound("open '" + path + "': no such directory");
  auto state = std::make_shared<FileState>();
  files_[path] = state;
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, path, state));
}

Result<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  std::lock_guard l(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("open '" + path + "': no such file");
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(it->second->data));
}

bool MemEnv::FileExists(const std::string& path) {
  std::lock_guard l(mu_);
  return files_.count(path) || dirs_.count(Normalize(path));
}

Result<std::vector<std::string>> MemEnv::GetChildren(const std::string& dir_in) {
  std::lock_guard l(mu_);
  std::string dir = Normalize(dir_in);
  if (!dirs_.count(dir)) return Status::NotFound("list directory '" + dir + "': no such directory");
  std::set<std::string> out;
  for (const auto& [p, _] : files_)
    if (DirName(p) == dir) out.insert(p.substr(dir.size() + 1));
  for (const auto& d : dirs_)
    if (d != dir && DirName(d) == dir) out.insert(d.substr(dir.size() + 1));
  return std::vector<std::string>(out.begin(), out.end());
}

Status MemEnv::CreateDirs(const std::string& dir_in) {
  std::lock_guard l(mu_);
  // Directories are modelled as always durable: sawlog syncs their parents anyway.
  for (std::string d = Normalize(dir_in); !d.empty() && d != "." && d != "/"; d = DirName(d)) dirs_.insert(d);
  return Status::Ok();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard l(mu_);
  if (!files_.erase(path)) return Status::NotFound("remove '" + path + "': no such file");
  return Status::Ok();
}

Status MemEnv::RemoveDir(const std::string& dir) {
  std::lock_guard l(mu_);
  dirs_.erase(Normalize(dir));
  return Status::Ok();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard l(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound("rename '" + from + "': no such file");
  files_[to] = it->second;
  files_.erase(from);
  return Status::Ok();
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard l(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("truncate '" + path + "': no such file");
  it->second->data.resize(size);
  it->second->synced = std::min<size_t>(it->second->synced, size);
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& dir_in) {
  std::lock_guard l(mu_);
  if (fail_sync_) return Status::IOError("fsync directory '" + dir_in + "': injected failure");
  std::string dir = Normalize(dir_in);
  for (auto it = durable_files_.begin(); it != durable_files_.end();)
    it = DirName(it->first) == dir ? durable_files_.erase(it) : std::next(it);
  for (const auto& [p, s] : files_)
    if (DirName(p) == dir) durable_files_[p] = s;
  return Status::Ok();
}

int64_t MemEnv::NowNanos() {
  std::lock_guard l(mu_);
  return now_;
}

std::unique_ptr<MemEnv> MemEnv::CrashCopy() {
  std::lock_guard l(mu_);
  auto copy = std::make_unique<MemEnv>();
  copy->dirs_ = dirs_;
  copy->now_ = now_;
  for (const auto& [p, s] : durable_files_) {
    auto state = std::make_shared<FileState>();
    state->data = s->data.substr(0, s->synced);
    state->synced = state->data.size();
    copy->files_[p] = state;
    copy->durable_files_[p] = state;
  }
  return copy;
}

void MemEnv::SetWriteBudget(int64_t bytes) {
  std::lock_guard l(mu_);
  write_budget_ = bytes;
}

void MemEnv::SetFailSync(bool fail) {
  std::lock_guard l(mu_);
  fail_sync_ = fail;
}

void MemEnv::SetNow(int64_t nanos) {
  std::lock_guard l(mu_);
  now_ = nanos;
}

std::string* MemEnv::FileData(const std::string& path) {
  std::lock_guard l(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second->data;
}

}  // namespace sawlog::testing
