// Fuzzes the column decoders of store/column.h on their own (the part_reader target reaches them
// only through zstd frames and checksums): the input's first two bytes are the row count (at most
// 8,192 + a few), the rest is a column chunk as stored.
// Invariants:
//   - DecodeColumn, DecodeTypedColumn and DecodeIntColumn agree on success: the same values;
//   - a column that decodes, encoded again, decodes to the same values (encodings are lossless);
//   - an integer column encodes to the same bytes from its integers as from their text;
//   - a templated column (store/templated.h) opened in place rebuilds the values DecodeColumn
//     gives, its variable streams hold a line per present row, and any column's values encoded
//     templated decode to the same values.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/column.h"
#include "store/templated.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t rows = (data[0] | (size_t{data[1]} << 8)) % 8200;
  std::string_view chunk(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::vector<std::optional<std::string_view>> values;
  std::vector<std::string> storage;
  const bool ok = sawlog::DecodeColumn(chunk, rows, &values, &storage).ok();
  sawlog::TypedColumn typed;
  if (sawlog::DecodeTypedColumn(chunk, rows, &typed).ok() != ok) __builtin_trap();
  std::vector<int64_t> ints;
  const bool all_ints = sawlog::DecodeIntColumn(chunk, rows, &ints).ok();
  if (all_ints) {
    // Only a column whose every row is an integer decodes so; it must match the text.
    if (!ok || ints.size() != rows) __builtin_trap();
    for (size_t r = 0; r < rows; ++r) {
      int64_t x;
      if (!values[r] || !sawlog::IsCanonicalInt(*values[r], &x) || x != ints[r]) __builtin_trap();
    }
  }
  sawlog::TemplatedColumn templated;
  if (templated.Open(chunk, rows).ok()) {
    std::string text;
    std::vector<std::optional<std::string_view>> rebuilt;
    const bool rebuilt_ok = templated.Rebuild(&text, &rebuilt).ok();
    if (rebuilt_ok != ok || (ok && rebuilt != values)) __builtin_trap();
    // What a search reads (query/template_search.h): a line per present row in each stream.
    for (size_t k = 0; rebuilt_ok && templated.split() && k < sawlog::kVariableKinds; ++k) {
      auto vars = templated.Variables(static_cast<sawlog::VariableKind>(k));
      if (!vars.ok() || static_cast<size_t>(std::count(vars->begin(), vars->end(), sawlog::kRowEnd)) != templated.presence().count)
        __builtin_trap();
    }
  }
  if (!ok) return 0;
  if (values.size() != rows) __builtin_trap();
  // Texts may point into storage: copy before encoding again.
  std::vector<std::string> texts;
  texts.reserve(rows);
  std::vector<std::optional<std::string_view>> again;
  for (const auto& v : values) {
    if (!v) {
      again.push_back(std::nullopt);
      continue;
    }
    texts.emplace_back(*v);
    again.push_back(texts.back());
  }
  sawlog::ColumnEncoding encoding;
  const std::string encoded = sawlog::EncodeColumn(again, &encoding);
  std::vector<std::optional<std::string_view>> back;
  std::vector<std::string> back_storage;
  if (!sawlog::DecodeColumn(encoded, rows, &back, &back_storage).ok() || back != again) __builtin_trap();
  const std::string as_templates = *sawlog::EncodeTemplatedColumn(again, 1, true);
  back.clear();
  back_storage.clear();
  if (!sawlog::DecodeColumn(as_templates, rows, &back, &back_storage).ok() || back != again) __builtin_trap();
  if (all_ints) {
    sawlog::ColumnEncoding int_encoding;
    if (sawlog::EncodeIntColumn(ints, &int_encoding) != encoded || int_encoding != encoding) __builtin_trap();
  }
  return 0;
}
