// Status and Result<T>: expected failures as values.
//
// A Status is either OK or a Code plus a message that names what failed and where.
// Layers add context with Annotate() ("wal 000001.log offset 4096: checksum mismatch").
// The set of codes is closed and small; status.cc maps each to one HTTP status.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sawlog {

// DO NOT CHANGE the numeric values: they appear in logs and API error bodies.
enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,   // the caller's input is wrong: bad query, bad line, bad flag
  kNotFound = 2,
  kCorruption = 3,        // data on disk is damaged; message names file and offset
  kIOError = 4,           // the OS refused an operation
  kResourceExhausted = 5, // back-pressure: buffers full, retry later
  kUnavailable = 6,       // not serving: shutting down, peer down
  kDeadlineExceeded = 7,
  kUnsupported = 8,       // well-formed but not handled: unknown encoding, content type
  kInternal = 9,          // a bug
  kTooLarge = 10,         // a request, line or result over its limit
  kNoSpace = 11,          // the disk is full; nothing was acknowledged
};

std::string_view CodeName(Code code);
// The one table from codes to HTTP statuses.
int HttpStatus(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
  static Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status NoSpace(std::string m) { return {Code::kNoSpace, std::move(m)}; }
  // An IOError (NoSpace for ENOSPC/EDQUOT, NotFound for ENOENT) from errno, naming the operation and path.
  static Status FromErrno(int err, std::string_view op, std::string_view path);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "context: message", same code. No-op on OK.
  Status Annotate(std::string_view context) const;
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sawlog

#define SAWLOG_CONCAT_INNER(a, b) a##b
#define SAWLOG_CONCAT(a, b) SAWLOG_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::sawlog::Status _st = (expr);               \
    if (!_st.ok()) return _st;                   \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());`
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(SAWLOG_CONCAT(_res_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(res, lhs, rexpr) \
  auto res = (rexpr);                          \
  if (!res.ok()) return res.status();          \
  lhs = std::move(res).value()
