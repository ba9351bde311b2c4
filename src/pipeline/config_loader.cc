// The YAML configuration: `pipelines` (name → list of processors) and `receivers` (name →
// {pipeline: name}). Every processor's options are checked against its type's OptionSpecs here,
// once for all types; errors name file:line:column (yaml-cpp marks are 0-based, editors 1-based).
#include <algorithm>
#include <charconv>
#include <optional>
#include <re2/re2.h>

#include "core/env.h"
#include "pipeline/pipeline.h"
#include "pipeline/yaml_loader.h"
#include "query/query.h"

namespace sawlog::pipeline {

namespace {

class Loader : public YamlLoader {
 public:
  using YamlLoader::YamlLoader;
  Result<Config> Load(const YAML::Node& root);
};

Result<Config> Loader::Load(const YAML::Node& root) {
  Config config;
  if (!root.IsDefined() || root.IsNull()) return config;  // an empty file: no pipelines
  std::optional<YAML::Node> receivers;  // read after the pipelines, wherever it is written
  Status st = ForEachEntry(root, "the configuration", [&](const YAML::Node& key, const YAML::Node& value) -> Status {
    if (key.Scalar() == "pipelines") {
      return ForEachEntry(value, "pipelines", [&](const YAML::Node& name, const YAML::Node& list) -> Status {
        ASSIGN_OR_RETURN(auto p, LoadPipeline(name.Scalar(), list));
        config.pipelines.emplace(name.Scalar(), std::move(p));
        return Status::Ok();
      });
    }
    if (key.Scalar() == "receivers") {
      receivers.emplace(value);
      return Status::Ok();
    }
    return Error(key, "unknown key '" + key.Scalar() + "' (known: pipelines, receivers)");
  });
  RETURN_IF_ERROR(st);
  if (!receivers) return config;
  st = ForEachEntry(*receivers, "receivers", [&](const YAML::Node& name, const YAML::Node& value) -> Status {
    bool known = false;
    std::string names;
    for (auto r : kReceiverNames) {
      known |= r == name.Scalar();
      names += (names.empty() ? "" : ", ") + std::string(r);
    }
    if (!known) return Error(name, "unknown receiver '" + name.Scalar() + "' (known: " + names + ")");
    std::string pipeline;
    RETURN_IF_ERROR(ForEachEntry(value, "receiver '" + name.Scalar() + "'", [&](const YAML::Node& k, const YAML::Node& v) -> Status {
      if (k.Scalar() != "pipeline") return Error(k, "unknown key '" + k.Scalar() + "' (known: pipeline)");
      if (!v.IsScalar()) return Error(v, "'pipeline' must be the name of a pipeline");
      if (!config.pipelines.contains(v.Scalar())) return Error(v, "no pipeline named '" + v.Scalar() + "'");
      pipeline = v.Scalar();
      return Status::Ok();
    }));
    if (pipeline.empty()) return Error(value, "receiver '" + name.Scalar() + "': missing key 'pipeline'");
    config.receivers.emplace(name.Scalar(), pipeline);
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  return config;
}

}  // namespace

YamlLoader::YamlLoader(std::string_view file, std::string_view base_dir, int64_t now_ns)
    : file_(file), base_dir_(base_dir), now_ns_(now_ns) {}

Result<YAML::Node> YamlLoader::Parse(std::string_view yaml, std::string_view file) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<std::shared_ptr<const Pipeline>> YamlLoader::LoadPipeline(const std::string& name, const YAML::Node& list) const {
  if (!list.IsSequence()) return Error(list, "pipeline '" + name + "' must be a list of processors");
  std::vector<std::unique_ptr<Processor>> processors;
  for (const auto& entry : list) {
    ASSIGN_OR_RETURN(auto p, LoadProcessor(entry));
    processors.push_back(std::move(p));
  }
  return std::make_shared<const Pipeline>(std::move(processors));
}

namespace {

std::string KnownTypes() {
  std::string out;
  for (const ProcessorType* t : ProcessorTypes()) out += (out.empty() ? "" : ", ") + std::string(t->name);
  return out;
}

}  // namespace

Result<std::unique_ptr<Processor>> YamlLoader::LoadProcessor(const YAML::Node& entry) const {
  if (!entry.IsMap() || entry.size() != 1)
    return Error(entry, "a processor is a mapping with one key, its type, e.g. `- rename: {fields: {a: b}}`");
  const YAML::Node key = entry.begin()->first;
  const YAML::Node body = entry.begin()->second;
  if (!key.IsScalar()) return Error(key, "the processor type must be a string");
  const ProcessorType* type = FindProcessorType(key.Scalar());
  if (type == nullptr) return Error(key, "unknown processor '" + key.Scalar() + "' (known: " + KnownTypes() + ")");
  Options options(std::string(type->name), At(key), base_dir_, now_ns_);
  std::vector<std::string> given;
  if (!body.IsNull()) {
    RETURN_IF_ERROR(ForEachEntry(body, std::string(type->name), [&](const YAML::Node& k, const YAML::Node& v) -> Status {
      for (const OptionSpec& spec : type->options) {
        if (spec.name != k.Scalar()) continue;
        Options::Value value;
        RETURN_IF_ERROR(LoadOption(type->name, spec, v, &value));
        options.Set(k.Scalar(), std::move(value));
        given.push_back(k.Scalar());
        return Status::Ok();
      }
      std::string known;
      for (const OptionSpec& spec : type->options) known += (known.empty() ? "" : ", ") + std::string(spec.name);
      return Error(k, std::string(type->name) + ": unknown option '" + k.Scalar() + "' (known: " + known + ")");
    }));
  }
  for (const OptionSpec& spec : type->options) {
    if (std::find(given.begin(), given.end(), spec.name) != given.end()) continue;
    if (spec.required)
      return Error(key, std::string(type->name) + ": missing required option '" + std::string(spec.name) + "'");
    Options::Value value;
    value.where = At(key);
    RETURN_IF_ERROR(DefaultOption(spec, &value));
    options.Set(std::string(spec.name), std::move(value));
  }
  ASSIGN_OR_RETURN(auto processor, type->make(options));
  processor->set_label(std::string(type->name) + " at " + At(key).ToString());
  return processor;
}

namespace {

// Checks a scalar against the option's type, filling number/flag; the error is the reason alone.
Status ParseScalar(OptionType type, const std::string& text, Options::Value* value, int64_t now_ns) {
  switch (type) {
    case OptionType::kInt: {
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value->number);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return Status::InvalidArgument("expected an integer, got '" + text + "'");
      return Status::Ok();
    }
    case OptionType::kBool:
      if (text != "true" && text != "false") return Status::InvalidArgument("expected true or false, got '" + text + "'");
      value->flag = text == "true";
      return Status::Ok();
    case OptionType::kRegex:
    case OptionType::kRegexList: {
      RE2 re(text, RE2::Quiet);
      if (!re.ok()) return Status::InvalidArgument("bad regular expression '" + text + "': " + re.error());
      return Status::Ok();
    }
    case OptionType::kQuery: {
      auto q = query::ParseFilter(text, 0, text, now_ns);  // a filter: pipes have no place here
      if (!q.ok()) return Status::InvalidArgument("bad query filter '" + text + "': " + q.status().message());
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

}  // namespace

Status YamlLoader::LoadOption(std::string_view type, const OptionSpec& spec, const YAML::Node& node,
                          Options::Value* value) const {
  value->type = spec.type;
  value->given = true;
  value->where = At(node);
  auto bad = [&](const YAML::Node& at, std::string_view why) {
    return Error(at, std::string(type) + ": option '" + std::string(spec.name) + "': " + std::string(why));
  };
  auto wrong_type = [&] { return bad(node, "expected " + std::string(OptionTypeName(spec.type))); };
  switch (spec.type) {
    case OptionType::kList:
    case OptionType::kRegexList:
      if (!node.IsSequence()) return wrong_type();
      for (const auto& item : node) {
        if (!item.IsScalar()) return bad(item, "expected " + std::string(OptionTypeName(spec.type)));
        if (Status st = ParseScalar(spec.type, item.Scalar(), value, now_ns_); !st.ok()) return bad(item, st.message());
        value->list.push_back(item.Scalar());
      }
      return Status::Ok();
    case OptionType::kMap:
      return ForEachEntry(node, "option '" + std::string(spec.name) + "'", [&](const YAML::Node& k, const YAML::Node& v) -> Status {
        if (!v.IsScalar()) return bad(v, "expected " + std::string(OptionTypeName(spec.type)));
        value->map.emplace_back(k.Scalar(), v.Scalar());
        return Status::Ok();
      });
    default:
      if (!node.IsScalar()) return wrong_type();
      value->text = node.Scalar();
      if (Status st = ParseScalar(spec.type, value->text, value, now_ns_); !st.ok()) return bad(node, st.message());
      return Status::Ok();
  }
}

Status YamlLoader::DefaultOption(const OptionSpec& spec, Options::Value* value) const {
  value->type = spec.type;
  std::string text(spec.default_value);
  if (spec.type == OptionType::kList || spec.type == OptionType::kRegexList) {
    for (size_t pos = 0; !text.empty() && pos <= text.size();) {
      size_t comma = std::min(text.find(',', pos), text.size());
      value->list.push_back(text.substr(pos, comma - pos));
      pos = comma + 1;
    }
    return Status::Ok();
  }
  value->text = text;
  if (text.empty()) return Status::Ok();
  Status st = ParseScalar(spec.type, text, value, now_ns_);
  return st.ok() ? st : Status::Internal("BUG: default of option '" + std::string(spec.name) + "': " + st.message());
}

Result<Config> ParseConfig(std::string_view yaml, std::string_view file, std::string_view base_dir) {
  ASSIGN_OR_RETURN(YAML::Node root, YamlLoader::Parse(yaml, file));
  return Loader(file, base_dir, Env::Default()->NowNanos()).Load(root);
}

Result<Config> LoadConfig(Env* env, const std::string& path) {
  auto text = env->ReadFile(path);
  if (!text.ok()) return text.status().Annotate("pipeline configuration");
  return ParseConfig(*text, path, DirName(path));
}

const Pipeline* Config::ForReceiver(std::string_view receiver) const {
  auto r = receivers.find(receiver);
  if (r == receivers.end()) return nullptr;
  auto p = pipelines.find(r->second);
  return p == pipelines.end() ? nullptr : p->second.get();
}

}  // namespace sawlog::pipeline
