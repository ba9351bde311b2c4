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
  if (parsed_->msg) out->msg.swap(*parsed_->msg);
  else out->msg.clear();
  // The parser's vector becomes the event's, and the parser is given room for as many fields
  // (and a hostname) for the next message: one allocation per event, no field moved.
  out->fields.clear();
  out->fields.swap(parsed_->fields);
  parsed_->fields.reserve(out->fields.size() + 2);
  // Indices, not pointers: adding the hostname may move the fields.
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t host = kNone, app = kNone;
  // Compared as string_views: their length first, instead of a memcmp for every field.
  constexpr std::string_view kHost = "hostname", kApp = "app_name";
  for (size_t i = 0; i < out->fields.size(); ++i) {
    const std::string_view name = out->fields[i].name;
    if (host == kNone && name == kHost) host = i;
    else if (app == kNone && name == kApp) app = i;
  }
  if (host == kNone) {
    host = out->fields.size();
    out->fields.push_back({"hostname", std::string(peer_host)});
  }
  const std::string& host_value = out->fields[host].value;
  const std::string* app_value = app == kNone ? nullptr : &out->fields[app].value;
  stream_key_.assign(host_value);
  stream_key_ += '\n';  // cannot be in a syslog header field
  if (app_value) stream_key_ += *app_value;
  auto it = streams_.find(stream_key_);
  if (it == streams_.end()) {
    if (streams_.size() >= kMaxCachedStreams) streams_.clear();
    std::vector<std::pair<std::string, std::string>> labels = {{"hostname", host_value}};
    if (app_value) labels.emplace_back("app_name", *app_value);
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
