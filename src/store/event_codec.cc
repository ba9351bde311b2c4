#include "store/event_codec.h"

#include <cstring>

namespace sawlog {

// Limit on decoded field counts, so damaged bytes cannot ask for huge allocations.
constexpr uint64_t kMaxFieldsPerEvent = 1 << 16;

namespace {

// An event is written into room sized for it first: appending its dozen or more pieces one by
// one checks the string's capacity and calls memcpy for each, a good part of a WAL append.
size_t VarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

size_t LengthPrefixedSize(std::string_view s) { return VarintSize(s.size()) + s.size(); }

char* WriteVarint(char* p, uint64_t v) {
  for (; v >= 0x80; v >>= 7) *p++ = static_cast<char>(v | 0x80);
  *p++ = static_cast<char>(v);
  return p;
}

char* WriteLengthPrefixed(char* p, std::string_view s) {
  p = WriteVarint(p, s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

}  // namespace

void EncodeEvent(std::string* dst, const Event& e, bool with_stream) {
  const uint64_t time = ZigZag(e.time);
  // Usually small; wraps as DecodeEvent's sum does, for times far apart.
  const uint64_t delta = ZigZag(static_cast<int64_t>(static_cast<uint64_t>(e.ingest_time) - static_cast<uint64_t>(e.time)));
  size_t size = VarintSize(time) + VarintSize(delta) + LengthPrefixedSize(e.msg) + VarintSize(e.fields.size());
  if (with_stream) size += LengthPrefixedSize(e.stream);
  for (const auto& f : e.fields) size += LengthPrefixedSize(f.name) + LengthPrefixedSize(f.value);
  const size_t at = dst->size();
  dst->resize(at + size);
  char* p = dst->data() + at;
  p = WriteVarint(p, time);
  p = WriteVarint(p, delta);
  if (with_stream) p = WriteLengthPrefixed(p, e.stream);
  p = WriteLengthPrefixed(p, e.msg);
  p = WriteVarint(p, e.fields.size());
  for (const auto& f : e.fields) {
    p = WriteLengthPrefixed(p, f.name);
    p = WriteLengthPrefixed(p, f.value);
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
  e->ingest_time = static_cast<int64_t>(static_cast<uint64_t>(e->time) + static_cast<uint64_t>(delta));
  e->bytes = start.substr(0, start.size() - in->rest().size());
  return true;
}

bool DecodeEventViews(const EncodedEvent& e, std::string_view* msg, std::vector<FieldView>* fields) {
  // The message follows the stream, whose bytes lie within the encoding.
  const size_t after_stream = static_cast<size_t>(e.stream.data() + e.stream.size() - e.bytes.data());
  if (after_stream > e.bytes.size()) return false;
  Decoder in(e.bytes.substr(after_stream));
  uint64_t n;
  if (!in.GetLengthPrefixed(msg) || !in.GetVarint64(&n) || n > kMaxFieldsPerEvent) return false;
  for (uint64_t i = 0; i < n; ++i) {
    FieldView& f = fields->emplace_back();
    if (!in.GetLengthPrefixed(&f.first) || !in.GetLengthPrefixed(&f.second)) return false;
  }
  return true;
}

}  // namespace sawlog
