#include "agent/shipment.h"

#include <zlib.h>
#include <zstd.h>

#include "core/coding.h"
#include "core/json_writer.h"
#include "core/timestamp.h"

namespace sawlog::agent {

namespace {

// zstd's level 1: the agent's CPU belongs to the applications beside it; already 5-10x on logs.
constexpr int kZstdLevel = 1;

Result<std::string> Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::Internal("deflateInit2 failed");
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("gzip compression failed");
  return out;
}

}  // namespace

void AppendNdjson(const std::vector<Event>& events, std::string* out) {
  // Lines read together share their read time: format it once.
  int64_t formatted_time = 0;
  std::string time_json;
  for (const Event& e : events) {
    if (time_json.empty() || e.time != formatted_time) {
      time_json.clear();
      AppendJsonString(&time_json, FormatRfc3339Nano(e.time));
      formatted_time = e.time;
    }
    out->append("{\"_time\":");
    out->append(time_json);
    out->append(",\"_msg\":");
    AppendJsonString(out, e.msg);
    for (const Field& f : e.fields) {
      if (f.name == "_time" || f.name == "_msg" || f.name == "_stream") continue;
      out->push_back(',');
      AppendJsonString(out, f.name);
      out->push_back(':');
      AppendJsonString(out, f.value);
    }
    out->append("}\n");
  }
}

Result<Shipment> MakeShipment(std::string tenant, std::string stream_fields, uint64_t events, std::string_view ndjson,
                              Compression compression) {
  Shipment s{std::move(tenant), std::move(stream_fields), events, "", ""};
  switch (compression) {
    case Compression::kZstd: {
      s.encoding = "zstd";
      s.body.resize(ZSTD_compressBound(ndjson.size()));
      size_t n = ZSTD_compress(s.body.data(), s.body.size(), ndjson.data(), ndjson.size(), kZstdLevel);
      if (ZSTD_isError(n)) return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      s.body.resize(n);
      break;
    }
    case Compression::kGzip: {
      s.encoding = "gzip";
      ASSIGN_OR_RETURN(s.body, Gzip(ndjson));
      break;
    }
    case Compression::kNone:
      s.body = std::string(ndjson);
      break;
  }
  return s;
}

std::string EncodeShipment(const Shipment& s) {
  std::string out;
  out.push_back(static_cast<char>(kShipmentVersion));
  PutLengthPrefixed(&out, s.tenant);
  PutLengthPrefixed(&out, s.stream_fields);
  PutVarint64(&out, s.events);
  PutLengthPrefixed(&out, s.encoding);
  PutLengthPrefixed(&out, s.body);
  return out;
}

Result<Shipment> DecodeShipment(std::string_view payload) {
  Decoder d(payload);
  uint64_t version = 0;
  Shipment s;
  if (!d.GetByte(&version) || version != kShipmentVersion) return Status::Corruption("unknown batch version " + std::to_string(version));
  if (!d.GetLengthPrefixed(&s.tenant) || !d.GetLengthPrefixed(&s.stream_fields) || !d.GetVarint64(&s.events) ||
      !d.GetLengthPrefixed(&s.encoding) || !d.GetLengthPrefixed(&s.body) || !d.empty())
    return Status::Corruption("a batch cut short or with trailing bytes");
  if (s.encoding != "" && s.encoding != "zstd" && s.encoding != "gzip") return Status::Corruption("unknown batch encoding '" + s.encoding + "'");
  if (!s.tenant.empty() && !IsValidTenant(s.tenant)) return Status::Corruption("a batch with a bad tenant name");
  return s;
}

}  // namespace sawlog::agent
