// YamlLoader: what every YAML file that holds pipelines shares — the server's `--config` and the
// agent's `--config` (one pipeline per input): places as file:line:column (yaml-cpp marks are
// 0-based, editors 1-based), mappings whose keys are checked, and pipelines whose processors are
// checked against their types' schemas. One loader, so both files accept the same processors
// with the same errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "pipeline/pipeline.h"

namespace sawlog::pipeline {

class YamlLoader {
 public:
  // `file` names the configuration in errors; relative paths inside it are read from `base_dir`.
  YamlLoader(std::string_view file, std::string_view base_dir, int64_t now_ns);

  // Parses YAML text; a syntax error is InvalidArgument "<file>:<line>:<column>: <what>".
  static Result<YAML::Node> Parse(std::string_view yaml, std::string_view file);

  Location At(const YAML::Node& node) const { return {file_, node.Mark().line + 1, node.Mark().column + 1}; }
  Status Error(const YAML::Node& node, std::string_view message) const {
    return Status::InvalidArgument(At(node).ToString() + ": " + std::string(message));
  }
  // Calls fn(key_node, value_node) for each entry of a mapping, refusing repeated keys.
  template <typename Fn>
  Status ForEachEntry(const YAML::Node& map, std::string_view what, Fn&& fn) const;

  // A list of processors (`- parse: {...}`), each checked against its type's options.
  Result<std::shared_ptr<const Pipeline>> LoadPipeline(const std::string& name, const YAML::Node& list) const;

 private:
  Result<std::unique_ptr<Processor>> LoadProcessor(const YAML::Node& entry) const;
  Status LoadOption(std::string_view type, const OptionSpec& spec, const YAML::Node& node, Options::Value* value) const;
  Status DefaultOption(const OptionSpec& spec, Options::Value* value) const;

  std::string file_;
  std::string base_dir_;
  int64_t now_ns_;
};

template <typename Fn>
Status YamlLoader::ForEachEntry(const YAML::Node& map, std::string_view what, Fn&& fn) const {
  if (!map.IsMap()) return Error(map, std::string(what) + " must be a mapping");
  std::vector<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) return Error(it->first, std::string(what) + ": keys must be strings");
    const std::string& key = it->first.Scalar();
    for (const auto& s : seen)
      if (s == key) return Error(it->first, std::string(what) + ": '" + key + "' is given twice");
    seen.push_back(key);
    RETURN_IF_ERROR(fn(it->first, it->second));
  }
  return Status::Ok();
}

}  // namespace sawlog::pipeline
