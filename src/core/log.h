// The server's own log lines: one line each on stderr, "2026-11-26T14:00:00.000Z level message".
#pragma once

#include <string_view>

namespace sawlog {

enum class LogLevel { kInfo, kWarn, kError };
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }
// Tests silence the log; the server leaves it on.
void SetLogEnabled(bool enabled);

}  // namespace sawlog
