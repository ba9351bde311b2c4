// rename and copy: a field's value under another name, moved or duplicated.
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"fields", OptionType::kMap, true, {}, "from: to"},
};

class RenameProcessor final : public Processor {
 public:
  RenameProcessor(std::vector<std::pair<std::string, std::string>> fields, bool keep_source)
      : fields_(std::move(fields)), keep_source_(keep_source) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records) {
      for (const auto& [from, to] : fields_) {
        const std::string* v = GetField(r->event, from);
        if (v == nullptr) continue;
        std::string value = keep_source_ ? *v : std::move(*GetMutableField(&r->event, from));
        if (!keep_source_) RemoveField(&r->event, from);
        SetField(&r->event, to, std::move(value));
      }
    }
  }

 private:
  const std::vector<std::pair<std::string, std::string>> fields_;
  const bool keep_source_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o, bool keep_source) {
  for (const auto& [from, to] : o.Map("fields")) {
    if (!keep_source) RETURN_IF_ERROR(CheckWritableField(o, "fields", from));
    RETURN_IF_ERROR(CheckWritableField(o, "fields", to));
  }
  return std::unique_ptr<Processor>(std::make_unique<RenameProcessor>(o.Map("fields"), keep_source));
}

}  // namespace

const ProcessorType kRenameType{"rename", "renames fields (replacing a field of the new name)", kOptions,
                                [](const Options& o) { return Make(o, false); }};
const ProcessorType kCopyType{"copy", "copies fields to other names (replacing a field of the new name)", kOptions,
                              [](const Options& o) { return Make(o, true); }};

}  // namespace sawlog::pipeline
