// Parsing a protobuf message from a request body, with the reason when it fails.
#pragma once

#include <google/protobuf/message_lite.h>

#include <string_view>

#include "core/status.h"

namespace sawlog {

// Parses body into *message; InvalidArgument "body is not <what> in protobuf: <reason>" when it is
// not one. libprotobuf tells the reason (a string field that is not UTF-8, naming the field) only
// to its log, so this collects it there for the parsing thread, and keeps it out of the server's
// log.
Status ParseProtobuf(std::string_view body, std::string_view what, google::protobuf::MessageLite* message);

}  // namespace sawlog
