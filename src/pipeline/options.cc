// Options, OptionType and Location: the validated configuration a processor is made from.
#include <cassert>

#include "core/env.h"
#include "pipeline/processor.h"

namespace sawlog::pipeline {

std::string Location::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string_view OptionTypeName(OptionType type) {
  switch (type) {
    case OptionType::kString: return "a string";
    case OptionType::kInt: return "an integer";
    case OptionType::kBool: return "true or false";
    case OptionType::kList: return "a list of strings";
    case OptionType::kMap: return "a mapping of strings";
    case OptionType::kRegex: return "a regular expression";
    case OptionType::kRegexList: return "a list of regular expressions";
    case OptionType::kQuery: return "a query filter";
  }
  return "?";
}

const Options::Value& Options::Get(std::string_view name) const {
  for (const auto& [n, v] : values_)
    if (n == name) return v;
  assert(false && "BUG: option not declared in the processor's schema");
  static const Value kNone;
  return kNone;
}

Status Options::Error(std::string_view name, std::string_view message) const {
  const Location& at = Get(name).given ? Get(name).where : where_;
  return Status::InvalidArgument(at.ToString() + ": " + type_ + ": option '" + std::string(name) + "': " +
                                 std::string(message));
}

Status Options::Error(std::string_view message) const {
  return Status::InvalidArgument(where_.ToString() + ": " + type_ + ": " + std::string(message));
}

std::string Options::Path(std::string_view name) const {
  const std::string& p = String(name);
  if (p.empty() || p[0] == '/' || base_dir_.empty()) return p;
  return JoinPath(base_dir_, p);
}

}  // namespace sawlog::pipeline
