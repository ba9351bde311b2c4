// Splitting a request body into lines, shared by the line-oriented decoders (internal to ingest).
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace sawlog {

// Calls fn(line_number, line, bytes_after_line) for each non-blank line: lines end at '\n', a
// trailing '\r' is dropped, and lines of only spaces and tabs are skipped. Numbers are 1-based
// and count the blank lines too, so they match what the sender's editor shows.
template <typename Fn>
void ForEachLine(std::string_view body, Fn&& fn) {
  size_t pos = 0, number = 0;
  while (pos < body.size()) {
    const char* nl = static_cast<const char*>(std::memchr(body.data() + pos, '\n', body.size() - pos));
    size_t end = nl ? static_cast<size_t>(nl - body.data()) : body.size();
    ++number;
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
    if (!blank) fn(number, line, body.size() - (pos + line.size()));
    pos = end + 1;
  }
}

}  // namespace sawlog
