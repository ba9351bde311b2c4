// set and add: static fields, with ${HOSTNAME} and ${env:NAME} expanded once, at load.
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"fields", OptionType::kMap, true, {}, "name: value; values may use ${HOSTNAME}, ${env:NAME} and $$ for $"},
};

// Expanded at load, not per event: the host name and the environment do not change while the
// process runs, and a missing variable is better refused at start than stored empty.
Result<std::string> Expand(const Options& o, const std::string& value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '$') {
      out.push_back(value[i]);
      continue;
    }
    if (i + 1 < value.size() && value[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    size_t close = value.find('}', i);
    if (i + 1 >= value.size() || value[i + 1] != '{' || close == std::string::npos)
      return o.Error("fields", "'" + value + "': a '$' starts ${HOSTNAME}, ${env:NAME} or $$");
    std::string name = value.substr(i + 2, close - i - 2);
    if (name == "HOSTNAME") {
      char host[HOST_NAME_MAX + 1] = {};
      if (gethostname(host, sizeof host - 1) != 0) return o.Error("fields", "cannot read the host name");
      out += host;
    } else if (name.starts_with("env:") && name.size() > 4) {
      const char* v = std::getenv(name.c_str() + 4);
      if (v == nullptr) return o.Error("fields", "environment variable '" + name.substr(4) + "' is not set");
      out += v;
    } else {
      return o.Error("fields", "unknown variable '${" + name + "}' (known: ${HOSTNAME}, ${env:NAME})");
    }
    i = close;
  }
  return out;
}

class SetProcessor final : public Processor {
 public:
  SetProcessor(std::vector<std::pair<std::string, std::string>> fields, bool overwrite)
      : fields_(std::move(fields)), overwrite_(overwrite) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records)
      for (const auto& [name, value] : fields_)
        if (overwrite_ || GetField(r->event, name) == nullptr) SetField(&r->event, name, value);
  }

 private:
  const std::vector<std::pair<std::string, std::string>> fields_;
  const bool overwrite_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o, bool overwrite) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& [name, value] : o.Map("fields")) {
    RETURN_IF_ERROR(CheckWritableField(o, "fields", name));
    ASSIGN_OR_RETURN(std::string v, Expand(o, value));
    fields.emplace_back(name, std::move(v));
  }
  return std::unique_ptr<Processor>(std::make_unique<SetProcessor>(std::move(fields), overwrite));
}

}  // namespace

const ProcessorType kSetType{"set", "sets fields, replacing their values", kOptions,
                             [](const Options& o) { return Make(o, true); }};
const ProcessorType kAddType{"add", "adds fields the event does not have yet", kOptions,
                             [](const Options& o) { return Make(o, false); }};

}  // namespace sawlog::pipeline
