// Stream selectors: `{service="api", host=~"web-.*", env!="dev"}`, LogQL's label matchers, which
// the store answers from its stream index before reading any block.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/ast.h"

namespace sawlog::query {

// Parses the text between the braces; position is the 1-based column of the text's first byte,
// for errors. Regexes are RE2 syntax and must match the whole value.
Result<std::vector<LabelMatcher>> ParseStreamSelector(std::string_view text, size_t position);

// Whether a canonical stream string ({a="1",b="2"}) satisfies every matcher.
bool StreamMatches(const std::vector<LabelMatcher>& matchers, std::string_view stream);

// "{a=\"1\", b=~\"x.*\"}", for Node::ToString.
std::string SelectorToString(const std::vector<LabelMatcher>& matchers);

}  // namespace sawlog::query
