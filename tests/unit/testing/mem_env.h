// MemEnv: an in-memory Env for tests that models what survives a crash, and injects faults.
//
// Durability model (as on POSIX file systems): file data is durable up to the last Sync();
// a directory entry (a creation, a rename, a removal) is durable after SyncDir() of its
// directory. CrashCopy() leaves out everything that was not durable.
// Faults: a byte budget after which writes fail with NoSpace (the last write is cut where the
// budget ends, a torn write), failing syncs, and a fake clock.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/env.h"

namespace sawlog::testing {

class MemEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  int64_t NowNanos() override;

  // The file system as a power cut would leave it: only what was durable. The running code
  // keeps its (doomed) env; the test reopens on the copy.
  std::unique_ptr<MemEnv> CrashCopy();
  // Writes fail once this many more bytes have been written (-1: never).
  void SetWriteBudget(int64_t bytes);
  void SetFailSync(bool fail);
  void SetNow(int64_t nanos);
  // Direct access for tests that damage files on purpose.
  std::string* FileData(const std::string& path);

 private:
  struct FileState {
    std::string data;
    size_t synced = 0;
  };
  friend class MemWritableFile;
  Status ChargeWrite(size_t n, size_t* allowed);

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::map<std::string, std::shared_ptr<FileState>> durable_files_;
  std::set<std::string> dirs_;
  int64_t write_budget_ = -1;
  bool fail_sync_ = false;
  int64_t now_ = 1'700'000'000'000'000'000;
};

}  // namespace sawlog::testing
