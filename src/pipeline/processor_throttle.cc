// throttle: at most `rate` events per second per key, with bursts up to `burst` (a token bucket).
#include <algorithm>
#include <mutex>

#include "core/timestamp.h"
#include "pipeline/keyed_state.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"rate", OptionType::kInt, true, {}, "events per second kept per key"},
    {"burst", OptionType::kInt, false, {}, "events kept at once after a quiet time (default: rate)"},
    {"key", OptionType::kString, false, {}, "throttle per value of this field"},
};

struct Bucket {
  double tokens = -1;  // < 0: new, starts full
  int64_t last_ns = 0;
};

class ThrottleProcessor final : public Processor {
 public:
  ThrottleProcessor(int64_t rate, int64_t burst, std::string key) : rate_(rate), burst_(burst), key_(std::move(key)) {}

  void Process(std::span<Record* const> records, const ProcessContext& ctx) override {
    std::lock_guard lock(mu_);
    for (Record* r : records) {
      Bucket& b = buckets_.Of(r->event, key_);
      if (b.tokens < 0) {
        b.tokens = burst_;
      } else if (ctx.now_ns > b.last_ns) {
        b.tokens = std::min<double>(burst_, b.tokens + static_cast<double>(ctx.now_ns - b.last_ns) * rate_ / kNanosPerSecond);
      }
      b.last_ns = std::max(b.last_ns, ctx.now_ns);  // a clock stepping back refills nothing
      if (b.tokens >= 1) b.tokens -= 1;
      else r->dropped_by = this;
    }
  }

 private:
  const double rate_;
  const double burst_;
  const std::string key_;
  std::mutex mu_;
  KeyedState<Bucket> buckets_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  if (o.Int("rate") < 1) return o.Error("rate", "must be at least 1");
  int64_t burst = o.Given("burst") ? o.Int("burst") : o.Int("rate");
  if (burst < 1) return o.Error("burst", "must be at least 1");
  return std::unique_ptr<Processor>(std::make_unique<ThrottleProcessor>(o.Int("rate"), burst, o.String("key")));
}

}  // namespace

const ProcessorType kThrottleType{"throttle", "keeps at most `rate` events per second per key", kOptions, Make};

}  // namespace sawlog::pipeline
