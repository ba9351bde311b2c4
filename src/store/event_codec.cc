#include "store/event_codec.h"

namespace sawlog {

// Limit on decoded field counts, so damaged bytes cannot ask for huge allocations.
constexpr uint64_t kMaxFieldsPerEvent = 1 << 16;

void EncodeEvent(std::string* dst, const Event& e, bool with_stream) {
  PutVarsint64(dst, e.time);
  PutVarsint64(dst, e.ingest_time - e.time);  // usually small
  if (with_stream) PutLengthPrefixed(dst, e.stream);
  PutLengthPrefixed(dst, e.msg);
  PutVarint64(dst, e.fields.size());
  for (const auto& f : e.fields) {
    PutLengthPrefixed(dst, f.name);
    PutLengthPrefixed(dst, f.value);
  }
}

bool DecodeEvent(Decoder* in, Event* e, bool with_stream) {
  int64_t delta;
  uint64_t n;
  if (!in->GetVarsint64(&e->time) || !in->GetVarsint64(&delta)) return false;
  e->ingest_time = static_cast<int64_t>(static_cast<uint64_t>(e->time) + static_cast<uint64_t>(delta));
  if (with_stream && !in->GetLengthPrefixed(&e->stream)) return false;
  if (!in->GetLengthPrefixed(&e->msg) || !in->GetVarint64(&n) || n > kMaxFieldsPerEvent) return false;
  e->fields.resize(n);
  for (auto& f : e->fields)
    if (!in->GetLengthPrefixed(&f.name) || !in->GetLengthPrefixed(&f.value)) return false;
  return true;
}

bool SkipEvent(Decoder* in, EncodedEvent* e) {
  const std::string_view start = in->rest();
  int64_t delta;
  uint64_t n;
  std::string_view skipped;
  if (!in->GetVarsint64(&e->time) || !in->GetVarsint64(&delta) || !in->GetLengthPrefixed(&e->stream) ||
      !in->GetLengthPrefixed(&skipped) || !in->GetVarint64(&n) || n > kMaxFieldsPerEvent)
    return false;
  for (uint64_t i = 0; i < n; ++i)
    if (!in->GetLengthPrefixed(&skipped) || !in->GetLengthPrefixed(&skipped)) return false;
  e->bytes = start.substr(0, start.size() - in->rest().size());
  return true;
}

bool DecodeEventViews(const EncodedEvent& e, int64_t* ingest_time, std::string_view* msg,
                      std::vector<FieldView>* fields) {
  Decoder in(e.bytes);
  int64_t time, delta;
  uint64_t n;
  std::string_view stream;
  if (!in.GetVarsint64(&time) || !in.GetVarsint64(&delta) || !in.GetLengthPrefixed(&stream) ||
      !in.GetLengthPrefixed(msg) || !in.GetVarint64(&n) || n > kMaxFieldsPerEvent)
    return false;
  *ingest_time = static_cast<int64_t>(static_cast<uint64_t>(time) + static_cast<uint64_t>(delta));
  for (uint64_t i = 0; i < n; ++i) {
    FieldView& f = fields->emplace_back();
    if (!in.GetLengthPrefixed(&f.first) || !in.GetLengthPrefixed(&f.second)) return false;
  }
  return true;
}

}  // namespace sawlog
