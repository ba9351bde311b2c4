// Positions in query texts, for errors: "line 1, column 23: expected ')' after 'by (host'".
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sawlog::query {

// InvalidArgument "line L, column C: what" for the byte at offset (0-based) of the query text.
inline Status QueryErrorAt(std::string_view query, size_t offset, const std::string& what) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < query.size(); ++i) {
    if (query[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return Status::InvalidArgument("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
}

}  // namespace sawlog::query
