// A per-process scratch directory for fuzz targets that must go through real files,
// removed when the process exits.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace sawlog::fuzz {

inline const std::string& TempDir(const char* name) {
  static std::string* dir = nullptr;
  if (!dir) {
    std::string templ = std::string("/tmp/sawlog-fuzz-") + name + "-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    dir = new std::string(templ);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
    });
  }
  return *dir;
}

}  // namespace sawlog::fuzz
