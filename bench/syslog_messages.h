// RFC 5424 messages like bench/syslog_load.py's (varied hosts, apps, structured data and text),
// deterministic, for the micro-benchmarks of decoding and storing them.
#pragma once

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace sawlog::bench {

inline std::vector<std::string> Messages(size_t n) {
  static const char* const kWords[] = {"connection", "accepted", "from", "user", "session", "opened", "closed",
                                       "timeout", "request", "served", "cache", "miss", "disk", "write", "latency",
                                       "worker", "error", "failed", "GET", "/api/v1/items", "status", "bytes"};
  static const char* const kApps[] = {"nginx", "sshd", "cron", "postfix", "kernel", "app-api", "app-worker", "haproxy"};
  std::mt19937 rnd(7);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    char head[160];
    std::snprintf(head, sizeof head, "<%u>1 2026-06-15T10:%02zu:%02zu.%06zuZ web%02u.example.net %s %u ID%u ",
                  unsigned(8 * (rnd() % 24) + rnd() % 8), (i / 60) % 60, i % 60, (i * 7919) % 1000000, unsigned(rnd() % 40),
                  kApps[rnd() % 8], unsigned(rnd() % 65536), unsigned(rnd() % 50));
    std::string m = head;
    m += i % 3 == 0 ? "[req@32473 id=\"" + std::to_string(rnd()) + "\" user=\"u" + std::to_string(rnd() % 500) + "\"]" : "-";
    for (size_t w = 0, words = 6 + rnd() % 10; w < words; ++w) m += std::string(" ") + kWords[rnd() % 22];
    out.push_back(m + " seq=" + std::to_string(i));
  }
  return out;
}

}  // namespace sawlog::bench
