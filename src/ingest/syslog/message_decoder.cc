// One syslog message to one event, through the syslog line parser.
#include "ingest/syslog/syslog.h"
#include "parse/parsers.h"

namespace sawlog::syslog {

MessageDecoder::MessageDecoder()
    : parser_(MakeSyslogParser(SyslogFormat::kAuto)), parsed_(std::make_unique<ParsedLine>()) {}

MessageDecoder::~MessageDecoder() = default;

Status MessageDecoder::Decode(std::string_view message, std::string_view peer_host, int64_t now_ns, Event* out) {
  // RFC 3164 timestamps have no year or zone: the year is inferred from the receive time
  // (WallTimeToInstant), the zone is UTC.
  ParseContext ctx;
  ctx.now = now_ns;
  RETURN_IF_ERROR(parser_->Parse(message, ctx, parsed_.get()));
  out->time = parsed_->time.value_or(now_ns);
  out->ingest_time = now_ns;
  out->msg = parsed_->msg ? std::move(*parsed_->msg) : std::string();
  // Moved field by field into a vector of the right size: the parser keeps its own vector's
  // capacity for the next message.
  out->fields.clear();
  out->fields.reserve(parsed_->fields.size() + 1);
  const std::string* host = nullptr;
  const std::string* app = nullptr;
  // Compared as string_views: their length first, instead of a memcmp for every field.
  constexpr std::string_view kHost = "hostname", kApp = "app_name";
  for (auto& f : parsed_->fields) {
    out->fields.push_back(std::move(f));
    const std::string_view name = out->fields.back().name;
    if (!host && name == kHost) host = &out->fields.back().value;
    else if (!app && name == kApp) app = &out->fields.back().value;
  }
  if (!host) {
    out->fields.push_back({"hostname", std::string(peer_host)});  // within the reserved size
    host = &out->fields.back().value;
  }
  stream_key_.assign(*host);
  stream_key_ += '\n';  // cannot be in a syslog header field
  if (app) stream_key_ += *app;
  auto it = streams_.find(stream_key_);
  if (it == streams_.end()) {
    if (streams_.size() >= kMaxCachedStreams) streams_.clear();
    std::vector<std::pair<std::string, std::string>> labels = {{"hostname", *host}};
    if (app) labels.emplace_back("app_name", *app);
    it = streams_.emplace(stream_key_, CanonicalStream(std::move(labels))).first;
  }
  out->stream = it->second;
  return Status::Ok();
}

std::string_view PeerHost(std::string_view address) {
  if (address.starts_with('[')) {
    size_t close = address.find(']');
    return close == std::string_view::npos ? address : address.substr(1, close - 1);
  }
  size_t colon = address.rfind(':');
  // More than one colon: an IPv6 address without a port.
  if (colon == std::string_view::npos || address.find(':') != colon) return address;
  return address.substr(0, colon);
}

}  // namespace sawlog::syslog
