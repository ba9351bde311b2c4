// remove and keep: fields removed by name, or every field but the named ones.
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"fields", OptionType::kList, true, {}, "names, or prefixes ending in * (http.*)"},
};

class RemoveProcessor final : public Processor {
 public:
  RemoveProcessor(std::vector<std::string> patterns, bool keep) : patterns_(std::move(patterns)), keep_(keep) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records) {
      // _msg is not in Event::fields: `keep` never removes it, `remove` empties it when named.
      std::erase_if(r->event.fields, [&](const Field& f) { return Listed(f.name) != keep_; });
      if (!keep_ && Listed("_msg")) r->event.msg.clear();
    }
  }

 private:
  bool Listed(std::string_view name) const {
    for (const auto& p : patterns_)
      if (NameMatches(p, name)) return true;
    return false;
  }

  const std::vector<std::string> patterns_;
  const bool keep_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o, bool keep) {
  for (const auto& name : o.List("fields"))
    if (name.empty()) return o.Error("fields", "empty field name");
  return std::unique_ptr<Processor>(std::make_unique<RemoveProcessor>(o.List("fields"), keep));
}

}  // namespace

const ProcessorType kRemoveType{"remove", "removes fields", kOptions, [](const Options& o) { return Make(o, false); }};
const ProcessorType kKeepType{"keep", "removes every field but the listed ones (_msg, _time, _stream always stay)",
                              kOptions, [](const Options& o) { return Make(o, true); }};

}  // namespace sawlog::pipeline
