// Reading and writing an event's fields by name, as processors and queries name them: `_msg` is
// the message, `_stream` the stream, anything else a field of Event::fields.
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"

namespace sawlog::pipeline {

// The value, or nullptr when the event has no such field.
inline const std::string* GetField(const Event& e, std::string_view name) { return e.Find(name); }
std::string* GetMutableField(Event* e, std::string_view name);
// Sets the field, replacing its value when present (keeping its place) or appending it.
void SetField(Event* e, std::string_view name, std::string value);
// Removes the field (`_msg` is emptied; `_stream` cannot be removed). True when it was there.
bool RemoveField(Event* e, std::string_view name);

}  // namespace sawlog::pipeline

#include "pipeline/processor.h"

namespace sawlog::pipeline {

// A field-name pattern of remove/keep: a name, or a prefix ending in `*` (`http.*`).
inline bool NameMatches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

// Refuses, at the option `option`, a field name a processor may not write: empty, or one of the
// names the store keeps apart (`_time`, `_stream`, `_ingest_time`).
Status CheckWritableField(const Options& options, std::string_view option, std::string_view name);

}  // namespace sawlog::pipeline
