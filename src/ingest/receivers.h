// Receivers: the HTTP protocols of other shippers that the server speaks on its own port
// (Elasticsearch _bulk, Loki push, OTLP/HTTP logs, GELF over HTTP). Every receiver is one folder under src/ingest/ and one entry
// of the list in receivers.cc; the server routes a request to the first receiver that serves it.
//
// Protocol: the server decodes the Content-Encoding (at most kMaxBodyBytes), calls Handle, runs
// the receiver's pipeline (configured by name(), docs/pipeline.md) over the returned events,
// appends them to the store (durable after the WAL fsync) and only then sends the returned reply.
// When Handle or the append fails, the reply is ErrorReply(status), in the protocol's own error
// format, with the HTTP status of the code table (429 + Retry-After when the store pushes back).
//
// Thread safety: receivers are immutable; Handle may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog {

struct ReceiverRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // decoded, without the query string
  std::string_view content_type;  // the media type, without parameters; may be empty
  // The decoded body; its capacity leaves at least 64 bytes after size() (JsonParser's padding).
  std::string body;
  int64_t now_ns = 0;  // the receive time
};

struct ReceiverReply {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ReceiverResult {
  std::vector<Event> events;  // to store before the reply is sent; empty for probes
  size_t rejected = 0;        // items refused with a per-item error (counted on /metrics)
  ReceiverReply reply;
};

class Receiver {
 public:
  virtual ~Receiver() = default;
  // Its name in the pipeline configuration's `receivers` (pipeline::kReceiverNames).
  virtual std::string_view name() const = 0;
  // Whether this receiver answers the request.
  virtual bool Serves(std::string_view method, std::string_view path) const = 0;
  // Decodes a request. Per-item errors are in the reply; a request-level error (a malformed
  // body as a whole) is an error Status, answered with ErrorReply.
  virtual Result<ReceiverResult> Handle(ReceiverRequest& request) const = 0;
  virtual ReceiverReply ErrorReply(const Status& status) const = 0;
};

// An error as a text/plain reply: the code table's status and the message (Loki, Graylog).
ReceiverReply TextErrorReply(const Status& status);

// The receivers, in routing order.
const std::vector<std::unique_ptr<Receiver>>& Receivers();

// Makers of the receivers of receivers.cc, one per folder.
std::unique_ptr<Receiver> MakeElasticsearchReceiver();
std::unique_ptr<Receiver> MakeLokiReceiver();
std::unique_ptr<Receiver> MakeOtlpReceiver();
std::unique_ptr<Receiver> MakeGelfReceiver();

}  // namespace sawlog
