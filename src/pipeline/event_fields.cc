#include "pipeline/event_fields.h"

#include <algorithm>

namespace sawlog::pipeline {

std::string* GetMutableField(Event* e, std::string_view name) {
  if (name == "_msg") return &e->msg;
  if (name == "_stream") return &e->stream;
  for (auto& f : e->fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

void SetField(Event* e, std::string_view name, std::string value) {
  if (std::string* v = GetMutableField(e, name)) {
    *v = std::move(value);
    return;
  }
  e->fields.push_back({std::string(name), std::move(value)});
}

bool RemoveField(Event* e, std::string_view name) {
  if (name == "_msg") {
    bool had = !e->msg.empty();
    e->msg.clear();
    return had;
  }
  auto it = std::find_if(e->fields.begin(), e->fields.end(), [&](const Field& f) { return f.name == name; });
  if (it == e->fields.end()) return false;
  e->fields.erase(it);
  return true;
}

}  // namespace sawlog::pipeline

namespace sawlog::pipeline {

Status CheckWritableField(const Options& options, std::string_view option, std::string_view name) {
  if (name.empty()) return options.Error(option, "empty field name");
  if (name == "_time" || name == "_stream" || name == "_ingest_time")
    return options.Error(option, "field '" + std::string(name) +
                                     "' cannot be written by a processor (set the time with `parse`)");
  return Status::Ok();
}

}  // namespace sawlog::pipeline
