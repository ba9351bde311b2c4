// The protobuf push body: snappy (block format, no framing), then logproto.PushRequest.
#include <google/protobuf/arena.h>
#include <snappy.h>

#include "core/timestamp.h"
#include "ingest/loki/loki.h"
#include "ingest/protobuf_parse.h"
#include "loki/push.pb.h"

namespace sawlog::loki {

Result<DecodedBatch> DecodePushProto(std::string_view body, size_t max_bytes, int64_t now_ns) {
  size_t size = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &size))
    return Status::InvalidArgument("body is not snappy-compressed (Loki's protobuf push is a snappy block)");
  if (size > max_bytes)
    return Status::TooLarge("body inflates to " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(max_bytes) + " bytes");
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw))
    return Status::InvalidArgument("body is damaged snappy data");
  google::protobuf::Arena arena;
  auto* push = google::protobuf::Arena::CreateMessage<logproto::PushRequest>(&arena);
  RETURN_IF_ERROR(ParseProtobuf(raw, "a Loki PushRequest (after snappy)", push));
  DecodedBatch batch;
  size_t entry = 0;
  for (int si = 0; si < push->streams_size(); ++si) {
    const auto& s = push->streams(si);
    const std::string where_stream = "streams[" + std::to_string(si) + "]";
    auto labels = ParseLabelSet(s.labels());
    const std::string stream = labels.ok() ? CanonicalStream(*labels) : std::string();
    for (int ei = 0; ei < s.entries_size(); ++ei) {
      ++entry;
      const auto& in = s.entries(ei);
      const std::string where = where_stream + ".entries[" + std::to_string(ei) + "]";
      if (!labels.ok()) {
        batch.Reject(entry, where_stream + "." + labels.status().message());
        continue;
      }
      const auto& ts = in.timestamp();
      if (ts.seconds() < 0 || ts.nanos() < 0 || ts.nanos() >= kNanosPerSecond ||
          ts.seconds() > (INT64_MAX - ts.nanos()) / kNanosPerSecond) {
        batch.Reject(entry, where + ": the timestamp must be a time after 1970 and before 2262");
        continue;
      }
      if (in.line().size() > kMaxEventBytes) {
        batch.Reject(entry, where + ": line of " + std::to_string(in.line().size()) + " bytes exceeds the limit of " +
                                  std::to_string(kMaxEventBytes) + " bytes");
        continue;
      }
      Event e;
      e.time = ts.seconds() * kNanosPerSecond + ts.nanos();
      e.ingest_time = now_ns;
      e.stream = stream;
      e.msg = in.line();
      e.fields.reserve(in.structuredmetadata_size());
      for (const auto& m : in.structuredmetadata()) e.fields.push_back({m.name(), m.value()});
      batch.events.push_back(std::move(e));
    }
  }
  return batch;
}

}  // namespace sawlog::loki
