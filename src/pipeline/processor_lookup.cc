// lookup: adds the columns of a CSV table's row whose key column equals a field's value.
#include <algorithm>
#include <unordered_map>

#include "core/env.h"
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"file", OptionType::kString, true, {}, "the CSV table (RFC 4180, a header row); relative to the configuration"},
    {"field", OptionType::kString, true, {}, "the event field whose value is looked up"},
    {"key", OptionType::kString, false, {}, "the table's key column (default: the first)"},
    {"columns", OptionType::kList, false, {}, "the columns to add (default: all but the key)"},
    {"prefix", OptionType::kString, false, {}, "put before each added field's name"},
};

// The rows of a CSV file (RFC 4180: quoted fields with "" for a quote, CRLF or LF). False with
// *error set on an unterminated quote.
bool ParseCsv(std::string_view text, std::vector<std::vector<std::string>>* rows, std::string* error) {
  std::vector<std::string> row(1);
  size_t line = 1;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') row.back().push_back(text[i++]);
      else if (c == '"') quoted = false;
      else row.back().push_back(c), line += c == '\n';
      continue;
    }
    if (c == '"' && row.back().empty()) quoted = true, any = true;
    else if (c == ',') row.emplace_back(), any = true;
    else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    else if (c == '\n') {
      if (any) rows->push_back(std::move(row));
      row.assign(1, std::string());
      any = false;
      ++line;
    } else row.back().push_back(c), any = true;
  }
  if (quoted) {
    *error = "line " + std::to_string(line) + ": unterminated quoted field";
    return false;
  }
  if (any) rows->push_back(std::move(row));
  return true;
}

class LookupProcessor final : public Processor {
 public:
  LookupProcessor(std::string field, std::vector<std::string> names,
                  std::unordered_map<std::string, std::vector<std::string>> table)
      : field_(std::move(field)), names_(std::move(names)), table_(std::move(table)) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records) {
      const std::string* v = GetField(r->event, field_);
      if (v == nullptr) continue;
      auto row = table_.find(*v);
      if (row == table_.end()) continue;
      for (size_t i = 0; i < names_.size(); ++i) SetField(&r->event, names_[i], row->second[i]);
    }
  }

 private:
  const std::string field_;
  const std::vector<std::string> names_;  // the added fields' names
  const std::unordered_map<std::string, std::vector<std::string>> table_;  // key → added values
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  const std::string path = o.Path("file");
  auto text = Env::Default()->ReadFile(path);
  if (!text.ok()) return o.Error("file", text.status().message());
  std::vector<std::vector<std::string>> rows;
  std::string error;
  if (!ParseCsv(*text, &rows, &error)) return o.Error("file", path + ": " + error);
  if (rows.empty()) return o.Error("file", path + ": no header row");
  const auto& header = rows[0];
  auto column = [&](const std::string& name) -> size_t {
    return std::find(header.begin(), header.end(), name) - header.begin();
  };
  size_t key = o.Given("key") ? column(o.String("key")) : 0;
  if (key == header.size()) return o.Error("key", "no column '" + o.String("key") + "' in " + path);
  std::vector<size_t> added;
  if (o.Given("columns")) {
    for (const auto& name : o.List("columns")) {
      if (column(name) == header.size()) return o.Error("columns", "no column '" + name + "' in " + path);
      added.push_back(column(name));
    }
  } else {
    for (size_t i = 0; i < header.size(); ++i)
      if (i != key) added.push_back(i);
  }
  std::vector<std::string> names;
  for (size_t i : added) {
    names.push_back(o.String("prefix") + header[i]);
    RETURN_IF_ERROR(CheckWritableField(o, "columns", names.back()));
  }
  std::unordered_map<std::string, std::vector<std::string>> table;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != header.size())
      return o.Error("file", path + ": row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) +
                                 " columns, the header " + std::to_string(header.size()));
    std::vector<std::string> values;
    for (size_t i : added) values.push_back(rows[r][i]);
    table.emplace(rows[r][key], std::move(values));  // the first row of a key wins
  }
  return std::unique_ptr<Processor>(
      std::make_unique<LookupProcessor>(o.String("field"), std::move(names), std::move(table)));
}

}  // namespace

const ProcessorType kLookupType{"lookup", "adds columns of a CSV table's matching row", kOptions, Make};

}  // namespace sawlog::pipeline
