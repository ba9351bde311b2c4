#include "ingest/protobuf_parse.h"

#include <google/protobuf/stubs/logging.h>

#include <mutex>
#include <string>

namespace sawlog {

namespace {

thread_local std::string* parse_log = nullptr;

void CaptureProtobufLog(google::protobuf::LogLevel, const char*, int, const std::string& message) {
  if (parse_log != nullptr && parse_log->empty()) *parse_log = message;
}

}  // namespace

Status ParseProtobuf(std::string_view body, std::string_view what, google::protobuf::MessageLite* message) {
  static std::once_flag log_handler;
  std::call_once(log_handler, [] { google::protobuf::SetLogHandler(CaptureProtobufLog); });
  std::string why;
  parse_log = &why;
  const bool parsed = message->ParseFromArray(body.data(), static_cast<int>(body.size()));
  parse_log = nullptr;
  if (parsed) return Status::Ok();
  return Status::InvalidArgument("body is not " + std::string(what) + " in protobuf" +
                                 (why.empty() ? std::string(" (malformed or truncated)") : ": " + why));
}

}  // namespace sawlog
