#include "store/manifest.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

#include "core/coding.h"
#include "core/event.h"

namespace sawlog {

std::string PartMeta::RelativePath() const {
  char name[40];
  std::snprintf(name, sizeof(name), "%016" PRIx64 ".part", id);
  return "tenants/" + tenant + "/" + day + "/" + name;
}

std::string Manifest::Encode() const {
  std::ostringstream out;
  out << "sawlog-manifest 1\n";
  out << "flushed_seq " << flushed_seq << "\n";
  out << "next_part_id " << next_part_id << "\n";
  for (const auto& p : parts)
    out << "part " << p.tenant << " " << p.day << " " << p.id << " " << p.rows << " " << p.min_time
        << " " << p.max_time << " " << p.bytes << "\n";
  std::string body = out.str();
  char sum[40];
  std::snprintf(sum, sizeof(sum), "checksum %016" PRIx64 "\n", Checksum(body));
  return body + sum;
}

Result<Manifest> Manifest::Decode(const std::string& text, const std::string& path) {
  auto corrupt = [&](size_t line, const std::string& why) {
    return Status::Corruption("manifest " + path + " line " + std::to_string(line) + ": " + why);
  };
  size_t sum_pos = text.rfind("checksum ");
  if (sum_pos == std::string::npos) return corrupt(0, "no checksum line");
  char expected[40];
  std::snprintf(expected, sizeof(expected), "checksum %016" PRIx64 "\n", Checksum(std::string_view(text).substr(0, sum_pos)));
  if (text.substr(sum_pos) != expected) return corrupt(0, "checksum mismatch");
  Manifest m;
  std::istringstream in(text.substr(0, sum_pos));
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (n == 1) {
      int version = 0;
      if (key != "sawlog-manifest" || !(ls >> version) || version != 1)
        return corrupt(n, "not a sawlog manifest of version 1");
    } else if (key == "flushed_seq") {
      if (!(ls >> m.flushed_seq)) return corrupt(n, "bad flushed_seq");
    } else if (key == "next_part_id") {
      if (!(ls >> m.next_part_id)) return corrupt(n, "bad next_part_id");
    } else if (key == "part") {
      PartMeta p;
      if (!(ls >> p.tenant >> p.day >> p.id >> p.rows >> p.min_time >> p.max_time >> p.bytes) ||
          !IsValidTenant(p.tenant) || p.day.size() != 10)
        return corrupt(n, "bad part line");
      m.parts.push_back(std::move(p));
    } else {
      return corrupt(n, "unknown key '" + key + "'");
    }
  }
  return m;
}

Result<Manifest> LoadManifest(Env* env, const std::string& dir) {
  const std::string path = JoinPath(dir, kManifestFile);
  if (!env->FileExists(path)) return Manifest();
  ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return Manifest::Decode(text, path);
}

}  // namespace sawlog
