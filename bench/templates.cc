// What templating _msg costs and saves (store/templated.h): reads every block of a data
// directory's parts (e.g. bench/ingest.sh's), and encodes each block's _msg as a merge at a zstd
// level would with and without templates, timing both.
//
//   build/bench/templates DATA_DIR [LEVEL...]     (levels default to 3 and 9)
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/column.h"
#include "store/compress.h"
#include "store/part.h"

using namespace sawlog;

namespace {

// CPU time of this thread: the machine may be shared.
double Seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// _msg stored as the writer did before templates: its encoding, compressed. Returns the size.
size_t Plain(const std::vector<std::optional<std::string_view>>& msg, int level) {
  ColumnEncoding encoding;
  std::string out;
  AppendCompressed(&out, EncodeColumn(msg, &encoding), level);
  return out.size();
}

// As PartWriter does now (part.cc, AppendTextChunk): templated when the column would be raw and
// has few templates, else as before. Returns the size; *templated tells which.
size_t WithTemplates(const std::vector<std::optional<std::string_view>>& msg, int level, bool* templated) {
  ColumnEncoding encoding;
  const std::string plain = EncodeColumn(msg, &encoding);
  std::optional<std::string> t;
  if (encoding == ColumnEncoding::kRaw) t = EncodeTemplatedColumn(msg, level);
  *templated = t.has_value();
  if (t) return t->size();
  std::string out;
  AppendCompressed(&out, plain, level);
  return out.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR [ZSTD_LEVEL...]\n", argv[0]);
    return 2;
  }
  std::vector<int> levels;
  for (int i = 2; i < argc; ++i) levels.push_back(atoi(argv[i]));
  if (levels.empty()) levels = {3, 9};
  std::vector<std::vector<Event>> blocks;
  uint64_t msg_bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (entry.path().extension() != ".part") continue;
    auto part = PartReader::Open(Env::Default(), entry.path().string());
    if (!part.ok()) {
      fprintf(stderr, "%s\n", part.status().ToString().c_str());
      return 1;
    }
    for (size_t b = 0; b < (*part)->blocks().size(); ++b) {
      blocks.emplace_back();
      Status st = (*part)->ReadBlock(b, &blocks.back());
      if (!st.ok()) {
        fprintf(stderr, "%s\n", st.ToString().c_str());
        return 1;
      }
      for (const auto& e : blocks.back()) msg_bytes += e.msg.size();
    }
  }
  printf("%zu blocks, _msg %.1f MB\n", blocks.size(), msg_bytes / 1e6);
  for (int level : levels) {
    double plain_s = 0, templated_s = 0;
    uint64_t plain_bytes = 0, templated_bytes = 0, templated_blocks = 0;
    for (const auto& events : blocks) {
      std::vector<std::optional<std::string_view>> msg;
      for (const auto& e : events) msg.push_back(e.msg);
      const double t0 = Seconds();
      plain_bytes += Plain(msg, level);
      const double t1 = Seconds();
      bool templated;
      templated_bytes += WithTemplates(msg, level, &templated);
      templated_s += Seconds() - t1;
      plain_s += t1 - t0;
      templated_blocks += templated;
    }
    printf("zstd %d: before %.2f s CPU, %.1f MB; with templates %.2f s (+%.2f s per GB of _msg), %.1f MB (%.1f%%), "
           "%lu blocks templated\n",
           level, plain_s, plain_bytes / 1e6, templated_s, (templated_s - plain_s) / (msg_bytes / 1e9),
           templated_bytes / 1e6, 100.0 * (double(templated_bytes) / double(plain_bytes) - 1), templated_blocks);
  }
  return 0;
}
