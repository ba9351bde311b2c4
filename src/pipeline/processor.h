// Processor: one step of a pipeline (parse, set, rename, drop, redact, route, ...), and the
// description every processor type gives of itself so that configurations are checked by one
// generic loader (config_loader.cc) rather than by each processor.
//
// Protocol: the loader validates a processor's YAML options against its type's OptionSpec list
// (unknown keys, wrong types, missing required keys, bad regexes and queries are refused with
// file:line:column), then calls the type's `make` with the validated Options. `make` may refuse
// what the schema cannot say (two options that exclude each other, a missing file) through
// Options::Error, which names the same place. A made processor is immutable configuration plus,
// for sample and throttle, state behind a mutex: Process may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace sawlog::pipeline {

// Where a configuration item is written: 1-based line and column, as editors count.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;  // "pipelines.yaml:4:9"
};

class Processor;

// One event on its way through a pipeline, with what the pipeline decided about it.
struct Record {
  Event event;
  std::string tenant;                     // set by `route`; empty: the receiver's tenant
  std::vector<std::string> destinations;  // named by `route`, in order, without repeats
  const Processor* dropped_by = nullptr;  // non-null: dropped; no later processor sees it
};

// What a batch is processed at.
struct ProcessContext {
  int64_t now_ns = 0;  // the clock of `throttle` (UTC ns); the caller's clock, so tests fake it
};

class Processor {
 public:
  virtual ~Processor() = default;
  // Transforms the records in place; every one of them is live (not dropped). To drop one, set
  // its dropped_by to this. May run concurrently with itself on other batches.
  virtual void Process(std::span<Record* const> records, const ProcessContext& ctx) = 0;

  // "drop at web.yaml:5:9": the type and where it is configured, for `pipeline test` and logs.
  const std::string& label() const { return label_; }
  void set_label(std::string label) { label_ = std::move(label); }

 private:
  std::string label_;
};

// The types an option may have in YAML.
enum class OptionType {
  kString,     // a scalar
  kInt,        // a scalar that is a decimal integer
  kBool,       // true or false
  kList,       // a sequence of scalars
  kMap,        // a mapping of scalars to scalars, in the order written
  kRegex,      // a scalar that is an RE2 regular expression
  kRegexList,  // a sequence of RE2 regular expressions
  kQuery,      // a scalar that is a query filter (docs/query-language.md)
};
std::string_view OptionTypeName(OptionType type);

// One option of a processor type: the schema is data, so the loader checks every processor the
// same way and docs/pipeline.md can list them.
struct OptionSpec {
  std::string_view name;
  OptionType type;
  bool required = false;
  // Used when the option is absent, written as YAML would write a scalar; lists as
  // comma-separated items. Empty: no default (String "" / Int 0 / Bool false / empty List).
  std::string_view default_value = {};
  std::string_view doc = {};
};

// A processor's options, validated against its OptionSpecs. Accessors take a name the spec
// declares (asking for another is a bug) and give the default when the option is absent.
class Options {
 public:
  struct Value {
    OptionType type = OptionType::kString;
    bool given = false;  // written in the configuration (not a default)
    Location where;      // of the value when given, else of the processor
    std::string text;    // kString, kRegex, kQuery, and every scalar as written
    int64_t number = 0;  // kInt
    bool flag = false;   // kBool
    std::vector<std::string> list;                            // kList, kRegexList
    std::vector<std::pair<std::string, std::string>> map;     // kMap
  };

  Options(std::string type, Location where, std::string base_dir, int64_t load_time_ns)
      : type_(std::move(type)), where_(std::move(where)), base_dir_(std::move(base_dir)), load_time_ns_(load_time_ns) {}

  const std::string& String(std::string_view name) const { return Get(name).text; }
  int64_t Int(std::string_view name) const { return Get(name).number; }
  bool Bool(std::string_view name) const { return Get(name).flag; }
  const std::vector<std::string>& List(std::string_view name) const { return Get(name).list; }
  const std::vector<std::pair<std::string, std::string>>& Map(std::string_view name) const { return Get(name).map; }
  bool Given(std::string_view name) const { return Get(name).given; }

  // InvalidArgument "<file>:<line>:<col>: <type>: option '<name>': <message>", at the option
  // when it is written, else at the processor.
  Status Error(std::string_view name, std::string_view message) const;
  // The same at the processor itself, for what concerns no single option.
  Status Error(std::string_view message) const;

  const std::string& type() const { return type_; }
  const Location& where() const { return where_; }
  // The directory of the configuration file: relative paths (lookup tables, GeoIP databases)
  // are read from there, so a configuration works wherever the server is started.
  const std::string& base_dir() const { return base_dir_; }
  // When the configuration was loaded: relative times in query filters (`_time:5m`) are
  // resolved against it, once.
  int64_t load_time_ns() const { return load_time_ns_; }
  // A path option resolved against base_dir().
  std::string Path(std::string_view name) const;

  void Set(std::string name, Value value) { values_.emplace_back(std::move(name), std::move(value)); }

 private:
  const Value& Get(std::string_view name) const;

  std::string type_;
  Location where_;
  std::string base_dir_;
  int64_t load_time_ns_;
  std::vector<std::pair<std::string, Value>> values_;
};

// A processor type: its name in the configuration, its options and how to make one.
struct ProcessorType {
  std::string_view name;
  std::string_view doc;
  std::span<const OptionSpec> options;
  Result<std::unique_ptr<Processor>> (*make)(const Options& options);
};

// Every processor type, in the order docs/pipeline.md lists them (register_processors.cc).
std::span<const ProcessorType* const> ProcessorTypes();
const ProcessorType* FindProcessorType(std::string_view name);

}  // namespace sawlog::pipeline
