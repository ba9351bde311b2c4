// Apache/nginx access logs, Common Log Format and the Combined format (nginx's default):
//   127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://x/" "Mozilla/4.08"
// Field names follow ECS (Elastic Common Schema), which OpenTelemetry's HTTP conventions share
// in part; docs/parsers.md maps them to the names Fluent Bit and Vector use. "-" means "none"
// in this format, so such fields are left out.
#include <cstring>
#include <string>

#include "core/timestamp.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class AccessLogParser final : public LineParser {
 public:
  explicit AccessLogParser(AccessLogFormat format)
      : combined_(format == AccessLogFormat::kCombined),
        name_(combined_ ? "apache_combined" : "apache_common") {}

  Status Parse(std::string_view line, const ParseContext&, ParsedLine* out) override {
    out->Clear();
    line_ = line;
    pos_ = 0;
    std::string_view token;
    RETURN_IF_ERROR(Word("the client address", &token));
    out->fields.push_back({"client.address", std::string(token)});
    RETURN_IF_ERROR(Space());
    RETURN_IF_ERROR(Word("the identity", &token));
    if (token != "-") out->fields.push_back({"ident", std::string(token)});
    RETURN_IF_ERROR(Space());
    RETURN_IF_ERROR(Word("the user", &token));
    if (token != "-") out->fields.push_back({"user.name", std::string(token)});
    RETURN_IF_ERROR(Space());

    if (pos_ >= line.size() || line[pos_] != '[') return LineError(name_, pos_, "expected '[' and the time");
    size_t close = line.find(']', pos_);
    if (close == std::string_view::npos) return LineError(name_, pos_, "expected ']' after the time");
    auto time = ParseApacheTime(line.substr(pos_ + 1, close - pos_ - 1));
    if (!time.ok()) return LineError(name_, pos_ + 1, time.status().message());
    out->time = time.value();
    pos_ = close + 1;
    RETURN_IF_ERROR(Space());

    RETURN_IF_ERROR(Quoted("the request", &quoted_));
    AddRequest(quoted_, out);
    RETURN_IF_ERROR(Space());

    size_t status_at = pos_;
    RETURN_IF_ERROR(Word("the status", &token));
    if (token.size() != 3 || !IsDigit(token[0]) || !IsDigit(token[1]) || !IsDigit(token[2]))
      return LineError(name_, status_at, "expected a 3-digit status");
    out->fields.push_back({"http.response.status_code", std::string(token)});
    RETURN_IF_ERROR(Space());

    size_t bytes_at = pos_;
    RETURN_IF_ERROR(Word("the response size", &token));
    if (token != "-") {
      for (char c : token)
        if (!IsDigit(c)) return LineError(name_, bytes_at, "expected the response size in bytes or '-'");
      out->fields.push_back({"http.response.body.bytes", std::string(token)});
    }

    if (combined_) {
      RETURN_IF_ERROR(Space());
      RETURN_IF_ERROR(Quoted("the referrer", &quoted_));
      if (quoted_ != "-") out->fields.push_back({"http.request.referrer", quoted_});
      RETURN_IF_ERROR(Space());
      RETURN_IF_ERROR(Quoted("the user agent", &quoted_));
      if (quoted_ != "-") out->fields.push_back({"user_agent.original", quoted_});
    }
    if (pos_ != line.size())
      return LineError(name_, pos_,
                       combined_ ? "unexpected text after the user agent"
                                 : "unexpected text after the response size (is this the combined format?)");
    return Status::Ok();
  }

 private:
  Status Space() {
    if (pos_ >= line_.size() || line_[pos_] != ' ') return LineError(name_, pos_, "expected a space");
    ++pos_;
    return Status::Ok();
  }

  Status Word(std::string_view what, std::string_view* out) {
    size_t end = line_.find(' ', pos_);
    if (end == std::string_view::npos) end = line_.size();
    if (end == pos_) return LineError(name_, pos_, "expected " + std::string(what));
    *out = line_.substr(pos_, end - pos_);
    pos_ = end;
    return Status::Ok();
  }

  // "text" where Apache wrote '"' as \" and '\' as \\ (other escapes, \xhh, stay as written).
  Status Quoted(std::string_view what, std::string* out) {
    if (pos_ >= line_.size() || line_[pos_] != '"') return LineError(name_, pos_, "expected '\"' and " + std::string(what));
    const size_t open = pos_;
    const char* begin = line_.data() + open + 1;
    const char* end = line_.data() + line_.size();
    out->clear();
    for (const char* p = begin; p < end;) {
      const char* q = static_cast<const char*>(std::memchr(p, '"', end - p));
      if (q == nullptr) break;
      // Escaped when preceded by an odd number of backslashes.
      size_t backslashes = 0;
      while (q - backslashes > begin && q[-1 - static_cast<ptrdiff_t>(backslashes)] == '\\') ++backslashes;
      if (backslashes % 2 == 0) {
        std::string_view raw(begin, q - begin);
        if (raw.find('\\') == std::string_view::npos) {
          out->assign(raw);
        } else {
          for (size_t i = 0; i < raw.size(); ++i) {
            char c = raw[i];
            if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) c = raw[++i];
            out->push_back(c);
          }
        }
        pos_ = q - line_.data() + 1;
        return Status::Ok();
      }
      p = q + 1;
    }
    return LineError(name_, open, "no closing '\"' for " + std::string(what));
  }

  // "GET /a?b HTTP/1.1" → method, URL, version; "GET /" (HTTP/0.9) has no version; a request
  // that is not one (garbage sent to the port) stays whole.
  static void AddRequest(std::string_view request, ParsedLine* out) {
    if (request.empty() || request == "-") return;
    size_t first = request.find(' ');
    if (first == std::string_view::npos) {
      out->fields.push_back({"http.request.line", std::string(request)});
      return;
    }
    out->fields.push_back({"http.request.method", std::string(request.substr(0, first))});
    std::string_view rest = request.substr(first + 1);
    size_t last = rest.rfind(' ');
    if (last != std::string_view::npos && rest.substr(last + 1).starts_with("HTTP/")) {
      out->fields.push_back({"url.original", std::string(rest.substr(0, last))});
      out->fields.push_back({"http.version", std::string(rest.substr(last + 6))});
    } else {
      out->fields.push_back({"url.original", std::string(rest)});
    }
  }

  bool combined_;
  std::string_view name_;
  std::string_view line_;
  size_t pos_ = 0;
  std::string quoted_;
};

}  // namespace

std::unique_ptr<LineParser> MakeAccessLogParser(AccessLogFormat format) {
  return std::make_unique<AccessLogParser>(format);
}

}  // namespace sawlog
