// CSV lines (RFC 4180 quoting: a field in double quotes may hold the delimiter, and "" for a
// quote), named by a header: given in the options, or else the first line the parser sees. The
// values become fields (empty ones too: the column is there), the time and the message as
// CaptureOptions name them. A quoted field with a line break in it spans lines and is not
// supported: the multiline joiner does not know CSV quoting.
#include <string>

#include "parse/capture.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

constexpr std::string_view kName = "csv";

// Splits `line` into `values` (with their byte offsets); error names the column.
Status SplitCsv(std::string_view line, char delimiter, std::vector<std::string>* values, std::vector<size_t>* offsets) {
  values->clear();
  offsets->clear();
  size_t i = 0;
  for (;;) {
    offsets->push_back(i);
    std::string& v = values->emplace_back();
    if (i < line.size() && line[i] == '"') {
      const size_t open = i++;
      for (;;) {
        if (i >= line.size()) return LineError(kName, open, "no closing '\"' for the quoted value");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            v.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        v.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != delimiter)
        return LineError(kName, i, "expected the delimiter after the closing '\"'");
    } else {
      const size_t end = std::min(line.find(delimiter, i), line.size());
      const std::string_view raw = line.substr(i, end - i);
      if (raw.find('"') != std::string_view::npos)
        return LineError(kName, i + raw.find('"'), "'\"' inside an unquoted value (quote the value and write \"\")");
      v.assign(raw);
      i = end;
    }
    if (i >= line.size()) return Status::Ok();
    ++i;  // the delimiter
  }
}

class CsvParser final : public LineParser {
 public:
  CsvParser(CaptureSink sink, std::vector<std::string> header, char delimiter)
      : sink_(std::move(sink)), delimiter_(delimiter) {
    SetHeader(std::move(header));
  }

  Status Parse(std::string_view line, const ParseContext& ctx, ParsedLine* out) override {
    out->Clear();
    RETURN_IF_ERROR(SplitCsv(line, delimiter_, &values_, &offsets_));
    if (header_.empty()) {
      for (size_t i = 0; i < values_.size(); ++i)
        if (values_[i].empty()) return LineError(kName, offsets_[i], "empty name in the header line");
      SetHeader(values_);
      return LineError(kName, 0, "the header line (its values are now the field names)");
    }
    if (values_.size() != header_.size())
      return LineError(kName, values_.size() > header_.size() ? offsets_[header_.size()] : line.size(),
                       "expected " + std::to_string(header_.size()) + " values as the header, got " +
                           std::to_string(values_.size()));
    for (size_t i = 0; i < values_.size(); ++i)
      RETURN_IF_ERROR(sink_.Add(header_[i], roles_[i], values_[i], offsets_[i], ctx, out));
    return Status::Ok();
  }

 private:
  void SetHeader(std::vector<std::string> header) {
    header_ = std::move(header);
    roles_.clear();
    for (const auto& h : header_) roles_.push_back(sink_.RoleOf(h));
  }

  CaptureSink sink_;
  char delimiter_;
  std::vector<std::string> header_;
  std::vector<CaptureSink::Role> roles_;
  std::vector<std::string> values_;
  std::vector<size_t> offsets_;
};

}  // namespace

Result<std::unique_ptr<LineParser>> MakeCsvParser(const CsvOptions& options) {
  ASSIGN_OR_RETURN(CaptureSink sink, CaptureSink::Make(kName, options.capture));
  std::vector<std::string> header;
  if (!options.header.empty()) {
    std::vector<size_t> offsets;
    Status st = SplitCsv(options.header, options.delimiter, &header, &offsets);
    if (!st.ok()) return Status::InvalidArgument("csv: option 'header': " + st.message());
    for (const auto& h : header)
      if (h.empty()) return Status::InvalidArgument("csv: option 'header': an empty name in '" + options.header + "'");
  }
  return std::unique_ptr<LineParser>(std::make_unique<CsvParser>(std::move(sink), std::move(header), options.delimiter));
}

}  // namespace sawlog
