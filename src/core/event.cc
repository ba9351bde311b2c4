#include "core/event.h"

#include <algorithm>

namespace sawlog {

const std::string* Event::Find(std::string_view name) const {
  if (name == "_msg") return &msg;
  if (name == "_stream") return &stream;
  for (const auto& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

size_t Event::ApproximateBytes() const {
  size_t n = BaseBytes(stream.size(), msg.size());
  for (const auto& f : fields) n += FieldBytes(f.name.size(), f.value.size());
  return n;
}

std::string CanonicalStream(std::vector<std::pair<std::string, std::string>> labels) {
  std::sort(labels.begin(), labels.end());
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (char c : labels[i].second) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

bool ParseCanonicalStream(std::string_view s, std::vector<std::pair<std::string, std::string>>* labels) {
  labels->clear();
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') return false;
  size_t i = 1;
  const size_t end = s.size() - 1;
  while (i < end) {
    size_t eq = s.find("=\"", i);
    if (eq == std::string_view::npos || eq >= end) return false;
    std::string name(s.substr(i, eq - i)), value;
    i = eq + 2;
    while (i < end && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < end) ++i;
      value += s[i++];
    }
    if (i >= end) return false;
    ++i;  // the closing quote
    labels->emplace_back(std::move(name), std::move(value));
    if (i < end) {
      if (s[i] != ',') return false;
      ++i;
    }
  }
  return true;
}

bool IsValidTenant(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > 64) return false;
  return std::all_of(tenant.begin(), tenant.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
}

}  // namespace sawlog
