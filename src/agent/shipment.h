// Shipment: one request's worth of events as the disk buffer keeps it — already serialized as
// NDJSON and compressed, so that sending is a plain POST — with what the request needs besides
// the body. Record payload (DO NOT CHANGE: on disk):
//   version u8 (1) | tenant | stream fields (comma-separated) | events varint | encoding | body
// where tenant, stream fields, encoding ("zstd", "gzip" or "") and body are varint-length-prefixed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent_config.h"
#include "core/event.h"
#include "core/status.h"

namespace sawlog::agent {

inline constexpr uint8_t kShipmentVersion = 1;

struct Shipment {
  std::string tenant;         // empty: the server's default
  std::string stream_fields;  // the `_stream_fields` parameter
  uint64_t events = 0;
  std::string encoding;       // the Content-Encoding of body
  std::string body;
};

// Events as NDJSON lines: `_time` (RFC 3339, ns), `_msg`, then every field.
void AppendNdjson(const std::vector<Event>& events, std::string* out);
// Compresses `ndjson` as configured into a shipment.
Result<Shipment> MakeShipment(std::string tenant, std::string stream_fields, uint64_t events, std::string_view ndjson,
                              Compression compression);

std::string EncodeShipment(const Shipment& s);
// Corruption when the payload is not one.
Result<Shipment> DecodeShipment(std::string_view payload);

}  // namespace sawlog::agent
