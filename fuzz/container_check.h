// For fuzz_cri and fuzz_docker: the input's lines through a container-log parser and then a
// PartialLineJoiner with a small limit. Besides line_parser_check.h's invariants: the joiner
// loses and invents no byte of message, holds nothing after Flush, and emits a message longer
// than its limit only when one piece alone was that long.
#pragma once

#include "line_parser_check.h"
#include "parse/partial_line_joiner.h"

namespace sawlog::fuzz {

inline void CheckContainerLines(LineParser* parser, std::string_view input, bool names_column) {
  constexpr size_t kLimit = 64;
  PartialLineJoiner joiner(kLimit);
  std::vector<ParsedLine> events;
  size_t bytes_in = 0, longest_piece = 0;
  auto ctx = FuzzContext();
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
    ParsedLine parsed;
    if (!CheckLineParser(parser, line, ctx, names_column, &parsed).ok()) continue;
    if (!parsed.msg) __builtin_trap();
    bytes_in += parsed.msg->size();
    longest_piece = std::max(longest_piece, parsed.msg->size());
    joiner.Add(std::move(parsed), &events);
  }
  joiner.Flush(&events);
  if (joiner.held_bytes() != 0) __builtin_trap();
  size_t bytes_out = 0;
  for (const auto& e : events) {
    bytes_out += e.msg ? e.msg->size() : 0;
    if (e.msg && e.msg->size() > kLimit && e.msg->size() > longest_piece) __builtin_trap();
  }
  if (bytes_out != bytes_in) __builtin_trap();
}

}  // namespace sawlog::fuzz
