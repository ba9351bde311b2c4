// Every key of the agent's YAML is read here, checked for its type, and refused with its place
// when unknown; processors go through the pipeline subsystem's loader, as the server's do.
#include "agent/agent_config.h"

#include <set>

#include "core/timestamp.h"
#include "pipeline/yaml_loader.h"

namespace sawlog::agent {

namespace {

class AgentLoader : public pipeline::YamlLoader {
 public:
  using YamlLoader::YamlLoader;

  Result<AgentConfig> Load(const YAML::Node& root) const;

 private:
  Result<InputConfig> LoadInput(const YAML::Node& node, size_t index) const;
  Status Scalar(const YAML::Node& v, std::string_view key, std::string* out) const {
    if (!v.IsScalar()) return Error(v, "'" + std::string(key) + "' must be a string");
    *out = v.Scalar();
    return Status::Ok();
  }
  Status StringList(const YAML::Node& v, std::string_view key, std::vector<std::string>* out) const {
    if (v.IsScalar()) {  // one pattern may be written without brackets
      out->push_back(v.Scalar());
      return Status::Ok();
    }
    if (!v.IsSequence()) return Error(v, "'" + std::string(key) + "' must be a list of strings");
    for (const auto& item : v) {
      if (!item.IsScalar()) return Error(item, "'" + std::string(key) + "' must be a list of strings");
      out->push_back(item.Scalar());
    }
    return Status::Ok();
  }
  Status Duration(const YAML::Node& v, std::string_view key, int64_t* out) const {
    std::string text;
    RETURN_IF_ERROR(Scalar(v, key, &text));
    auto d = ParseDuration(text);
    if (!d.ok() || *d <= 0) return Error(v, "'" + std::string(key) + "': expected a duration such as 5s, got '" + text + "'");
    *out = *d;
    return Status::Ok();
  }
  Status Bytes(const YAML::Node& v, std::string_view key, uint64_t* out) const {
    std::string text;
    RETURN_IF_ERROR(Scalar(v, key, &text));
    auto n = ParseByteSize(text);
    if (!n.ok() || *n == 0) return Error(v, "'" + std::string(key) + "': expected a size such as 64MiB or 1GB, got '" + text + "'");
    *out = *n;
    return Status::Ok();
  }
};

Result<AgentConfig> AgentLoader::Load(const YAML::Node& root) const {
  AgentConfig config;
  if (!root.IsDefined() || root.IsNull()) return Error(root, "the configuration is empty: it needs at least 'inputs'");
  bool have_inputs = false;
  RETURN_IF_ERROR(ForEachEntry(root, "the configuration", [&](const YAML::Node& k, const YAML::Node& v) -> Status {
    const std::string& key = k.Scalar();
    if (key == "server") {
      RETURN_IF_ERROR(Scalar(v, key, &config.server));
      if (config.server.rfind("http://", 0) != 0) return Error(v, "'server' must be an http://HOST:PORT URL");
      while (config.server.ends_with('/')) config.server.pop_back();
      return Status::Ok();
    }
    if (key == "tenant") {
      RETURN_IF_ERROR(Scalar(v, key, &config.tenant));
      if (!IsValidTenant(config.tenant)) return Error(v, "'tenant': 1 to 64 of A-Z a-z 0-9 _ -");
      return Status::Ok();
    }
    if (key == "data_dir") return Scalar(v, key, &config.data_dir);
    if (key == "max_buffer_size") return Bytes(v, key, &config.max_buffer_bytes);
    if (key == "batch_size") return Bytes(v, key, &config.batch_bytes);
    if (key == "partial_line_timeout") return Duration(v, key, &config.partial_line_timeout);
    if (key == "request_timeout") {
      RETURN_IF_ERROR(Duration(v, key, &config.request_timeout));
      if (config.request_timeout % 1'000'000'000 != 0) return Error(v, "'request_timeout' must be whole seconds");
      return Status::Ok();
    }
    if (key == "compression") {
      std::string text;
      RETURN_IF_ERROR(Scalar(v, key, &text));
      if (text == "zstd") config.compression = Compression::kZstd;
      else if (text == "gzip") config.compression = Compression::kGzip;
      else if (text == "none") config.compression = Compression::kNone;
      else return Error(v, "'compression' must be zstd, gzip or none");
      return Status::Ok();
    }
    if (key == "inputs") {
      if (!v.IsSequence()) return Error(v, "'inputs' must be a list of inputs (`- name: app`)");
      std::set<std::string> names;
      for (size_t i = 0; i < v.size(); ++i) {
        ASSIGN_OR_RETURN(InputConfig input, LoadInput(v[i], i));
        if (!names.insert(input.name).second) return Error(v[i], "two inputs are named '" + input.name + "'");
        config.inputs.push_back(std::move(input));
      }
      have_inputs = true;
      return Status::Ok();
    }
    return Error(k, "unknown key '" + key +
                        "' (known: server, tenant, data_dir, max_buffer_size, batch_size, partial_line_timeout, "
                        "request_timeout, compression, inputs)");
  }));
  if (!have_inputs || config.inputs.empty()) return Error(root, "the configuration has no inputs");
  return config;
}

Result<InputConfig> AgentLoader::LoadInput(const YAML::Node& node, size_t index) const {
  InputConfig input;
  input.name = "input" + std::to_string(index + 1);
  const YAML::Node* paths_node = nullptr;
  std::string type = "file";
  YAML::Node paths_copy;
  RETURN_IF_ERROR(ForEachEntry(node, "an input", [&](const YAML::Node& k, const YAML::Node& v) -> Status {
    const std::string& key = k.Scalar();
    if (key == "name") {
      RETURN_IF_ERROR(Scalar(v, key, &input.name));
      if (!IsValidTenant(input.name)) return Error(v, "'name': 1 to 64 of A-Z a-z 0-9 _ - (it names the input in the state file and logs)");
      return Status::Ok();
    }
    if (key == "type") {
      RETURN_IF_ERROR(Scalar(v, key, &type));
      if (type != "file" && type != "stdin") return Error(v, "unknown input type '" + type + "' (known: file, stdin)");
      return Status::Ok();
    }
    if (key == "paths") {
      RETURN_IF_ERROR(StringList(v, key, &input.paths));
      paths_copy = v;
      paths_node = &paths_copy;
      return Status::Ok();
    }
    if (key == "exclude") return StringList(v, key, &input.exclude);
    if (key == "start_at") {
      std::string text;
      RETURN_IF_ERROR(Scalar(v, key, &text));
      if (text != "beginning" && text != "end") return Error(v, "'start_at' must be beginning or end");
      input.start_at_end = text == "end";
      return Status::Ok();
    }
    if (key == "multiline") {
      if (v.IsScalar()) {
        auto rule = BuiltinMultilineRule(v.Scalar());
        if (!rule.ok()) return Error(v, "'multiline': " + rule.status().message());
        input.multiline = *rule;
        return Status::Ok();
      }
      MultilineRule rule;
      RETURN_IF_ERROR(ForEachEntry(v, "'multiline'", [&](const YAML::Node& mk, const YAML::Node& mv) -> Status {
        if (mk.Scalar() == "start") return Scalar(mv, "start", &rule.start);
        if (mk.Scalar() == "continuation") return Scalar(mv, "continuation", &rule.continuation);
        return Error(mk, "'multiline': unknown key '" + mk.Scalar() + "' (known: start, continuation; or a built-in name)");
      }));
      MultilineOptions options;
      options.rule = rule;
      if (auto joiner = MultilineJoiner::Make(options); !joiner.ok()) return Error(v, "'multiline': " + joiner.status().message());
      input.multiline = rule;
      return Status::Ok();
    }
    if (key == "labels") {
      return ForEachEntry(v, "'labels'", [&](const YAML::Node& lk, const YAML::Node& lv) -> Status {
        if (!lv.IsScalar()) return Error(lv, "label '" + lk.Scalar() + "' must be a string");
        if (lk.Scalar().empty() || lk.Scalar()[0] == '_') return Error(lk, "label names must not be empty or start with '_'");
        input.labels.emplace_back(lk.Scalar(), lv.Scalar());
        return Status::Ok();
      });
    }
    if (key == "tenant") {
      RETURN_IF_ERROR(Scalar(v, key, &input.tenant));
      if (!IsValidTenant(input.tenant)) return Error(v, "'tenant': 1 to 64 of A-Z a-z 0-9 _ -");
      return Status::Ok();
    }
    if (key == "pipeline") {
      ASSIGN_OR_RETURN(input.pipeline, LoadPipeline(input.name, v));
      return Status::Ok();
    }
    return Error(k, "unknown key '" + key + "' in an input (known: name, type, paths, exclude, start_at, multiline, labels, tenant, pipeline)");
  }));
  input.type = type == "stdin" ? InputType::kStdin : InputType::kFile;
  if (input.type == InputType::kFile && input.paths.empty())
    return Error(node, "input '" + input.name + "': a file input needs 'paths'");
  if (input.type == InputType::kStdin && paths_node != nullptr)
    return Error(*paths_node, "input '" + input.name + "': a stdin input has no 'paths'");
  for (const auto& p : input.paths)
    if (p.empty() || p[0] != '/') return Error(paths_node ? *paths_node : node, "input '" + input.name + "': paths must be absolute, got '" + p + "'");
  return input;
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(std::string_view yaml, std::string_view file, std::string_view base_dir) {
  ASSIGN_OR_RETURN(YAML::Node root, pipeline::YamlLoader::Parse(yaml, file));
  AgentConfig config;
  ASSIGN_OR_RETURN(config, AgentLoader(file, base_dir, Env::Default()->NowNanos()).Load(root));
  size_t stdin_inputs = 0;
  for (const auto& in : config.inputs) stdin_inputs += in.type == InputType::kStdin;
  if (stdin_inputs > 1) return Status::InvalidArgument(std::string(file) + ": at most one input may read stdin");
  return config;
}

Result<AgentConfig> LoadAgentConfig(Env* env, const std::string& path) {
  auto text = env->ReadFile(path);
  if (!text.ok()) return text.status().Annotate("agent configuration");
  return ParseAgentConfig(*text, path, DirName(path));
}

}  // namespace sawlog::agent
