// The parse subsystem: turning the bytes of one log line into fields.
// JsonParser is the NDJSON decoder's; every line format, JSON included, is a LineParser
// (line_parser.h, the formats in parsers.h).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog {

// Parses one JSON object into flat fields: nested objects become dotted names ("a.b"), arrays
// stay as their JSON text, numbers keep their text as written, booleans are "true"/"false",
// nulls are dropped. Errors are InvalidArgument with the reason ("not a JSON object", "invalid
// UTF-8", fields that would take over 16 times the JSON's size, ...).
//
// One JsonParser per thread; it keeps its buffers between calls.
class JsonParser {
 public:
  JsonParser();
  ~JsonParser();
  JsonParser(const JsonParser&) = delete;
  JsonParser& operator=(const JsonParser&) = delete;

  // `padding` is how many readable bytes follow json in memory (the parser reads ahead up to
  // 64 bytes; with less, the line is copied first).
  Status ParseObject(std::string_view json, size_t padding, std::vector<Field>* fields);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sawlog
