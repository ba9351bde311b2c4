// Templated text columns (ColumnEncoding::kTemplatedSplit, part format 6; kTemplated, format 5, is
// still read): each value split, by the tokenizer's rules, into its template (the value with every
// token that holds an ASCII digit replaced by a mark) and those tokens, its variables. A block
// stores its distinct templates once and a template id per row; the variables go to two streams
// by kind (all digits, or digits with other token bytes), each row's on a line of its own. A
// search decides a word or phrase without digits once per template, and a word with digits on one
// stream alone, finding rows by counting lines. Layout: docs/formats/part.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/column.h"

namespace sawlog {

// The two kinds of variables, by which a template marks them and a block streams them. Numbers,
// addresses and times (kDigits) are most of the variable bytes; ids with letters (kMixed) are
// what a search for a word with digits usually looks for, in far fewer bytes.
enum class VariableKind : uint8_t { kDigits = 0, kMixed = 1 };
inline constexpr size_t kVariableKinds = 2;

// Stand for a variable of each kind in a template: digits, since the constant text of a value
// never holds one (every digit is inside some token, and such a token is a variable), so any value
// has a template, and a template is itself text whose tokens are the value's constant tokens with
// a token "0" or "1" where each variable was. (Format 5 marks every variable with kDigitsMark.)
inline constexpr char kDigitsMark = '0';
inline constexpr char kMixedMark = '1';
// In a variable stream, each variable is followed by kVariableEnd and each present row's
// variables by kRowEnd, neither a token byte. (Format 5: one stream, each variable followed by
// kRowEnd, no row ends.)
inline constexpr char kVariableEnd = ' ';
inline constexpr char kRowEnd = '\n';

// Whether a token is a variable (holds an ASCII digit) rather than template text.
inline bool IsVariableToken(std::string_view token) {
  for (char c : token)
    if (c >= '0' && c <= '9') return true;
  return false;
}

// The kind of a variable token.
inline VariableKind KindOfVariable(std::string_view token) {
  for (char c : token)
    if (c < '0' || c > '9') return VariableKind::kMixed;
  return VariableKind::kDigits;
}

// Appends the templated encoding of present (the present rows' values) to *out, which holds the
// column's presence header: its three sections, each compressed at zstd level when that pays.
// Returns false, leaving *out alone, when the values have too many templates for it to pay
// (unless always).
bool EncodeTemplated(const std::vector<std::string_view>& present, int level, bool always, std::string* out);

// A templated column chunk, opened in place: each section is decompressed and read only when
// first asked for.
class TemplatedColumn {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  TemplatedColumn() = default;
  TemplatedColumn(const TemplatedColumn&) = delete;  // views point into its own buffers
  TemplatedColumn& operator=(const TemplatedColumn&) = delete;

  // column: the whole chunk (encoding byte first), which must outlive this; rows: the block's.
  Status Open(std::string_view column, size_t rows);
  size_t rows() const { return rows_; }
  const Presence& presence() const { return presence_; }
  // Whether the variables stand in streams by kind, by row (format 6); else Variables is not
  // available and only Rebuild reads them.
  bool split() const { return split_; }

  // Reads the templates and ids, after which templates() and row_ids() hold them.
  Status ReadTemplates();
  const std::vector<std::string_view>& templates() const { return templates_; }
  // Each row's template id, kAbsent for rows without a value.
  const std::vector<uint32_t>& row_ids() const { return row_ids_; }

  // The variables of one kind (split() columns only): for each present row in order, its
  // variables of the kind each followed by kVariableEnd, then kRowEnd.
  Result<std::string_view> Variables(VariableKind kind);
  // Every row's value, rebuilt into *text (its views stay valid when *text is moved).
  Status Rebuild(std::string* text, std::vector<std::optional<std::string_view>>* values);

 private:
  struct Section {
    uint8_t codec = 0;
    uint64_t raw_size = 0;
    std::string_view stored;
    std::string raw;  // decompressed, when it was compressed
    std::optional<std::string_view> bytes;
  };
  Result<std::string_view> Read(Section* section, const char* what);

  size_t rows_ = 0;
  Presence presence_;
  bool split_ = false;
  Section templates_section_;
  std::array<Section, kVariableKinds> variables_;  // format 5: only the first
  bool templates_read_ = false;
  std::vector<std::string_view> templates_;
  std::vector<std::array<uint32_t, kVariableKinds>> marks_;  // variables per template, by kind
  std::vector<uint32_t> pieces_;       // each template's constant runs' lengths (marks + 1 of them)
  std::vector<uint32_t> first_piece_;  // per template: its first run in pieces_
  std::vector<uint32_t> row_ids_;
};

}  // namespace sawlog
