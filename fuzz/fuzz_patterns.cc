// Fuzzes the `patterns` miner with the input's lines as messages, with room for 8 templates so
// that the past-the-limit path runs too: ids stay below size(), and the same lines give the same
// ids and templates again (no hidden state, no dependence on addresses).
#include <string>
#include <vector>

#include "query/patterns.h"

namespace {

std::vector<std::string> Mine(std::string_view input, std::vector<size_t>* ids) {
  sawlog::query::PatternMiner miner(8);
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    size_t id = miner.Add(input.substr(start, end - start));
    if (id >= miner.size()) __builtin_trap();
    ids->push_back(id);
    start = end + 1;
  }
  std::vector<std::string> templates;
  for (size_t id = 0; id < miner.size(); ++id) templates.push_back(miner.Template(id));
  return templates;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<size_t> ids1, ids2;
  if (Mine(input, &ids1) != Mine(input, &ids2) || ids1 != ids2) __builtin_trap();
  return 0;
}
