// Pipes: what follows the filter of a query, `error | stats count() by (host) | sort by (count desc)`.
// Each pipe is parsed into a Pipe (its own file under pipes/), which starts a PipeProcessor for a
// run; processors are chained, each pushing rows to the next.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "query/position.h"
#include "store/store.h"

namespace sawlog::query {

// One row flowing through pipes: an event (fields _time, _stream, _msg, then the rest, all as
// text) or a computed row such as a stats result.
struct Row {
  int64_t time = 0;  // an event's time, for ordering; 0 for computed rows
  std::vector<Field> fields;

  static Row FromEvent(const Event& e);
  const std::string* Find(std::string_view name) const;
  std::string* Find(std::string_view name);
  // Replaces the field's value, or appends the field.
  void Set(std::string_view name, std::string value);
  void Remove(std::string_view name);
  // {"_time":"…","_stream":"…","_msg":"…","field":"value",…}: fields in order, values as strings.
  void AppendJson(std::string* out) const;
};

class PipeProcessor {
 public:
  virtual ~PipeProcessor() = default;
  // Takes one row; false when no more rows are wanted (a limit was reached), which lets the
  // scan stop early.
  virtual bool Push(Row&& row) = 0;
  // The input is complete: emit what was held back (aggregates, sorted rows).
  virtual void Finish() = 0;
};

struct PipeContext {
  int64_t now_ns = 0;
  size_t max_memory_bytes = 0;  // for pipes that hold rows (sort, stats)
  Status* error = nullptr;       // where a processor reports a failure (e.g. memory); first wins
};

// A pipe that folds rows into groups (stats, top, uniq). As the first pipe it runs inside the
// scan, on every thread (RowFold), reading rows in place; after other pipes it is fed their rows.
class Fold : public RowFold {
 public:
  // The result rows, to next; then next->Finish(). A part that fails reports through the
  // PipeContext's error, as every pipe does.
  virtual void Emit(PipeProcessor* next) = 0;
};

class Pipe {
 public:
  virtual ~Pipe() = default;
  virtual std::string ToString() const = 0;
  // Needs every row before it can emit any (stats, sort, top, uniq): the query then scans all
  // matches instead of the newest N.
  virtual bool NeedsAllRows() const { return false; }
  // The row limit it imposes (limit/head), if any; SIZE_MAX otherwise.
  virtual size_t RowLimit() const { return static_cast<size_t>(-1); }
  // The rows it skips (offset).
  virtual size_t RowsSkipped() const { return 0; }
  // Which fields of its input rows it reads, so that a scan decodes only those columns.
  enum class Reads {
    kAll,          // any field (the default)
    kOnly,         // only *fields: its output depends on nothing else (stats, top, fields)
    kPassThrough,  // *fields, and it passes rows on otherwise unchanged (where, limit)
  };
  virtual Reads FieldsRead(std::vector<std::string>* fields) const { return Reads::kAll; }
  virtual std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const = 0;
  // Pipes that fold rows return their fold; the others null.
  virtual std::unique_ptr<Fold> StartFold(const PipeContext&) const { return nullptr; }
};

// Start() of a folding pipe: feeds its fold the rows of the pipes before it.
std::unique_ptr<PipeProcessor> FoldRows(std::unique_ptr<Fold> fold, PipeProcessor* next);

// A Row seen through the RowView interface (for filters and folds).
class RowOfPipe final : public RowView {
 public:
  explicit RowOfPipe(const Row& row) : row_(row) {}
  int64_t time() const override { return row_.time; }
  std::optional<std::string_view> Find(std::string_view name) const override {
    const std::string* v = row_.Find(name);
    return v ? std::optional<std::string_view>(*v) : std::nullopt;
  }
  void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const override {
    for (const auto& f : row_.fields)
      if (f.name != "_time") fn(f.name, f.value);
  }

 private:
  const Row& row_;
};

// The lexemes of one pipe's text: names, numbers, quoted strings and punctuation.
struct PipeToken {
  enum Kind { kEnd, kName, kNumber, kString, kPunct } kind = kEnd;
  std::string text;   // unescaped for strings
  size_t offset = 0;  // in the whole query text
};

class PipeLexer {
 public:
  // text is the pipe's text; base its offset in the query (for error positions).
  PipeLexer(std::string_view query, size_t base, std::string_view text);

  const PipeToken& Peek() const { return tokens_[pos_]; }
  PipeToken Next();
  bool AtEnd() const { return Peek().kind == PipeToken::kEnd; }
  // Consumes the punctuation or (case-insensitive) keyword if it is next.
  bool Accept(std::string_view text);
  Status Expect(std::string_view text, std::string_view after);
  Result<std::string> ExpectName(std::string_view what);
  Result<uint64_t> ExpectCount(std::string_view what);
  // "line L, column C: what" at the token's offset.
  Status ErrorAt(const PipeToken& t, const std::string& what) const;
  Status Error(const std::string& what) const { return ErrorAt(Peek(), what); }
  // The rest of the pipe's text from the next token on, and its offset (for `where FILTER`).
  std::string_view Rest(size_t* offset) const;
  const Status& status() const { return status_; }

 private:
  std::string_view query_;
  size_t base_;
  std::string_view text_;
  std::vector<PipeToken> tokens_;
  size_t pos_ = 0;
  Status status_;  // a lexing error (unterminated string)
};

// Parses one pipe (its name is the first token); the registry of pipe names is in pipe.cc.
Result<std::unique_ptr<Pipe>> ParsePipe(std::string_view query, PipeLexer& lex, int64_t now_ns);

// `(a, b, c)` or `a, b, c`: field names for fields/drop/by clauses.
Result<std::vector<std::string>> ParseFieldList(PipeLexer& lex, std::string_view what);

}  // namespace sawlog::query
