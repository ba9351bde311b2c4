// The JSON push body.
#include <simdjson.h>

#include <charconv>

#include "ingest/loki/loki.h"

namespace sawlog::loki {

namespace {

// Loki sends the time as a string of unix nanoseconds; a number is taken too.
bool EntryTime(simdjson::dom::element e, int64_t* ns) {
  std::string_view s;
  if (!e.get_string().get(s)) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *ns);
    return ec == std::errc() && p == s.data() + s.size() && *ns >= 0;
  }
  return !e.get_int64().get(*ns) && *ns >= 0;
}

}  // namespace

bool IsLabelName(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Result<DecodedBatch> DecodePushJson(std::string_view body, int64_t now_ns) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(body.data(), body.size(), true).get(doc))
    return Status::InvalidArgument(std::string("push body is not JSON: ") + simdjson::error_message(e));
  simdjson::dom::array streams;
  if (doc["streams"].get_array().get(streams))
    return Status::InvalidArgument("push body must be an object with an array 'streams'");
  DecodedBatch batch;
  size_t entry = 0, si = 0;
  std::vector<std::pair<std::string, std::string>> labels;
  for (simdjson::dom::element s : streams) {
    const std::string where_stream = "streams[" + std::to_string(si++) + "]";
    simdjson::dom::object stream_labels;
    simdjson::dom::array values;
    labels.clear();
    bool bad_labels = false;
    std::string label_error;
    if (s["stream"].get_object().get(stream_labels)) {
      bad_labels = true;
      label_error = where_stream + ".stream: expected an object of labels";
    } else {
      for (auto [k, v] : stream_labels) {
        std::string_view value;
        if (!IsLabelName(k)) {
          bad_labels = true;
          label_error = where_stream + ".stream: invalid label name '" + std::string(k.substr(0, 80)) +
                        "' (letters, digits and _, not starting with a digit)";
          break;
        }
        if (v.get_string().get(value)) {
          bad_labels = true;
          label_error = where_stream + ".stream: label '" + std::string(k) + "' must be a string";
          break;
        }
        labels.emplace_back(std::string(k), std::string(value));
      }
    }
    if (s["values"].get_array().get(values)) {
      batch.Reject(++entry, where_stream + ": expected an array 'values'");
      continue;
    }
    const std::string stream = CanonicalStream(labels);
    size_t vi = 0;
    for (simdjson::dom::element v : values) {
      ++entry;
      const std::string where = where_stream + ".values[" + std::to_string(vi++) + "]";
      if (bad_labels) {
        batch.Reject(entry, label_error);
        continue;
      }
      simdjson::dom::array tuple;
      if (v.get_array().get(tuple) || tuple.size() < 2 || tuple.size() > 3) {
        batch.Reject(entry, where + ": expected [\"<unix nanoseconds>\", \"<line>\"] or with a third item, an object of structured metadata");
        continue;
      }
      Event e;
      e.ingest_time = now_ns;
      if (!EntryTime(tuple.at(0).value_unsafe(), &e.time)) {
        batch.Reject(entry, where + ": the timestamp must be a string of unix nanoseconds");
        continue;
      }
      std::string_view line;
      if (tuple.at(1).get_string().get(line)) {
        batch.Reject(entry, where + ": the log line must be a string");
        continue;
      }
      if (line.size() > kMaxEventBytes) {
        batch.Reject(entry, where + ": line of " + std::to_string(line.size()) + " bytes exceeds the limit of " +
                                  std::to_string(kMaxEventBytes) + " bytes");
        continue;
      }
      bool bad = false;
      if (tuple.size() == 3) {
        simdjson::dom::object meta;
        if (tuple.at(2).get_object().get(meta)) {
          batch.Reject(entry, where + ": structured metadata must be an object");
          continue;
        }
        for (auto [k, mv] : meta) {
          std::string_view value;
          if (mv.get_string().get(value)) {
            batch.Reject(entry, where + ": structured metadata '" + std::string(k) + "' must be a string");
            bad = true;
            break;
          }
          e.fields.push_back({std::string(k), std::string(value)});
        }
      }
      if (bad) continue;
      e.msg = std::string(line);
      e.stream = stream;
      batch.events.push_back(std::move(e));
    }
  }
  return batch;
}

}  // namespace sawlog::loki
