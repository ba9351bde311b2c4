#include "core/status.h"

#include <cerrno>
#include <cstring>

namespace sawlog {

namespace {
struct CodeInfo {
  Code code;
  std::string_view name;
  int http;
};
// The one mapping from codes to HTTP statuses.
constexpr CodeInfo kCodes[] = {
    {Code::kOk, "OK", 200},
    {Code::kInvalidArgument, "InvalidArgument", 400},
    {Code::kNotFound, "NotFound", 404},
    {Code::kCorruption, "Corruption", 500},
    {Code::kIOError, "IOError", 500},
    {Code::kResourceExhausted, "ResourceExhausted", 429},
    {Code::kUnavailable, "Unavailable", 503},
    {Code::kDeadlineExceeded, "DeadlineExceeded", 504},
    {Code::kUnsupported, "Unsupported", 415},
    {Code::kTooLarge, "TooLarge", 413},
    {Code::kNoSpace, "NoSpace", 507},
    {Code::kInternal, "Internal", 500},
};
const CodeInfo& Info(Code code) {
  for (const auto& c : kCodes)
    if (c.code == code) return c;
  return kCodes[sizeof(kCodes) / sizeof(kCodes[0]) - 1];
}
}  // namespace

std::string_view CodeName(Code code) { return Info(code).name; }
int HttpStatus(Code code) { return Info(code).http; }

Status Status::FromErrno(int err, std::string_view op, std::string_view path) {
  std::string msg = std::string(op) + " '" + std::string(path) + "': " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return {Code::kNoSpace, "disk full: " + msg};
  if (err == ENOENT) return {Code::kNotFound, std::move(msg)};
  return {Code::kIOError, std::move(msg)};
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  return {code_, std::string(context) + ": " + message_};
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace sawlog
