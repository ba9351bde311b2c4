// Fuzzes the tokenizer and the part writer's token filters: the input after its first byte is a
// column's values, one a line, each in an allocation of its exact size (a read past it is a
// sanitizer report). Bit 0 of the first byte: the filter holds token pairs (a rich _msg).
//
// Invariants (differential): ForEachToken and ForEachFoldedToken give the tokens that the rules
// give a byte at a time (docs/formats/tokenizer.md); the filter TokenFilterBuilder builds (after
// another, so its tables carry state from it) has the bytes of BuildBloomFilter over plainly
// hashing every token and pair of every value.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer.h"
#include "store/bloom_filter.h"
#include "store/column.h"
#include "store/templated.h"
#include "store/token_filter.h"

namespace {

std::vector<std::string> PlainTokens(std::string_view text, bool fold) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    size_t end = i;
    while (end < text.size() && sawlog::IsTokenByte(static_cast<unsigned char>(text[end]))) ++end;
    if (end > i) {
      out.emplace_back(text.substr(i, end - i));
      if (fold)
        for (char& c : out.back()) c = sawlog::FoldCase(c);
    }
    i = end + (end == i);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool pairs = (data[0] & 1) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::unique_ptr<char[]>> storage;
  std::vector<std::optional<std::string_view>> values;
  std::vector<uint64_t> hashes;
  for (size_t start = 0; start <= input.size();) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    storage.push_back(std::make_unique<char[]>(end - start));
    std::memcpy(storage.back().get(), input.data() + start, end - start);
    const std::string_view v(storage.back().get(), end - start);
    values.emplace_back(v);
    start = end + 1;

    std::vector<std::string> got, got_folded;
    sawlog::ForEachToken(v, [&](std::string_view t) { got.emplace_back(t); });
    sawlog::ForEachFoldedToken(v, [&](std::string_view t) { got_folded.emplace_back(t); });
    const std::vector<std::string> folded = PlainTokens(v, true);
    if (got != PlainTokens(v, false) || got_folded != folded) __builtin_trap();
    for (size_t i = 0; i < folded.size(); ++i) {
      hashes.push_back(sawlog::TokenHash(folded[i]));
      if (pairs && i > 0 && !sawlog::IsVariableToken(folded[i - 1]) && !sawlog::IsVariableToken(folded[i]))
        hashes.push_back(sawlog::TokenPairHash(sawlog::TokenHash(folded[i - 1]), sawlog::TokenHash(folded[i])));
    }
  }
  // The distinct values as the column's encoder finds them, as the part writer passes them.
  sawlog::DistinctValues known;
  sawlog::ColumnEncoding encoding;
  sawlog::EncodeColumn(values, &encoding, &known);
  sawlog::TokenFilterBuilder builder;
  builder.Build(values, sawlog::DistinctValues(), !pairs);
  if (builder.Build(values, known, pairs) != sawlog::BuildBloomFilter(hashes)) __builtin_trap();
  return 0;
}
