// One syslog message to one event, through the syslog line parser.
#include "ingest/syslog/syslog.h"
#include "core/coding.h"
#include "parse/parsers.h"

namespace sawlog::syslog {

MessageDecoder::MessageDecoder()
    : parser_(MakeSyslogParser(SyslogFormat::kAuto)), parsed_(std::make_unique<ParsedLine>()), streams_(16) {}

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
  // and two more for the next message (a hostname, or more structured data): one allocation
  // per event, no field moved, and rarely a vector grown (and left with twice its room).
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
  out->stream = StreamOf(out->fields[host].value, app == kNone ? nullptr : &out->fields[app].value);
  return Status::Ok();
}

const std::string& MessageDecoder::StreamOf(std::string_view host, const std::string* app) {
  stream_key_.clear();
  stream_key_.append(host);
  stream_key_ += '\n';  // cannot be in a syslog header field
  if (app) stream_key_.append(*app);
  const uint64_t hash = Checksum(stream_key_);  // XXH3: a good hash too
  CachedStream* slot = Find(hash, stream_key_);
  if (!slot->key.empty()) return slot->stream;
  if (cached_ >= kMaxCachedStreams) {
    for (CachedStream& s : streams_) s = {};
    cached_ = 0;
    slot = Find(hash, stream_key_);
  } else if (2 * (cached_ + 1) > streams_.size()) {
    std::vector<CachedStream> old(2 * streams_.size());
    old.swap(streams_);
    for (CachedStream& s : old)
      if (!s.key.empty()) *Find(s.hash, s.key) = std::move(s);
    slot = Find(hash, stream_key_);
  }
  std::vector<std::pair<std::string, std::string>> labels = {{"hostname", std::string(host)}};
  if (app) labels.emplace_back("app_name", *app);
  slot->hash = hash;
  slot->key = stream_key_;
  slot->stream = CanonicalStream(std::move(labels));
  ++cached_;
  return slot->stream;
}

MessageDecoder::CachedStream* MessageDecoder::Find(uint64_t hash, std::string_view key) {
  const size_t mask = streams_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    CachedStream& s = streams_[i];
    if (s.key.empty() || (s.hash == hash && s.key == key)) return &s;
  }
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
