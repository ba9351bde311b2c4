// The Loki receiver: routing and Loki-shaped replies (204 on success, text errors).
#include "ingest/loki/loki.h"
#include "ingest/receivers.h"

namespace sawlog {

namespace {

constexpr std::string_view kPushPath = "/loki/api/v1/push";

class LokiReceiver final : public Receiver {
 public:
  std::string_view name() const override { return "loki"; }

  bool Serves(std::string_view, std::string_view path) const override { return path == kPushPath; }

  Result<ReceiverResult> Handle(ReceiverRequest& req) const override {
    if (req.method != "POST") return Status::InvalidArgument(std::string(kPushPath) + " takes POST");
    const bool proto = req.content_type == "application/x-protobuf";
    if (!proto && !req.content_type.empty() && req.content_type != "application/json")
      return Status::Unsupported("unsupported Content-Type '" + std::string(req.content_type.substr(0, 80)) +
                                 "': send JSON (application/json) or snappy-compressed protobuf (application/x-protobuf)");
    ASSIGN_OR_RETURN(auto batch, proto ? loki::DecodePushProto(req.body, kMaxBodyBytes, req.now_ns)
                                       : loki::DecodePushJson(req.body, req.now_ns));
    ReceiverResult result;
    result.events = std::move(batch.events);
    result.rejected = batch.rejected_count;
    if (batch.rejected_count == 0) {
      result.reply.status = 204;
      return result;
    }
    // Like Loki: the valid entries are stored, and the reply is 400 naming the rejected ones.
    std::string text = std::to_string(batch.rejected_count) + " of " +
                       std::to_string(batch.rejected_count + result.events.size()) + " entries rejected";
    for (const auto& r : batch.rejected) text += "\nentry " + std::to_string(r.line) + ": " + r.reason;
    if (batch.rejected_count > batch.rejected.size()) text += "\n...";
    result.reply.status = 400;
    result.reply.content_type = "text/plain";
    result.reply.body = text + "\n";
    return result;
  }

  ReceiverReply ErrorReply(const Status& status) const override { return TextErrorReply(status); }
};

}  // namespace

std::unique_ptr<Receiver> MakeLokiReceiver() { return std::make_unique<LokiReceiver>(); }

}  // namespace sawlog
