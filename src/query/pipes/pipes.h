// The pipes, one file each; ParsePipe (pipe.cc) dispatches on the pipe's name. Each Parse*
// function is called with the lexer just past the name.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "query/pipe.h"
#include "query/value.h"

namespace sawlog::query::pipes {

Result<std::unique_ptr<Pipe>> ParseFields(PipeLexer& lex, bool drop);   // fields.cc
Result<std::unique_ptr<Pipe>> ParseRename(PipeLexer& lex, bool copy);   // rename.cc
Result<std::unique_ptr<Pipe>> ParseLimit(PipeLexer& lex);               // limit.cc
Result<std::unique_ptr<Pipe>> ParseOffset(PipeLexer& lex);              // limit.cc
Result<std::unique_ptr<Pipe>> ParseWhere(std::string_view query, PipeLexer& lex, int64_t now_ns);  // where.cc
Result<std::unique_ptr<Pipe>> ParseSort(PipeLexer& lex);                // sort.cc
Result<std::unique_ptr<Pipe>> ParseStats(PipeLexer& lex);               // stats.cc
Result<std::unique_ptr<Pipe>> ParseTop(PipeLexer& lex);                 // top.cc
Result<std::unique_ptr<Pipe>> ParseUniq(PipeLexer& lex);                // top.cc
Result<std::unique_ptr<Pipe>> ParseFieldNames(PipeLexer& lex);          // field_names.cc
Result<std::unique_ptr<Pipe>> ParseExtract(PipeLexer& lex);             // extract.cc
Result<std::unique_ptr<Pipe>> ParseFormat(PipeLexer& lex);              // format.cc
Result<std::unique_ptr<Pipe>> ParseParse(PipeLexer& lex);               // parse.cc
Result<std::unique_ptr<Pipe>> ParseMath(PipeLexer& lex);                // math.cc
Result<std::unique_ptr<Pipe>> ParsePatterns(PipeLexer& lex);            // patterns.cc

// A processor that passes each row to next after fn; fn returns false to drop the row.
template <typename Fn>
class MapProcessor final : public PipeProcessor {
 public:
  MapProcessor(PipeProcessor* next, Fn fn) : next_(next), fn_(std::move(fn)) {}
  bool Push(Row&& row) override { return !fn_(row) || next_->Push(std::move(row)); }
  void Finish() override { next_->Finish(); }

 private:
  PipeProcessor* next_;
  Fn fn_;
};

template <typename Fn>
std::unique_ptr<PipeProcessor> Map(PipeProcessor* next, Fn fn) {
  return std::make_unique<MapProcessor<Fn>>(next, std::move(fn));
}


}  // namespace sawlog::query::pipes
