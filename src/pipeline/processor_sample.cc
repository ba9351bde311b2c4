// sample: keeps 1 event in N, counted per key.
#include <mutex>

#include "pipeline/keyed_state.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"rate", OptionType::kInt, true, {}, "N: keep one event in N (the 1st, the N+1th, ...)"},
    {"key", OptionType::kString, false, {}, "count per value of this field (every key keeps its first event)"},
};

class SampleProcessor final : public Processor {
 public:
  SampleProcessor(int64_t rate, std::string key) : rate_(rate), key_(std::move(key)) {}

  // A counter rather than a random draw: the same input gives the same output, so `pipeline
  // test` and the tests show what production will do.
  void Process(std::span<Record* const> records, const ProcessContext&) override {
    std::lock_guard lock(mu_);
    for (Record* r : records)
      if (counters_.Of(r->event, key_)++ % rate_ != 0) r->dropped_by = this;
  }

 private:
  const uint64_t rate_;
  const std::string key_;
  std::mutex mu_;
  KeyedState<uint64_t> counters_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  if (o.Int("rate") < 1) return o.Error("rate", "must be at least 1");
  return std::unique_ptr<Processor>(std::make_unique<SampleProcessor>(o.Int("rate"), o.String("key")));
}

}  // namespace

const ProcessorType kSampleType{"sample", "keeps one event in N, per key", kOptions, Make};

}  // namespace sawlog::pipeline
