// One GELF message → an event, and a datagram's compression.
#include <charconv>
#include <cmath>

#include "core/timestamp.h"
#include "ingest/gelf/gelf.h"
#include "ingest/ingest.h"

namespace sawlog::gelf {

namespace {

// GELF's timestamp is seconds with decimals. The JSON parser gives numbers as their shortest
// exact text, which ParseEpoch reads digit by digit (no rounding through a double); only an
// exponent form ("1.7e+09") goes through a double, rounded to microseconds, finer than any GELF
// library sends. A string is tolerated (RFC 3339 or epoch).
Result<int64_t> ParseGelfTime(std::string_view text) {
  if (text.find_first_of("eE") == std::string_view::npos) return ParseTimestamp(text);
  double d = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(d) || std::fabs(d) >= 1e11)
    return Status::InvalidArgument("cannot parse '" + std::string(text.substr(0, 64)) + "' as seconds");
  const double secs = std::floor(d);
  return static_cast<int64_t>(secs) * kNanosPerSecond + std::llround((d - secs) * 1e6) * 1000;
}

}  // namespace

Result<Event> DecodeMessage(std::string_view json, int64_t now_ns, JsonParser* parser) {
  std::vector<Field> fields;
  if (Status st = parser->ParseObject(json, 0, &fields); !st.ok())
    return Status::InvalidArgument("GELF message is not a JSON object: " + st.message());
  Event e;
  e.time = e.ingest_time = now_ns;
  e.fields.reserve(fields.size());
  std::string* short_message = nullptr;
  std::vector<std::pair<std::string, std::string>> labels;
  bool have_time = false, have_host = false;
  for (auto& f : fields) {
    const std::string_view name = f.name;
    if (name == "version") {
      if (f.value != "1.1" && f.value != "1.0")
        return Status::InvalidArgument("unsupported GELF version '" + f.value.substr(0, 20) + "' (1.1 and 1.0 are)");
      continue;
    }
    if (name == "short_message" && short_message == nullptr) {
      short_message = &f.value;
      continue;
    }
    if (name == "timestamp" && !have_time) {
      auto t = ParseGelfTime(f.value);
      if (!t.ok()) return Status::InvalidArgument("GELF timestamp: " + t.status().message());
      e.time = *t;
      have_time = true;
      continue;
    }
    if (name == "host" && !have_host) {
      labels.emplace_back("host", std::move(f.value));
      have_host = true;
      continue;
    }
    // Additional fields: "_foo" is foo. "_" alone and "__foo" keep their names, so no field
    // becomes one of the built-in ones (_msg, _time, _stream).
    if (name.size() > 1 && name[0] == '_' && name[1] != '_') f.name.erase(0, 1);
    e.fields.push_back(std::move(f));
  }
  if (short_message != nullptr) {
    e.msg = std::move(*short_message);
  } else if (const std::string* full = e.Find("full_message")) {
    e.msg = *full;
  } else {
    return Status::InvalidArgument("GELF message has no short_message");
  }
  e.stream = CanonicalStream(std::move(labels));
  return e;
}

Result<std::string> Uncompress(std::string_view payload, size_t max_bytes) {
  if (!StartsLikeZlibOrGzip(payload)) {
    if (payload.size() > max_bytes)
      return Status::TooLarge("GELF message of " + std::to_string(payload.size()) + " bytes exceeds the limit of " +
                              std::to_string(max_bytes) + " bytes");
    return std::string(payload);
  }
  auto text = DecodeContent("gzip", std::string(payload), max_bytes);
  if (!text.ok()) return text.status().Annotate("compressed GELF message");
  return text;
}

}  // namespace sawlog::gelf
