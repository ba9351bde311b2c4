#include "parse/multiline.h"

#include <re2/re2.h>

namespace sawlog {

namespace {

struct Builtin {
  std::string_view name;
  std::string_view continuation;
};

// Continuation patterns: a stack trace's lines never look like the first line of a log record.
constexpr Builtin kBuiltins[] = {
    // Indented frames ("\tat ...", "\t... 12 more"), causes, the line naming the exception (a
    // dotted class name ending in Exception, Error or Throwable, then ':' or the end), and the
    // second line of java.util.logging's SimpleFormatter ("SEVERE: message").
    {"java", R"(^(?:\s|Caused by:|Suppressed:|(?:SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): |[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:Exception|Error|Throwable)(?::|$)))"},
    // Tracebacks: the header, indented frames and source lines, the chained-exception notes, and
    // the closing "ValueError: ..." (a name ending in Error, Exception, Warning, Exit, Interrupt).
    {"python",
     R"(^(?:\s|Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause|[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt)(?::|$)))"},
    // Panics and goroutine dumps: blank lines, "goroutine N [state]:", function lines "pkg.f(...)",
    // indented file lines, "created by", "[recovered]", "exit status N".
    {"go", R"(^(?:\s|$|goroutine \d+ \[|created by |exit status \d+$|[\w./*()-]+\(.*\)$|\[signal ))"},
};

}  // namespace

Result<MultilineRule> BuiltinMultilineRule(std::string_view name) {
  std::string known;
  for (const auto& b : kBuiltins) {
    if (b.name == name) return MultilineRule{"", std::string(b.continuation)};
    known += (known.empty() ? "" : ", ") + std::string(b.name);
  }
  return Status::InvalidArgument("multiline: unknown built-in rule '" + std::string(name) + "' (known: " + known + ")");
}

MultilineJoiner::~MultilineJoiner() = default;

Result<std::unique_ptr<MultilineJoiner>> MultilineJoiner::Make(const MultilineOptions& options) {
  const MultilineRule& r = options.rule;
  if (r.start.empty() == r.continuation.empty())
    return Status::InvalidArgument("multiline: give exactly one of a start pattern and a continuation pattern");
  if (options.max_bytes == 0) return Status::InvalidArgument("multiline: the maximum event size must be at least 1 byte");
  std::unique_ptr<MultilineJoiner> j(new MultilineJoiner);
  j->options_ = options;
  RE2::Options opts;
  opts.set_log_errors(false);
  const bool start = !r.start.empty();
  auto re = std::make_unique<re2::RE2>(start ? r.start : r.continuation, opts);
  if (!re->ok())
    return Status::InvalidArgument(std::string("multiline: bad ") + (start ? "start" : "continuation") + " pattern '" +
                                   (start ? r.start : r.continuation) + "': " + re->error());
  (start ? j->start_ : j->continuation_) = std::move(re);
  return j;
}

void MultilineJoiner::Emit(std::vector<MultilineEvent>* out) {
  if (!holding_) return;
  out->push_back(std::move(held_));
  held_ = {};
  holding_ = false;
}

void MultilineJoiner::Add(std::string_view line, int64_t now, std::vector<MultilineEvent>* out) {
  re2::StringPiece piece(line.data(), line.size());
  const bool starts = start_ ? RE2::PartialMatch(piece, *start_) : !RE2::PartialMatch(piece, *continuation_);
  const bool joins = holding_ && !starts;
  if (!joins) {
    Emit(out);
    holding_ = true;
  }
  last_line_at_ = now;
  if (joins) Append("\n", out);
  Append(line, out);
}

void MultilineJoiner::Append(std::string_view bytes, std::vector<MultilineEvent>* out) {
  // Past the limit: emit what fits, marked truncated, and go on with the rest as a new event.
  // The held text never exceeds max_bytes.
  while (held_.text.size() + bytes.size() > options_.max_bytes) {
    const size_t room = options_.max_bytes - held_.text.size();
    held_.text.append(bytes.substr(0, room));
    bytes.remove_prefix(room);
    held_.truncated = true;
    Emit(out);
    holding_ = true;
  }
  held_.text.append(bytes);
}

void MultilineJoiner::Flush(int64_t now, std::vector<MultilineEvent>* out) {
  if (holding_ && now - last_line_at_ >= options_.flush_timeout) Emit(out);
}

void MultilineJoiner::FlushAll(std::vector<MultilineEvent>* out) { Emit(out); }

}  // namespace sawlog
