// The OpenTelemetry receiver: routing, the two encodings, OTLP-shaped replies.
#include "core/json_writer.h"
#include "ingest/otlp/otlp.h"
#include "ingest/receivers.h"

namespace sawlog {

namespace {

constexpr std::string_view kLogsPath = "/v1/logs";
constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr std::string_view kJson = "application/json";

class OtlpReceiver final : public Receiver {
 public:
  std::string_view name() const override { return "otlp"; }

  bool Serves(std::string_view, std::string_view path) const override { return path == kLogsPath; }

  Result<ReceiverResult> Handle(ReceiverRequest& req) const override {
    if (req.method != "POST") return Status::InvalidArgument(std::string(kLogsPath) + " takes POST");
    const bool proto = req.content_type == kProtobuf;
    if (!proto && req.content_type != kJson)
      return Status::Unsupported("unsupported Content-Type '" + std::string(req.content_type.substr(0, 80)) +
                                 "': OTLP/HTTP is application/x-protobuf or application/json");
    ASSIGN_OR_RETURN(auto batch, proto ? otlp::DecodeLogsProto(req.body, req.now_ns)
                                       : otlp::DecodeLogsJson(req.body, req.body.capacity() - req.body.size(), req.now_ns));
    ReceiverResult result;
    // OTLP: 200 even when some records are refused; partial_success says which.
    result.reply.content_type = std::string(proto ? kProtobuf : kJson);
    result.reply.body = proto ? otlp::ResponseProto(batch) : otlp::ResponseJson(batch);
    result.events = std::move(batch.events);
    result.rejected = batch.rejected_count;
    return result;
  }

  // OTLP's error body is a google.rpc.Status; sent as JSON, which the exporters read by the
  // Content-Type. Its code is gRPC's: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE...
  ReceiverReply ErrorReply(const Status& status) const override {
    ReceiverReply r;
    r.status = HttpStatus(status.code());
    const int grpc = r.status == 429 ? 8 : r.status == 503 ? 14 : r.status == 413 ? 8 : r.status >= 500 ? 13 : 3;
    r.body = "{\"code\":" + std::to_string(grpc) + ",\"message\":";
    AppendJsonString(&r.body, status.message());
    r.body += "}";
    return r;
  }
};

}  // namespace

std::unique_ptr<Receiver> MakeOtlpReceiver() { return std::make_unique<OtlpReceiver>(); }

}  // namespace sawlog
