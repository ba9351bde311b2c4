// MultilineJoiner: puts the lines of one event back together when an application wrote it over
// several lines (stack traces, pretty-printed dumps), by a rule: a pattern that starts an event,
// or one that continues the event before. One joiner per source (file, container stream); not
// thread-safe. The clock is the caller's: Add() and Flush() take `now`, so tests need no sleeps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace re2 {
class RE2;
}

namespace sawlog {

// Exactly one of the two patterns (RE2 syntax, searched in the line; anchor with ^).
struct MultilineRule {
  std::string start;         // a line that matches starts an event; others continue it
  std::string continuation;  // a line that matches continues the event; others start one
};

// The built-in rules by name: "java" (stack traces: indented "at"/"..." lines, "Caused by:",
// "Suppressed:", a line naming an exception class), "python" (tracebacks: "Traceback (most recent
// call last):", indented frames, the closing "SomeError: ..." line), "go" (panics and goroutine
// dumps). InvalidArgument for other names, listing these.
Result<MultilineRule> BuiltinMultilineRule(std::string_view name);

// A line held longer than this without a next one is its own event (Flush).
inline constexpr int64_t kDefaultMultilineFlushTimeout = 1'000'000'000;  // 1 s: the flusher's period
// An event no larger than this; past it what is held goes out marked truncated. 1 MiB: as the
// partial-line joiner, larger than any stack trace, small enough for one WAL record.
inline constexpr size_t kDefaultMaxMultilineBytes = 1 << 20;

struct MultilineOptions {
  MultilineRule rule;
  int64_t flush_timeout = kDefaultMultilineFlushTimeout;  // ns
  size_t max_bytes = kDefaultMaxMultilineBytes;
};

struct MultilineEvent {
  std::string text;        // the lines, joined with '\n'
  bool truncated = false;  // cut at max_bytes: the rest follows as the next event(s)
};

class MultilineJoiner {
 public:
  // InvalidArgument when neither or both patterns are given, or one does not compile (naming it).
  static Result<std::unique_ptr<MultilineJoiner>> Make(const MultilineOptions& options);
  ~MultilineJoiner();

  // One line (without its terminator) received at `now` (ns); completed events go to `out`.
  void Add(std::string_view line, int64_t now, std::vector<MultilineEvent>* out);
  // Emits the held event when its last line came flush_timeout or more before `now`.
  void Flush(int64_t now, std::vector<MultilineEvent>* out);
  // Emits the held event whatever its age (end of file, shutdown).
  void FlushAll(std::vector<MultilineEvent>* out);
  size_t held_bytes() const { return held_.text.size(); }

 private:
  MultilineJoiner() = default;
  void Emit(std::vector<MultilineEvent>* out);
  void Append(std::string_view bytes, std::vector<MultilineEvent>* out);

  MultilineOptions options_;
  std::unique_ptr<re2::RE2> start_, continuation_;
  MultilineEvent held_;
  bool holding_ = false;
  int64_t last_line_at_ = 0;
};

}  // namespace sawlog
