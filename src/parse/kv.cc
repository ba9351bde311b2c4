// key=value pairs as many appliances and scripts write them (`src=10.0.0.1 action=drop
// url=/a?b=c user="J. Doe"`), modelled on Vector's parse_key_value: values may contain the value
// delimiter, keys and values may be "quoted" (\" and \\ escape inside quotes), and a word without
// a value is a standalone key worth "true".
#include <string>

#include "parse/parsers.h"

namespace sawlog {

namespace {

constexpr std::string_view kName = "kv";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

class KvParser final : public LineParser {
 public:
  explicit KvParser(const KvOptions& o) : o_(o) {}

  Status Parse(std::string_view line, const ParseContext&, ParsedLine* out) override {
    out->Clear();
    const size_t n = line.size();
    size_t pos = 0;
    std::string key;
    while (true) {
      while (pos < n && (IsSpace(line[pos]) || line[pos] == o_.field_delimiter)) ++pos;
      if (pos >= n) return Status::Ok();
      // Key: quoted, or up to the value delimiter, a field delimiter or a space.
      size_t key_at = pos;
      if (line[pos] == '"') {
        RETURN_IF_ERROR(Quoted(line, &pos, &key));
      } else {
        while (pos < n && line[pos] != o_.value_delimiter && line[pos] != o_.field_delimiter && !IsSpace(line[pos]))
          ++pos;
        key.assign(line.substr(key_at, pos - key_at));
      }
      if (key.empty()) return LineError(kName, key_at, "empty key");
      if (pos >= n || line[pos] != o_.value_delimiter) {
        if (!o_.standalone_keys)
          return LineError(kName, pos, "expected '" + std::string(1, o_.value_delimiter) + "' after key '" + key + "'");
        out->fields.push_back({key, "true"});
        continue;
      }
      ++pos;  // the value delimiter
      if (pos < n && line[pos] == '"') {
        std::string value;
        RETURN_IF_ERROR(Quoted(line, &pos, &value));
        if (pos < n && !IsSpace(line[pos]) && line[pos] != o_.field_delimiter)
          return LineError(kName, pos, "expected a delimiter after the closing quote");
        out->fields.push_back({std::move(key), std::move(value)});
        continue;
      }
      size_t start = pos;
      if (IsSpace(o_.field_delimiter)) {
        while (pos < n && !IsSpace(line[pos])) ++pos;
      } else {
        while (pos < n && line[pos] != o_.field_delimiter) ++pos;
      }
      size_t end = pos;
      while (end > start && IsSpace(line[end - 1])) --end;
      out->fields.push_back({std::move(key), std::string(line.substr(start, end - start))});
    }
  }

 private:
  // A "quoted" string at line[*pos]; *pos ends after the closing quote.
  static Status Quoted(std::string_view line, size_t* pos, std::string* out) {
    out->clear();
    const size_t open = *pos;
    for (size_t i = open + 1; i < line.size(); ++i) {
      char c = line[i];
      if (c == '"') {
        *pos = i + 1;
        return Status::Ok();
      }
      if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) c = line[++i];
      out->push_back(c);
    }
    return LineError(kName, open, "unterminated quoted string");
  }

  KvOptions o_;
};

}  // namespace

std::unique_ptr<LineParser> MakeKvParser(const KvOptions& options) { return std::make_unique<KvParser>(options); }

}  // namespace sawlog
