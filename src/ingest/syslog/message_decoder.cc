// One syslog message to one event, through the syslog line parser.
#include "ingest/syslog/syslog.h"
#include "parse/parsers.h"

namespace sawlog::syslog {

MessageDecoder::MessageDecoder()
    : parser_(MakeSyslogParser(SyslogFormat::kAuto)), parsed_(std::make_unique<ParsedLine>()) {}

MessageDecoder::~MessageDecoder() = default;

Status MessageDecoder::Decode(std::string_view message, std::string_view peer_host, int64_t now_ns, Event* out) {
  // RFC 3164 timestamps have no year or zone: the year is the one nearest the receive time, the
  // zone UTC.
  ParseContext ctx;
  ctx.now = now_ns;
  RETURN_IF_ERROR(parser_->Parse(message, ctx, parsed_.get()));
  out->time = parsed_->time.value_or(now_ns);
  out->ingest_time = now_ns;
  out->msg = parsed_->msg ? std::move(*parsed_->msg) : std::string();
  out->fields = std::move(parsed_->fields);
  bool has_host = false;
  for (const auto& f : out->fields) has_host |= f.name == "hostname";
  if (!has_host) out->fields.push_back({"hostname", std::string(peer_host)});
  const std::string* host = nullptr;
  const std::string* app = nullptr;
  for (const auto& f : out->fields) {
    if (!host && f.name == "hostname") host = &f.value;
    else if (!app && f.name == "app_name") app = &f.value;
  }
  const std::string_view app_name = app ? std::string_view(*app) : std::string_view();
  if (last_stream_.empty() || *host != last_host_ || app_name != last_app_) {
    last_host_ = *host;
    last_app_ = app_name;
    std::vector<std::pair<std::string, std::string>> labels = {{"hostname", last_host_}};
    if (app) labels.emplace_back("app_name", last_app_);
    last_stream_ = CanonicalStream(std::move(labels));
  }
  out->stream = last_stream_;
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
