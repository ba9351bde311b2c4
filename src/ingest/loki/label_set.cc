// A LogQL label set, the `labels` of a protobuf push stream: `{a="1", b="2"}`.
#include "ingest/loki/loki.h"

namespace sawlog::loki {

namespace {

int HexDigit(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// One escape of Go's strconv.Quote (what Prometheus' labels.String writes) at s[*i] (after the
// backslash); false when it is not one.
bool Unescape(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size()) return false;
  const char c = s[(*i)++];
  switch (c) {
    case 'a': *out += '\a'; return true;
    case 'b': *out += '\b'; return true;
    case 'f': *out += '\f'; return true;
    case 'n': *out += '\n'; return true;
    case 'r': *out += '\r'; return true;
    case 't': *out += '\t'; return true;
    case 'v': *out += '\v'; return true;
    case '\\': case '"': case '\'': *out += c; return true;
    case 'x': case 'u': case 'U': {
      const size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (*i + digits > s.size()) return false;
      uint32_t v = 0;
      for (size_t k = 0; k < digits; ++k) {
        int d = HexDigit(s[*i + k]);
        if (d < 0) return false;
        v = v << 4 | static_cast<uint32_t>(d);
      }
      *i += digits;
      if (c == 'x') *out += static_cast<char>(v);
      else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      else AppendUtf8(v, out);
      return true;
    }
    default:
      if (c < '0' || c > '7' || *i + 2 > s.size()) return false;
      uint32_t v = static_cast<uint32_t>(c - '0');
      for (size_t k = 0; k < 2; ++k) {
        if (s[*i] < '0' || s[*i] > '7') return false;
        v = v * 8 + static_cast<uint32_t>(s[(*i)++] - '0');
      }
      if (v > 255) return false;
      *out += static_cast<char>(v);
      return true;
  }
}

Status ErrorAt(size_t i, std::string what) {
  return Status::InvalidArgument("labels, column " + std::to_string(i + 1) + ": " + std::move(what));
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseLabelSet(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> labels;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  skip_space();
  if (i >= s.size() || s[i] != '{') return ErrorAt(i, "expected '{' to start a label set like {job=\"api\"}");
  ++i;
  skip_space();
  while (i < s.size() && s[i] != '}') {
    const size_t name_at = i;
    while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != '\t' && s[i] != '}' && s[i] != ',') ++i;
    std::string_view name = s.substr(name_at, i - name_at);
    if (!IsLabelName(name))
      return ErrorAt(name_at, "invalid label name '" + std::string(name.substr(0, 80)) +
                                  "' (letters, digits and _, not starting with a digit)");
    skip_space();
    if (i >= s.size() || s[i] != '=') return ErrorAt(i, "expected '=' after label '" + std::string(name) + "'");
    ++i;
    skip_space();
    if (i >= s.size() || (s[i] != '"' && s[i] != '`'))
      return ErrorAt(i, "expected a quoted value for label '" + std::string(name) + "'");
    const char quote = s[i];
    const size_t value_at = i++;
    std::string value;
    while (true) {
      if (i >= s.size()) return ErrorAt(value_at, "the value of label '" + std::string(name) + "' has no closing quote");
      const char c = s[i++];
      if (c == quote) break;
      if (c == '\\' && quote == '"') {
        const size_t escape_at = i - 1;
        if (!Unescape(s, &i, &value)) return ErrorAt(escape_at, "invalid escape in the value of label '" + std::string(name) + "'");
      } else {
        value += c;
      }
    }
    for (const auto& l : labels)
      if (l.first == name) return ErrorAt(name_at, "duplicate label '" + std::string(name) + "'");
    labels.emplace_back(std::string(name), std::move(value));
    skip_space();
    if (i < s.size() && s[i] == ',') {
      ++i;
      skip_space();
    } else if (i < s.size() && s[i] != '}') {
      return ErrorAt(i, "expected ',' or '}' after the value of label '" + std::string(name) + "'");
    }
  }
  if (i >= s.size()) return ErrorAt(i, "expected '}' to end the label set");
  ++i;
  skip_space();
  if (i != s.size()) return ErrorAt(i, "unexpected text after the label set");
  return labels;
}

}  // namespace sawlog::loki
