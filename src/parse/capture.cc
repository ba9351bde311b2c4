#include "parse/capture.h"

#include <algorithm>

namespace sawlog {

bool TakeCaptureOption(const std::string& key, const std::string& value, CaptureOptions* o, bool* replaced_time,
                       bool* replaced_msg, Status* status) {
  if (key == "time_field") {
    if (!*replaced_time) o->time_fields.clear();
    *replaced_time = true;
    o->time_fields.push_back(value);
  } else if (key == "msg_field") {
    if (!*replaced_msg) o->msg_fields.clear();
    *replaced_msg = true;
    o->msg_fields.push_back(value);
  } else if (key == "time_format") {
    auto f = TimeFormat::Compile(value);
    if (!f.ok()) *status = f.status();
    o->time_format = value;
  } else {
    return false;
  }
  return true;
}

TimeContext TimeContextOf(const ParseContext& ctx) {
  TimeContext t;
  t.now = ctx.now;
  t.zone = ctx.zone;
  t.utc_offset_seconds = ctx.utc_offset_seconds;
  return t;
}

Result<CaptureSink> CaptureSink::Make(std::string_view parser, const CaptureOptions& options) {
  CaptureSink sink;
  sink.parser_ = std::string(parser);
  sink.options_ = options;
  if (!options.time_format.empty()) {
    auto f = TimeFormat::Compile(options.time_format);
    if (!f.ok()) return Status::InvalidArgument(std::string(parser) + ": time_format: " + f.status().message());
    sink.format_ = std::move(f).value();
  }
  return sink;
}

CaptureSink::Role CaptureSink::RoleOf(std::string_view name) const {
  auto has = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), name) != v.end(); };
  if (has(options_.time_fields)) return Role::kTime;
  if (has(options_.msg_fields)) return Role::kMsg;
  return Role::kField;
}

Status CaptureSink::Add(std::string_view name, Role role, std::string_view value, size_t offset,
                        const ParseContext& ctx, ParsedLine* out) const {
  if (role == Role::kTime && !out->time) {
    auto t = format_ ? format_->Parse(value, TimeContextOf(ctx)) : ParseAnyTimestamp(value, TimeContextOf(ctx));
    if (!t.ok()) return LineError(parser_, offset, "field '" + std::string(name) + "': " + t.status().message());
    out->time = t.value().nanos;
    out->time_suspicious = t.value().suspicious;
    return Status::Ok();
  }
  if (role == Role::kMsg && !out->msg) {
    out->msg.emplace(value);
    return Status::Ok();
  }
  out->fields.push_back({std::string(name), std::string(value)});
  return Status::Ok();
}

Result<RegexProgram> RegexProgram::Make(std::string_view parser, std::string_view regex,
                                        std::vector<std::string> names, RE2::Anchor anchor, const CaptureSink& sink) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);  // grok's expanded patterns (IPv6 alternatives) need more than the 8 MiB default
  auto re = std::make_shared<const RE2>(re2::StringPiece(regex.data(), regex.size()), opts);
  if (!re->ok())
    return Status::InvalidArgument(std::string(parser) + ": bad regex: " + re->error() +
                                   (re->error_arg().empty() ? "" : " at '" + re->error_arg() + "'"));
  if (re->NumberOfCapturingGroups() != static_cast<int>(names.size()))
    return Status::Internal("BUG: " + std::string(parser) + ": " + std::to_string(re->NumberOfCapturingGroups()) +
                            " groups for " + std::to_string(names.size()) + " names");
  RegexProgram p;
  p.re_ = std::move(re);
  p.anchor_ = anchor;
  for (size_t i = 0; i < names.size(); ++i) {
    p.roles_.push_back(sink.RoleOf(names[i]));
    p.first_of_name_.push_back(static_cast<int>(std::find(names.begin(), names.end(), names[i]) - names.begin()));
  }
  p.names_ = std::move(names);
  p.pieces_.resize(p.names_.size() + 1);
  p.done_.resize(p.names_.size());
  return p;
}

bool RegexProgram::AddBacktracker(std::string_view regex) {
  if (anchor_ != RE2::ANCHOR_BOTH) return false;
  backtracker_ = Backtracker::Compile(regex, groups());
  return backtracker_ != nullptr;
}

Result<bool> RegexProgram::Match(std::string_view line, const ParseContext& ctx, const CaptureSink& sink,
                                 ParsedLine* out) {
  const auto fast = backtracker_ ? backtracker_->Match(line, &spans_) : Backtracker::Outcome::kUnsupported;
  if (fast == Backtracker::Outcome::kNoMatch) return false;
  if (fast == Backtracker::Outcome::kMatch) {
    for (size_t i = 0; i < names_.size(); ++i)
      pieces_[i + 1] = spans_[2 * i] < 0 ? re2::StringPiece()
                                         : re2::StringPiece(line.data() + spans_[2 * i], spans_[2 * i + 1] - spans_[2 * i]);
  } else {
    re2::StringPiece text(line.data(), line.size());
    if (!re_->Match(text, 0, text.size(), anchor_, pieces_.data(), static_cast<int>(pieces_.size()))) return false;
  }
  std::fill(done_.begin(), done_.end(), 0);
  for (size_t i = 0; i < names_.size(); ++i) {
    const re2::StringPiece& v = pieces_[i + 1];
    if (v.data() == nullptr || v.empty() || names_[i].empty()) continue;  // unnamed groups are no fields
    uint8_t& done = done_[first_of_name_[i]];
    if (done) continue;
    done = 1;
    RETURN_IF_ERROR(sink.Add(names_[i], roles_[i], std::string_view(v.data(), v.size()),
                             static_cast<size_t>(v.data() - line.data()), ctx, out));
  }
  return true;
}

}  // namespace sawlog
