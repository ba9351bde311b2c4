// Fuzzes MultilineJoiner with the built-in java rule and a small size limit, the input's lines
// arriving a second apart with a Flush in between. Invariants: no event is larger than the
// limit; no byte is lost or added (the events without their joining '\n's are the lines).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parse/multiline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMax = 64;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sawlog::MultilineOptions options;
  options.rule = sawlog::BuiltinMultilineRule(size % 3 == 0 ? "java" : size % 3 == 1 ? "python" : "go").value();
  options.max_bytes = kMax;
  options.flush_timeout = 1'500'000'000;
  auto joiner = sawlog::MultilineJoiner::Make(options).value();
  std::vector<sawlog::MultilineEvent> events;
  std::string lines;
  int64_t now = 0;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    lines += line;
    joiner->Add(line, now += 1'000'000'000, &events);
    if (line.size() % 2) joiner->Flush(now + 1'000'000'000, &events);
  }
  joiner->FlushAll(&events);
  if (joiner->held_bytes() != 0) __builtin_trap();
  std::string joined;
  for (const auto& e : events) {
    if (e.text.size() > kMax) __builtin_trap();
    for (char c : e.text)
      if (c != '\n') joined.push_back(c);
  }
  if (joined != lines) __builtin_trap();
  return 0;
}
