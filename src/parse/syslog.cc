// Syslog lines: RFC 5424 (`<165>1 2003-10-11T22:14:15.003Z host app 8710 ID47 [id@1 k="v"] msg`)
// and RFC 3164 / BSD (`<34>Oct 11 22:14:15 host su[42]: msg`), the latter read as rsyslog's
// pmrfc3164 reads it, so that what real devices send (no PRI, no hostname, upper-case months, a
// year or a colon in the timestamp) parses the way syslog users are used to.
#include <cctype>
#include <charconv>
#include <string>

#include "core/timestamp.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

// Facility and severity names as rsyslog's syslogfacility-text / syslogseverity-text print them.
constexpr std::string_view kFacilities[24] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};
constexpr std::string_view kSeverities[8] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};

constexpr int kMaxPriority = 191;  // facility 23, severity 7
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Appended in place: a Field built first and then moved into the vector copies each of its
// short strings once more, which is a good part of parsing a message.
void AddField(ParsedLine* out, std::string_view name, std::string_view value) {
  Field& f = out->fields.emplace_back();
  f.name.append(name);  // append, cheaper than assign, which allows for overlapping strings
  f.value.append(value);
}

bool IsHostnameByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

class SyslogParser final : public LineParser {
 public:
  SyslogParser(SyslogFormat format, std::string_view name) : format_(format), name_(name) {}

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    if (line.empty()) return LineError(name_, 0, "empty line");
    size_t pos = 0;
    if (line[0] == '<') {
      int pri = 0;
      for (pos = 1; pos < line.size() && pos <= 3 && line[pos] >= '0' && line[pos] <= '9'; ++pos)
        pri = pri * 10 + (line[pos] - '0');
      if (pos == 1) return LineError(name_, pos, "expected the priority's digits after '<'");
      if (pos >= line.size() || line[pos] != '>') return LineError(name_, pos, "expected '>' after the priority");
      if (pri > kMaxPriority) return LineError(name_, 1, "priority " + std::to_string(pri) + " out of range (0 to 191)");
      ++pos;
      char digits[4];  // "034" is priority 34
      AddField(out, "priority", std::string_view(digits, std::to_chars(digits, digits + sizeof digits, pri).ptr - digits));
      AddField(out, "facility", kFacilities[pri / 8]);
      AddField(out, "severity", kSeverities[pri % 8]);
    } else if (format_ == SyslogFormat::kRfc5424) {
      return LineError(name_, 0, "expected '<' and the priority");
    }
    // RFC 5424 is "<PRI>1 "; rsyslog tells the two apart the same way.
    const bool rfc5424 = pos > 0 && line.substr(pos, 2) == "1 ";
    if (format_ == SyslogFormat::kRfc5424 && !rfc5424)
      return LineError(name_, pos, "expected the version '1 ' after the priority");
    if (rfc5424 && format_ != SyslogFormat::kRfc3164) return Parse5424(line, pos + 2, out);
    return Parse3164(line, pos, ctx, out);
  }

 private:
  Status Parse3164(std::string_view line, size_t pos, const ParseContext& ctx, ParsedLine* out) {
    const size_t n = line.size();
    // TIMESTAMP: RFC 3339 (rsyslog tries it first), RFC 3164, or RFC 3164 after a stray space.
    if (n - pos >= 10 && line[pos + 4] == '-' && std::isdigit(static_cast<unsigned char>(line[pos]))) {
      size_t end = line.find(' ', pos);
      if (end == std::string_view::npos) end = n;
      auto t = ParseRfc3339(line.substr(pos, end - pos));
      if (t.ok()) {
        out->time = t.value();
        pos = end < n ? end + 1 : n;
      }
    } else {
      WallTime wall;
      size_t at = pos, len = ParseRfc3164Prefix(line.substr(pos), &wall);
      if (len == 0 && pos < n && line[pos] == ' ') len = ParseRfc3164Prefix(line.substr(++at), &wall);
      if (len > 0) {
        auto t = WallTimeToInstant(wall, ctx.utc_offset_seconds, ctx.now);
        if (!t.ok()) return LineError(name_, at, "bad timestamp: " + t.status().message());
        out->time = t.value();
        pos = at + len;
        if (pos < n) ++pos;  // the space after it
      }
    }
    // HOSTNAME: letters, digits, '.', '_', '-', ending in a letter or digit and followed by a
    // space or the end; anything else is the TAG of a line without a hostname.
    size_t i = pos;
    while (i < n && IsHostnameByte(line[i])) ++i;
    if (i > pos && (i == n || (line[i] == ' ' && std::isalnum(static_cast<unsigned char>(line[i - 1]))))) {
      AddField(out, "hostname", line.substr(pos, i - pos));
      pos = i < n ? i + 1 : n;
    }
    // TAG: up to ':' (which belongs to it) or a space; "app[pid]" splits into app_name and proc_id.
    i = pos;
    while (i < n && line[i] != ':' && line[i] != ' ') ++i;
    std::string_view tag = line.substr(pos, i - pos);
    pos = i < n && line[i] == ':' ? i + 1 : i;
    size_t bracket = tag.find('[');
    if (bracket != std::string_view::npos && bracket > 0 && tag.back() == ']') {
      AddField(out, "app_name", tag.substr(0, bracket));
      AddField(out, "proc_id", tag.substr(bracket + 1, tag.size() - bracket - 2));
    } else if (!tag.empty()) {
      AddField(out, "app_name", tag);
    }
    // MSG: the rest, without the space that separates it from the TAG.
    if (pos < n && line[pos] == ' ') ++pos;
    out->msg.emplace(line.substr(pos));
    return Status::Ok();
  }

  Status Parse5424(std::string_view line, size_t pos, ParsedLine* out) {
    const size_t n = line.size();
    std::string_view token;
    // One header field, up to the next space; "-" is the nil value. False, pos unmoved, when
    // there is none.
    auto next = [&] {
      if (pos >= n || line[pos] == ' ') return false;
      size_t end = line.find(' ', pos);
      if (end == std::string_view::npos) end = n;
      token = line.substr(pos, end - pos);
      pos = end < n ? end + 1 : n;
      return true;
    };
    auto expected = [&](std::string_view what) { return LineError(name_, pos, "expected " + std::string(what)); };
    size_t at = pos;
    if (!next()) return expected("TIMESTAMP");
    if (token != "-") {
      auto t = ParseRfc3339(token);
      if (!t.ok()) return LineError(name_, at, "bad TIMESTAMP: " + t.status().message());
      out->time = t.value();
    }
    static constexpr std::string_view kHeader[][2] = {
        {"HOSTNAME", "hostname"}, {"APP-NAME", "app_name"}, {"PROCID", "proc_id"}, {"MSGID", "msg_id"}};
    for (const auto& [what, field] : kHeader) {
      if (!next()) return expected(what);
      if (token != "-") AddField(out, field, token);
    }
    RETURN_IF_ERROR(StructuredData(line, &pos, out));
    if (pos < n && line[pos] != ' ') return LineError(name_, pos, "expected a space after STRUCTURED-DATA");
    std::string_view msg = pos < n ? line.substr(pos + 1) : std::string_view{};
    if (msg.starts_with(kUtf8Bom)) msg.remove_prefix(kUtf8Bom.size());
    out->msg.emplace(msg);
    return Status::Ok();
  }

  // "-" or [SD-ID PARAM="value" ...]... as fields sd.<SD-ID>.<PARAM>. Lenient where senders are
  // known to be sloppy: spaces around '=' (the RFC's own example 4 as rsyslog tests it).
  Status StructuredData(std::string_view line, size_t* ppos, ParsedLine* out) {
    const size_t n = line.size();
    size_t pos = *ppos;
    if (pos >= n) return LineError(name_, pos, "expected STRUCTURED-DATA ('-' or '[')");
    if (line[pos] == '-') {
      *ppos = pos + 1;
      return Status::Ok();
    }
    if (line[pos] != '[') return LineError(name_, pos, "expected STRUCTURED-DATA ('-' or '[')");
    auto name_end = [&](size_t i) {
      while (i < n && line[i] != ' ' && line[i] != '=' && line[i] != ']' && line[i] != '"') ++i;
      return i;
    };
    while (pos < n && line[pos] == '[') {
      size_t id_end = name_end(++pos);
      if (id_end == pos) return LineError(name_, pos, "expected an SD-ID after '['");
      // Names and values are put together in buffers kept from message to message.
      sd_name_.assign("sd.").append(line.substr(pos, id_end - pos)).push_back('.');
      const size_t prefix_size = sd_name_.size();
      pos = id_end;
      while (true) {
        while (pos < n && line[pos] == ' ') ++pos;
        if (pos >= n) return LineError(name_, pos, "expected ']' to close the SD-ELEMENT");
        if (line[pos] == ']') {
          ++pos;
          break;
        }
        size_t param_end = name_end(pos);
        if (param_end == pos) return LineError(name_, pos, "expected a PARAM-NAME");
        sd_name_.resize(prefix_size);
        sd_name_.append(line.substr(pos, param_end - pos));
        pos = param_end;
        while (pos < n && line[pos] == ' ') ++pos;
        if (pos >= n || line[pos] != '=') return LineError(name_, pos, "expected '=' after the PARAM-NAME");
        ++pos;
        while (pos < n && line[pos] == ' ') ++pos;
        if (pos >= n || line[pos] != '"') return LineError(name_, pos, "expected '\"' to open the PARAM-VALUE");
        size_t open = pos;
        // Inside a value '"', '\' and ']' are escaped with '\'; any other '\' is itself. A value
        // without any '\' (most) is taken as it is.
        size_t plain = ++pos;
        while (plain < n && line[plain] != '"' && line[plain] != '\\') ++plain;
        std::string_view value;
        if (plain < n && line[plain] == '"') {
          value = line.substr(pos, plain - pos);
          pos = plain;
        } else {
          sd_value_.assign(line.substr(pos, plain - pos));
          for (pos = plain; pos < n && line[pos] != '"'; ++pos) {
            char c = line[pos];
            if (c == '\\' && pos + 1 < n && (line[pos + 1] == '"' || line[pos + 1] == '\\' || line[pos + 1] == ']'))
              c = line[++pos];
            sd_value_.push_back(c);
          }
          value = sd_value_;
        }
        if (pos >= n) return LineError(name_, open, "unterminated PARAM-VALUE");
        ++pos;
        AddField(out, sd_name_, value);
      }
    }
    *ppos = pos;
    return Status::Ok();
  }

  SyslogFormat format_;
  std::string_view name_;
  std::string sd_name_, sd_value_;
};

}  // namespace

std::unique_ptr<LineParser> MakeSyslogParser(SyslogFormat format) {
  std::string_view name = format == SyslogFormat::kAuto      ? "syslog"
                          : format == SyslogFormat::kRfc3164 ? "syslog3164"
                                                             : "syslog5424";
  return std::make_unique<SyslogParser>(format, name);
}

}  // namespace sawlog
