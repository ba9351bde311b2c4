#include "server/metrics.h"

namespace sawlog {

void Metrics::Add(const std::string& name, uint64_t n) {
  std::lock_guard lock(mu_);
  counters_[name] += n;
}

std::string Metrics::Text(const std::string& gauges) const {
  std::string out;
  std::string family;
  std::lock_guard lock(mu_);
  for (const auto& [name, value] : counters_) {
    std::string f = name.substr(0, name.find('{'));
    if (f != family) {
      family = f;
      out += "# TYPE " + f + " counter\n";
    }
    out += name + " " + std::to_string(value) + "\n";
  }
  return out + gauges;
}

}  // namespace sawlog
