#include "query/pipe.h"

#include "core/json_writer.h"
#include "core/timestamp.h"
#include "core/tokenizer.h"
#include "query/pipes/pipes.h"
#include "query/quoted.h"

namespace sawlog::query {

Row Row::FromEvent(const Event& e) {
  Row r;
  r.time = e.time;
  r.fields.reserve(3 + e.fields.size());
  r.fields.push_back({"_time", FormatRfc3339Nano(e.time)});
  r.fields.push_back({"_stream", e.stream});
  r.fields.push_back({"_msg", e.msg});
  r.fields.insert(r.fields.end(), e.fields.begin(), e.fields.end());
  return r;
}

const std::string* Row::Find(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

std::string* Row::Find(std::string_view name) {
  for (auto& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

void Row::Set(std::string_view name, std::string value) {
  if (std::string* v = Find(name)) *v = std::move(value);
  else fields.push_back({std::string(name), std::move(value)});
}

void Row::AppendJson(std::string* out) const {
  out->push_back('{');
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, fields[i].name);
    out->push_back(':');
    AppendJsonString(out, fields[i].value);
  }
  out->push_back('}');
}

void Row::Remove(std::string_view name) {
  std::erase_if(fields, [&](const Field& f) { return f.name == name; });
}

namespace {

class FoldProcessor final : public PipeProcessor {
 public:
  FoldProcessor(std::unique_ptr<Fold> fold, PipeProcessor* next)
      : fold_(std::move(fold)), part_(fold_->NewPart()), next_(next) {}
  bool Push(Row&& row) override { return part_->Add(RowOfPipe(row)); }
  void Finish() override {
    fold_->Merge(std::move(part_));
    fold_->Emit(next_);
  }

 private:
  std::unique_ptr<Fold> fold_;
  std::unique_ptr<RowFold::Part> part_;
  PipeProcessor* next_;
};

bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '@' || c == '-' || c == '/' || static_cast<unsigned char>(c) >= 0x80;
}
}  // namespace

std::unique_ptr<PipeProcessor> FoldRows(std::unique_ptr<Fold> fold, PipeProcessor* next) {
  return std::make_unique<FoldProcessor>(std::move(fold), next);
}

PipeLexer::PipeLexer(std::string_view query, size_t base, std::string_view text)
    : query_(query), base_(base), text_(text) {
  size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    PipeToken t;
    t.offset = base + i;
    if (i >= text.size()) {
      tokens_.push_back(t);
      return;
    }
    char c = text[i];
    if (c == '"' || c == '\'') {
      t.kind = PipeToken::kString;
      if (!ReadQuoted(text, &i, &t.text) && status_.ok())
        status_ = QueryErrorAt(query_, t.offset, std::string("unterminated string: expected a closing ") + c);
    } else if ((c >= '0' && c <= '9') || (c == '-' && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9')) {
      t.kind = PipeToken::kNumber;
      size_t start = i++;
      while (i < text.size() && (IsNameByte(text[i]) || text[i] == '.')) ++i;  // 1.5, 1e3, 5m
      t.text = std::string(text.substr(start, i - start));
    } else if (IsNameByte(c) && c != '-' && c != '/' && c != '.') {  // `-x` is minus x
      t.kind = PipeToken::kName;
      size_t start = i;
      while (i < text.size() && IsNameByte(text[i])) ++i;
      if (i < text.size() && text[i] == '*') ++i;  // a prefix pattern: `fields http.*`
      t.text = std::string(text.substr(start, i - start));
    } else {
      t.kind = PipeToken::kPunct;
      // Two-byte operators first.
      static constexpr std::string_view kTwo[] = {"<=", ">=", "!=", "=="};
      t.text = std::string(1, c);
      for (auto op : kTwo)
        if (text.substr(i, 2) == op) t.text = std::string(op);
      i += t.text.size();
    }
    tokens_.push_back(std::move(t));
  }
}

PipeToken PipeLexer::Next() {
  PipeToken t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool PipeLexer::Accept(std::string_view text) {
  const PipeToken& t = Peek();
  if (t.kind == PipeToken::kString || t.kind == PipeToken::kEnd || t.text.size() != text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (FoldCase(t.text[i]) != FoldCase(text[i])) return false;
  Next();
  return true;
}

Status PipeLexer::Expect(std::string_view text, std::string_view after) {
  if (Accept(text)) return Status::Ok();
  return Error("expected '" + std::string(text) + "' after '" + std::string(after) + "'");
}

Result<std::string> PipeLexer::ExpectName(std::string_view what) {
  const PipeToken& t = Peek();
  if (t.kind == PipeToken::kName || t.kind == PipeToken::kString) return Next().text;
  return Error("expected " + std::string(what));
}

Result<uint64_t> PipeLexer::ExpectCount(std::string_view what) {
  const PipeToken& t = Peek();
  if (t.kind == PipeToken::kNumber) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(t.text.c_str(), &end, 10);
    if (*end == '\0' && t.text[0] != '-') {
      Next();
      return v;
    }
  }
  return Error("expected " + std::string(what) + " (a whole number)");
}

Status PipeLexer::ErrorAt(const PipeToken& t, const std::string& what) const {
  std::string found = t.kind == PipeToken::kEnd ? "the end of the query" : "'" + t.text + "'";
  return QueryErrorAt(query_, t.offset, what + ", found " + found);
}

std::string_view PipeLexer::Rest(size_t* offset) const {
  *offset = Peek().offset;
  return text_.substr(Peek().offset - base_);
}

Result<std::vector<std::string>> ParseFieldList(PipeLexer& lex, std::string_view what) {
  std::vector<std::string> out;
  const bool paren = lex.Accept("(");
  if (paren && lex.Accept(")")) return out;
  while (true) {
    ASSIGN_OR_RETURN(std::string name, lex.ExpectName(std::string("a field name in ") + std::string(what)));
    out.push_back(std::move(name));
    if (!lex.Accept(",")) break;
  }
  if (paren) RETURN_IF_ERROR(lex.Expect(")", std::string(what) + " (" + out.back()));
  return out;
}

Result<std::unique_ptr<Pipe>> ParsePipe(std::string_view query, PipeLexer& lex, int64_t now_ns) {
  RETURN_IF_ERROR(lex.status());
  const PipeToken name = lex.Peek();
  if (name.kind != PipeToken::kName) return lex.Error("expected a pipe name after '|'");
  lex.Next();
  std::string n;
  for (char c : name.text) n += FoldCase(c);
  Result<std::unique_ptr<Pipe>> pipe = std::unique_ptr<Pipe>();
  if (n == "fields" || n == "keep") pipe = pipes::ParseFields(lex, /*drop=*/false);
  else if (n == "drop" || n == "delete") pipe = pipes::ParseFields(lex, /*drop=*/true);
  else if (n == "rename" || n == "mv") pipe = pipes::ParseRename(lex, /*copy=*/false);
  else if (n == "copy" || n == "cp") pipe = pipes::ParseRename(lex, /*copy=*/true);
  else if (n == "limit" || n == "head") pipe = pipes::ParseLimit(lex);
  else if (n == "offset" || n == "skip") pipe = pipes::ParseOffset(lex);
  else if (n == "where" || n == "filter") pipe = pipes::ParseWhere(query, lex, now_ns);
  else if (n == "sort" || n == "order") pipe = pipes::ParseSort(lex);
  else if (n == "stats") pipe = pipes::ParseStats(lex);
  else if (n == "top") pipe = pipes::ParseTop(lex);
  else if (n == "uniq") pipe = pipes::ParseUniq(lex);
  else if (n == "field_names") pipe = pipes::ParseFieldNames(lex);
  else if (n == "extract") pipe = pipes::ParseExtract(lex);
  else if (n == "format") pipe = pipes::ParseFormat(lex);
  else if (n == "parse" || n == "unpack") pipe = pipes::ParseParse(lex);
  else if (n == "math" || n == "eval") pipe = pipes::ParseMath(lex);
  else if (n == "patterns") pipe = pipes::ParsePatterns(lex);
  else
    return QueryErrorAt(query, name.offset,
                        "unknown pipe '" + name.text +
                            "'; expected one of fields, drop, rename, copy, limit, head, offset, where, sort, stats, top, uniq, field_names, extract, format, parse, math, patterns");
  if (!pipe.ok()) return pipe.status();
  if (!lex.AtEnd()) return lex.Error("unexpected text after the '" + name.text + "' pipe");
  return pipe;
}

}  // namespace sawlog::query
