// Event: one log record, the unit every subsystem passes along.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sawlog {

struct Field {
  std::string name;
  std::string value;
  bool operator==(const Field&) const = default;
};

struct Event {
  int64_t time = 0;         // the event's own time: UTC, nanoseconds since the Unix epoch
  int64_t ingest_time = 0;  // when sawlog received it, same unit
  std::string stream;       // canonical labels, e.g. {host="a",service="b"}; "{}" when none
  std::string msg;          // the _msg field
  std::vector<Field> fields;  // every other field, flattened, in arrival order

  // Value of a field by name, including the built-in _msg and _stream; nullptr when absent.
  const std::string* Find(std::string_view name) const;
  size_t ApproximateBytes() const;
  // ApproximateBytes in pieces, for code that holds an event's parts apart (merges build blocks
  // from columns and must cut them where a flush of the same events would): the event with its
  // stream and message, and each field.
  static size_t BaseBytes(size_t stream_size, size_t msg_size) { return sizeof(Event) + stream_size + msg_size; }
  static size_t FieldBytes(size_t name_size, size_t value_size) { return sizeof(Field) + name_size + value_size; }
  bool operator==(const Event&) const = default;
};

// Builds the canonical stream string from labels: sorted by name, values escaped.
std::string CanonicalStream(std::vector<std::pair<std::string, std::string>> labels);
// The labels of a canonical stream string, in its order; false when it is not one.
bool ParseCanonicalStream(std::string_view stream, std::vector<std::pair<std::string, std::string>>* labels);

// Tenants name directories, so their names are restricted: [A-Za-z0-9_-]{1,64}.
bool IsValidTenant(std::string_view tenant);
inline constexpr std::string_view kDefaultTenant = "default";

}  // namespace sawlog
