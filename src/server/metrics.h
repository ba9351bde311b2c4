// Counters for /metrics, in Prometheus' text format: what operators graph and alert on.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace sawlog {

class Metrics {
 public:
  // name: a metric name with its labels, e.g. `sawlog_http_requests_total{handler="query",code="200"}`.
  void Add(const std::string& name, uint64_t n = 1);
  // The counters, then the gauges given (already formatted lines), as the exposition format wants.
  std::string Text(const std::string& gauges) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counters_;
};

}  // namespace sawlog
