#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "core/timestamp.h"

namespace sawlog {

namespace {
std::atomic<bool> g_enabled{true};
}

void SetLogEnabled(bool enabled) { g_enabled = enabled; }

void Log(LogLevel level, std::string_view message) {
  if (!g_enabled) return;
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  std::string ts = FormatRfc3339Nano(now);
  ts.erase(23, 6);  // milliseconds are enough for the server's own log
  const char* name = level == LogLevel::kInfo ? "info" : level == LogLevel::kWarn ? "warn" : "error";
  std::string line = ts + " " + name + " " + std::string(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sawlog
