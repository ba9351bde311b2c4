// logfmt: `level=info msg="hello \"world\"" took=3ms cached`. Follows go-logfmt's decoder (which
// Loki and the Go ecosystem use) byte for byte, its error columns included:
//   - a key is a run of bytes > ' ' without '=', '"' or '\''; invalid UTF-8 in a key is an error;
//   - a value is unquoted (no '=', '"' or '\'' inside), "double quoted" with JSON escapes, or
//     'single quoted' without escapes; a bare key or `key=` has an empty value;
//   - bytes <= ' ' separate pairs.
#include <string>

#include "parse/parsers.h"
#include "parse/utf8.h"

namespace sawlog {

namespace {

constexpr std::string_view kName = "logfmt";

// Four hex digits at s[pos]; -1 when they are not.
int32_t Hex4(std::string_view s, size_t pos) {
  if (pos + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// The inside of a double-quoted value with JSON escapes; false when an escape or a control byte
// is invalid. Invalid UTF-8 and lone surrogates become U+FFFD, as in Go.
bool UnquoteJson(std::string_view s, std::string* out) {
  out->clear();
  for (size_t r = 0; r < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[r]);
    if (c == '\\') {
      if (++r >= s.size()) return false;
      char e = s[r++];
      switch (e) {
        case '"': case '\\': case '/': case '\'': out->push_back(e); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          int32_t cp = Hex4(s, r);
          if (cp < 0) return false;
          r += 4;
          if (cp >= 0xD800 && cp < 0xE000) {
            int32_t low = r + 1 < s.size() && s[r] == '\\' && s[r + 1] == 'u' ? Hex4(s, r + 2) : -1;
            if (cp < 0xDC00 && low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              r += 6;
            } else {
              cp = kReplacementChar;
            }
          }
          AppendUtf8(out, static_cast<uint32_t>(cp));
          break;
        }
        default: return false;
      }
    } else if (c < ' ' || c == '"') {
      return false;
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++r;
    } else {
      uint32_t cp;
      size_t n = DecodeUtf8(s, r, &cp);
      if (n == 0) {
        AppendUtf8(out, kReplacementChar);
        ++r;
      } else {
        out->append(s.substr(r, n));
        r += n;
      }
    }
  }
  return true;
}

// go-logfmt refuses a key holding U+FFFD or invalid UTF-8 (its decoder turns both into RuneError).
bool IsValidKey(std::string_view key) { return IsValidUtf8(key) && key.find("\xEF\xBF\xBD") == std::string_view::npos; }

std::string Unexpected(char c) { return std::string("unexpected '") + c + "'"; }

class LogfmtParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext&, ParsedLine* out) override {
    out->Clear();
    const size_t n = line.size();
    size_t pos = 0;
    auto is_sep = [](char c) { return static_cast<unsigned char>(c) <= ' '; };
    while (true) {
      while (pos < n && is_sep(line[pos])) ++pos;
      if (pos >= n) return Status::Ok();
      // Key.
      size_t start = pos;
      while (pos < n && line[pos] != '=' && !is_sep(line[pos])) {
        if (line[pos] == '"' || line[pos] == '\'') return LineError(kName, pos, Unexpected(line[pos]));
        ++pos;
      }
      std::string_view key = line.substr(start, pos - start);
      if (key.empty()) return LineError(kName, pos, Unexpected('='));
      if (!IsValidKey(key)) return LineError(kName, pos, "invalid key");
      if (pos >= n || line[pos] != '=') {
        out->fields.push_back({std::string(key), ""});
        continue;
      }
      ++pos;  // '='
      if (pos >= n || is_sep(line[pos])) {
        out->fields.push_back({std::string(key), ""});
        continue;
      }
      char quote = line[pos];
      if (quote != '"' && quote != '\'') {
        start = pos;
        while (pos < n && !is_sep(line[pos])) {
          char c = line[pos];
          if (c == '=' || c == '"' || c == '\'') return LineError(kName, pos, Unexpected(c));
          ++pos;
        }
        out->fields.push_back({std::string(key), std::string(line.substr(start, pos - start))});
        continue;
      }
      // Quoted value: find the closing quote; only double quotes have escapes.
      start = pos;
      bool has_escape = false, escaped = false;
      for (++pos; pos < n; ++pos) {
        char c = line[pos];
        if (escaped) escaped = false;
        else if (c == '\\' && quote == '"') has_escape = escaped = true;
        else if (c == quote) break;
      }
      if (pos >= n) return LineError(kName, n, "unterminated quoted value");
      ++pos;  // the closing quote
      std::string_view inside = line.substr(start + 1, pos - start - 2);
      if (!has_escape) {
        out->fields.push_back({std::string(key), std::string(inside)});
      } else {
        if (!UnquoteJson(inside, &unquoted_)) return LineError(kName, pos, "invalid quoted value");
        out->fields.push_back({std::string(key), unquoted_});
      }
    }
  }

 private:
  std::string unquoted_;
};

}  // namespace

std::unique_ptr<LineParser> MakeLogfmtParser() { return std::make_unique<LogfmtParser>(); }

}  // namespace sawlog
