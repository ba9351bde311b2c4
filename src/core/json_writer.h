// Writing JSON text: string escaping and a few helpers for building responses.
#pragma once

#include <string>
#include <string_view>

namespace sawlog {

// Appends s as a JSON string literal (quotes included). Invalid UTF-8 bytes become U+FFFD so
// the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);

// {"error":{"code":"InvalidArgument","message":"..."}}
class Status;
std::string ErrorJson(const Status& status);

}  // namespace sawlog
