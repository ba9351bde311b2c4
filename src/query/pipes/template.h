// Templates with `<name>` placeholders, shared by `extract` (which reads fields out of text with
// one) and `format` (which writes fields into one). `<<` stands for a literal '<'.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sawlog::query::pipes {

struct Template {
  // Alternating: literal, placeholder, literal, ..., always starting and ending with a literal
  // (maybe empty); placeholders[i] sits between literals[i] and literals[i + 1].
  std::vector<std::string> literals;
  std::vector<std::string> placeholders;  // "_" or "" for `<_>`: matched but not kept
};

// Errors name the byte offset inside the template text.
Result<Template> ParseTemplate(std::string_view text);

}  // namespace sawlog::query::pipes
