// One forward-protocol message → events: the four modes, entry times, records flattened.
#include <charconv>
#include <cmath>
#include <limits>

#include "core/coding.h"
#include "core/json_writer.h"
#include "core/timestamp.h"
#include "ingest/forward/forward.h"
#include "ingest/forward/msgpack_reader.h"
#include "ingest/ingest.h"

namespace sawlog::forward {

namespace {

using msgpack::Reader;
using msgpack::Type;
using msgpack::Value;

constexpr int8_t kEventTimeExt = 0;

// EventTime: seconds and nanoseconds, big-endian uint32s.
bool EventTimeNs(const Value& v, int64_t* ns) {
  if (v.type != Type::kExt || v.ext_type != kEventTimeExt || v.bytes.size() != 8) return false;
  uint64_t secs = 0, nanos = 0;
  for (int i = 0; i < 4; ++i) secs = secs << 8 | static_cast<uint8_t>(v.bytes[i]);
  for (int i = 4; i < 8; ++i) nanos = nanos << 8 | static_cast<uint8_t>(v.bytes[i]);
  if (nanos >= static_cast<uint64_t>(kNanosPerSecond)) return false;
  *ns = static_cast<int64_t>(secs) * kNanosPerSecond + static_cast<int64_t>(nanos);
  return true;
}

// An entry's time: integer seconds, an EventTime, or (some clients) float seconds; nil and 0 mean
// "now", as Fluentd's in_forward takes them.
bool EntryTime(const Value& v, int64_t now_ns, int64_t* ns) {
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kNanosPerSecond;
  switch (v.type) {
    case Type::kNil: *ns = now_ns; return true;
    case Type::kInt:
      if (v.i < -kMaxSeconds || v.i > kMaxSeconds) return false;
      *ns = v.i == 0 ? now_ns : v.i * kNanosPerSecond;
      return true;
    case Type::kFloat: {
      if (!std::isfinite(v.f) || std::fabs(v.f) >= static_cast<double>(kMaxSeconds)) return false;
      const double secs = std::floor(v.f);
      *ns = static_cast<int64_t>(secs) * kNanosPerSecond + std::llround((v.f - secs) * 1e9);
      if (*ns == 0) *ns = now_ns;
      return true;
    }
    case Type::kExt: return EventTimeNs(v, ns);
    default: return false;
  }
}

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kNil: return "nil";
    case Type::kBool: return "a boolean";
    case Type::kInt: case Type::kUint: return "an integer";
    case Type::kFloat: return "a float";
    case Type::kStr: return "a string";
    case Type::kBin: return "a binary";
    case Type::kArray: return "an array";
    case Type::kMap: return "a map";
    case Type::kExt: return "an extension";
  }
  return "?";
}

// The text of a scalar: strings and binaries as they are, numbers in decimal (floats the shortest
// text that reads back the same), booleans true/false, an EventTime as RFC 3339, other extensions
// in hex. False for nil and containers.
bool ScalarText(const Value& v, std::string* out) {
  char buf[32];
  switch (v.type) {
    case Type::kStr: case Type::kBin: out->append(v.bytes); return true;
    case Type::kInt: out->append(buf, std::to_chars(buf, buf + sizeof(buf), v.i).ptr); return true;
    case Type::kUint: out->append(buf, std::to_chars(buf, buf + sizeof(buf), v.u).ptr); return true;
    case Type::kFloat: out->append(buf, std::to_chars(buf, buf + sizeof(buf), v.f).ptr); return true;
    case Type::kBool: out->append(v.boolean ? "true" : "false"); return true;
    case Type::kExt: {
      int64_t ns;
      out->append(EventTimeNs(v, &ns) ? FormatRfc3339Nano(ns) : HexString(v.bytes));
      return true;
    }
    default: return false;
  }
}

// Records → fields, as the JSON parser flattens objects: nested maps become dotted names, arrays
// their JSON text, nils are dropped. Stops once the fields pass max_bytes: every leaf repeats its
// path, so a long key above many small values would otherwise multiply the message's size.
class Flattener {
 public:
  Flattener(Reader* r, size_t max_bytes) : r_(r), max_bytes_(max_bytes) {}

  bool Record(uint32_t pairs, std::vector<Field>* fields, std::string* why) {
    std::string name;
    return Map(pairs, &name, 0, fields, why);
  }

 private:
  bool Map(uint32_t pairs, std::string* name, int depth, std::vector<Field>* fields, std::string* why) {
    if (depth >= kMaxRecordDepth) return Fail(why, "record nested deeper than " + std::to_string(kMaxRecordDepth) + " levels");
    const size_t base = name->size();
    Value k, v;
    for (uint32_t i = 0; i < pairs; ++i) {
      if (!Read(&k, why)) return false;
      if (base > 0) name->push_back('.');
      if (!ScalarText(k, name)) return Fail(why, "a record key is " + std::string(TypeName(k.type)));
      if (!Read(&v, why)) return false;
      std::string text;
      if (v.type == Type::kMap) {
        if (!Map(v.count, name, depth + 1, fields, why)) return false;
      } else if (v.type == Type::kArray ? Json(v, &text, depth + 1, why) : ScalarText(v, &text)) {
        bytes_ += name->size() + text.size();
        if (bytes_ > max_bytes_) return Fail(why, "event exceeds the limit of " + std::to_string(max_bytes_) + " bytes");
        fields->push_back({*name, std::move(text)});
      } else if (!why->empty()) {
        return false;
      }
      name->resize(base);
    }
    return true;
  }

  bool Json(const Value& v, std::string* out, int depth, std::string* why) {
    if (depth >= kMaxRecordDepth) return Fail(why, "record nested deeper than " + std::to_string(kMaxRecordDepth) + " levels");
    Value item;
    switch (v.type) {
      case Type::kArray:
        out->push_back('[');
        for (uint32_t i = 0; i < v.count; ++i) {
          if (i > 0) out->push_back(',');
          if (!Read(&item, why) || !Json(item, out, depth + 1, why)) return false;
        }
        out->push_back(']');
        return true;
      case Type::kMap:
        out->push_back('{');
        for (uint32_t i = 0; i < v.count; ++i) {
          if (i > 0) out->push_back(',');
          std::string key;
          if (!Read(&item, why)) return false;
          if (!ScalarText(item, &key)) return Fail(why, "a map key is " + std::string(TypeName(item.type)));
          AppendJsonString(out, key);
          out->push_back(':');
          if (!Read(&item, why) || !Json(item, out, depth + 1, why)) return false;
        }
        out->push_back('}');
        return true;
      case Type::kNil: out->append("null"); return true;
      case Type::kStr: case Type::kBin: case Type::kExt: {
        std::string text;
        ScalarText(v, &text);
        AppendJsonString(out, text);
        return true;
      }
      case Type::kFloat:
        if (!std::isfinite(v.f)) return out->append("null"), true;
        [[fallthrough]];
      default: ScalarText(v, out); return true;
    }
  }

  bool Read(Value* v, std::string* why) {
    if (r_->Read(v)) return true;
    return Fail(why, r_->error());
  }
  static bool Fail(std::string* why, std::string what) {
    *why = std::move(what);
    return false;
  }

  Reader* r_;
  const size_t max_bytes_;
  size_t bytes_ = 0;
};

class Decoder {
 public:
  Decoder(int64_t now_ns, size_t max_event_bytes, DecodedMessage* out)
      : now_ns_(now_ns), max_event_bytes_(max_event_bytes), out_(out) {}

  Status Decode(std::string_view message) {
    Reader r(message);
    Value v, tag, second;
    if (!r.Read(&v) || v.type != Type::kArray || v.count < 2 || v.count > 4)
      return Bad("a message must be an array: [tag, time, record, option?], [tag, [[time, record], ...], option?] "
                 "or [tag, packed entries, option?]");
    if (!r.Read(&tag) || (tag.type != Type::kStr && tag.type != Type::kBin)) return Bad("the tag must be a string");
    stream_ = CanonicalStream({{"tag", std::string(tag.bytes)}});
    const std::string_view items = message.substr(r.offset());
    if (!r.Read(&second)) return Bad(r.error());
    const bool forward = second.type == Type::kArray;
    const bool packed = second.type == Type::kStr || second.type == Type::kBin;
    if (!forward && !packed && v.count < 3) return Bad("a Message-mode message needs [tag, time, record]");

    // The items after the tag; the option, when there is one, is the last.
    Reader rest(items);
    std::string_view entries, record;
    if (!rest.Skip(&entries) || (!forward && !packed && !rest.Skip(&record))) return Bad(rest.error());
    std::string_view compressed;
    if (!rest.at_end()) RETURN_IF_ERROR(Option(&rest, &compressed));
    if (!rest.at_end()) return Bad("unexpected items after the option");

    if (!forward && !packed) {  // Message: time and record, side by side
      Entry(0, items.substr(0, entries.size() + record.size()));
      return Status::Ok();
    }
    if (forward) {
      Reader list(entries);
      list.Read(&v);
      for (uint32_t i = 0; i < v.count; ++i) {
        std::string_view pair;
        if (!list.Skip(&pair)) return Bad(list.error());
        Pair(i, pair);
      }
      return Status::Ok();
    }
    // PackedForward: the entries as a msgpack stream, gzipped when CompressedPackedForward.
    std::string inflated;
    std::string_view stream = second.bytes;
    if (compressed == "gzip") {
      auto body = DecodeContent("gzip", std::string(stream), kMaxBodyBytes);
      if (!body.ok()) return Bad("CompressedPackedForward entries: " + body.status().message());
      inflated = std::move(body).value();
      stream = inflated;
    } else if (!compressed.empty() && compressed != "text") {
      return Status::Unsupported("unsupported compression '" + std::string(compressed.substr(0, 40)) + "' (gzip is)");
    }
    Reader list(stream);
    for (uint32_t i = 0; !list.at_end(); ++i) {
      std::string_view pair;
      if (!list.Skip(&pair)) return Bad("packed entries: " + list.error());
      Pair(i, pair);
    }
    return Status::Ok();
  }

 private:
  static Status Bad(std::string what) { return Status::InvalidArgument(std::move(what)); }

  void Reject(uint32_t entry, std::string why) {
    out_->errors.push_back("entry " + std::to_string(entry) + ": " + why);
  }

  // The option map: "chunk" and "compressed" are read; "size" and others only say things.
  Status Option(Reader* r, std::string_view* compressed) {
    std::string_view bytes;
    if (!r->Skip(&bytes)) return Bad(r->error());
    Reader o(bytes);
    Value v, k, val;
    o.Read(&v);
    if (v.type == Type::kNil) return Status::Ok();
    if (v.type != Type::kMap) return Bad("the option must be a map, not " + std::string(TypeName(v.type)));
    for (uint32_t i = 0; i < v.count; ++i) {
      std::string_view value;
      if (!o.Read(&k) || !o.Skip(&value)) return Bad(o.error());
      Reader(value).Read(&val);
      if (k.type != Type::kStr || (val.type != Type::kStr && val.type != Type::kBin)) continue;
      if (k.bytes == "chunk") {
        out_->chunk = std::string(val.bytes);
        out_->has_chunk = true;
      } else if (k.bytes == "compressed") {
        *compressed = val.bytes;
      }
    }
    return Status::Ok();
  }

  // One [time, record] of Forward and PackedForward.
  void Pair(uint32_t index, std::string_view pair) {
    Reader r(pair);
    Value v;
    r.Read(&v);
    if (v.type != Type::kArray || v.count != 2)
      return Reject(index, "an entry must be [time, record], not " + std::string(TypeName(v.type)));
    Entry(index, pair.substr(r.offset()));
  }

  // A time and a record, side by side.
  void Entry(uint32_t index, std::string_view bytes) {
    Reader r(bytes);
    Value time, record;
    r.Read(&time);
    r.Read(&record);
    Event e;
    e.ingest_time = now_ns_;
    e.stream = stream_;
    if (!EntryTime(time, now_ns_, &e.time))
      return Reject(index, "the time must be an integer, a float or an EventTime (ext type 0), not " + std::string(TypeName(time.type)));
    if (record.type != Type::kMap)
      return Reject(index, "the record must be a map, not " + std::string(TypeName(record.type)));
    std::string why;
    if (!Flattener(&r, max_event_bytes_).Record(record.count, &e.fields, &why)) return Reject(index, why);
    TakeMessage(&e);
    if (e.ApproximateBytes() > max_event_bytes_)
      return Reject(index, "event of " + std::to_string(e.ApproximateBytes()) + " bytes exceeds the limit of " +
                               std::to_string(max_event_bytes_) + " bytes");
    out_->events.push_back(std::move(e));
  }

  static void TakeMessage(Event* e) {
    for (std::string_view key : kMessageKeys) {
      for (auto it = e->fields.begin(); it != e->fields.end(); ++it) {
        if (it->name != key) continue;
        e->msg = std::move(it->value);
        e->fields.erase(it);
        return;
      }
    }
  }

  int64_t now_ns_;
  size_t max_event_bytes_;
  DecodedMessage* out_;
  std::string stream_;
};

}  // namespace

Status DecodeMessage(std::string_view message, int64_t now_ns, size_t max_event_bytes, DecodedMessage* out) {
  return Decoder(now_ns, max_event_bytes, out).Decode(message);
}

}  // namespace sawlog::forward
