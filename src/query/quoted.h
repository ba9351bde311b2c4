// Quoted strings of the query language: "..." or '...', a backslash taking the next byte as is.
#pragma once

#include <string>
#include <string_view>

namespace sawlog::query {

// s[*i] is the opening quote. Appends the unescaped text to *out and moves *i past the closing
// quote; false (with *i at the end) when there is none.
inline bool ReadQuoted(std::string_view s, size_t* i, std::string* out) {
  const char quote = s[(*i)++];
  while (*i < s.size()) {
    if (s[*i] == '\\' && *i + 1 < s.size()) {
      *out += s[*i + 1];
      *i += 2;
    } else if (s[*i] == quote) {
      ++*i;
      return true;
    } else {
      *out += s[(*i)++];
    }
  }
  return false;
}

}  // namespace sawlog::query
