// Templated text columns (ColumnEncoding::kTemplated, part format 5): each value split, by the
// tokenizer's rules, into its template (the value with every token that holds an ASCII digit
// replaced by kVariableMark) and those tokens, its variables. A block stores its distinct
// templates once, a template id per row and the variables in one stream; a search decides a word
// or phrase without digits once per template, and a word with digits on the variables alone.
// Layout: docs/formats/part.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/column.h"

namespace sawlog {

// Stands for a variable in a template. A digit: the constant text of a value never holds one
// (every digit is inside some token, and such a token is a variable), so any value has a
// template, and a template is itself text whose tokens are the value's constant tokens with a
// token "0" where each variable was.
inline constexpr char kVariableMark = '0';
// Ends each variable in the variable stream (never a token byte).
inline constexpr char kVariableEnd = '\n';

// Whether a token is a variable (holds an ASCII digit) rather than template text.
inline bool IsVariableToken(std::string_view token) {
  for (char c : token)
    if (c >= '0' && c <= '9') return true;
  return false;
}

// Appends the templated encoding of present (the present rows' values) to *out, which holds the
// column's presence header: its two sections, each compressed at zstd level when that pays.
// Returns false, leaving *out alone, when the values have too many templates for it to pay
// (unless always).
bool EncodeTemplated(const std::vector<std::string_view>& present, int level, bool always, std::string* out);

// A templated column chunk, opened in place: the templates and ids at Open(), the variables
// (the larger section) only when asked for.
class TemplatedColumn {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  TemplatedColumn() = default;
  TemplatedColumn(const TemplatedColumn&) = delete;  // views point into its own buffers
  TemplatedColumn& operator=(const TemplatedColumn&) = delete;

  // column: the whole chunk (encoding byte first), which must outlive this; rows: the block's.
  Status Open(std::string_view column, size_t rows);
  size_t rows() const { return row_ids_.size(); }
  const std::vector<std::string_view>& templates() const { return templates_; }
  // How many variables each template has.
  const std::vector<uint32_t>& marks() const { return marks_; }
  // Each row's template id, kAbsent for rows without a value.
  const std::vector<uint32_t>& row_ids() const { return row_ids_; }
  // The variables of all rows in row order, each followed by kVariableEnd.
  Result<std::string_view> Variables();
  // Every row's value, rebuilt into *text (its views stay valid when *text is moved).
  Status Rebuild(std::string* text, std::vector<std::optional<std::string_view>>* values);

 private:
  std::string templates_raw_;  // section 1 decompressed, when it was compressed
  std::vector<std::string_view> templates_;
  std::vector<uint32_t> marks_;  // variables per template
  std::vector<uint32_t> pieces_;  // each template's constant runs' lengths (marks + 1 of them)
  std::vector<uint32_t> first_piece_;  // per template: its first run in pieces_
  std::vector<uint32_t> row_ids_;
  std::string_view variables_frame_;
  uint8_t variables_codec_ = 0;
  uint64_t variables_size_ = 0;
  std::optional<std::string_view> variables_;
  std::string variables_raw_;
};

}  // namespace sawlog
