// Fuzzes the Loki protobuf push decoder: the input compressed with snappy (so mutations reach the
// PushRequest), the input as the body itself (the snappy reader), and as a LogQL label set.
// Invariants: decoded_batch_check.h's, rejections naming streams[i]; a parsed label set has
// valid, distinct names, a refused one names the column.
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoded_batch_check.h"
#include "ingest/loki/loki.h"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kNow = 1'793'491'200'000'000'000;
  constexpr size_t kMaxBytes = 1u << 20;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string compressed;
  snappy::Compress(input.data(), input.size(), &compressed);
  sawlog::fuzz::CheckDecodedBatch(sawlog::loki::DecodePushProto(compressed, kMaxBytes, kNow), "streams[");
  sawlog::fuzz::CheckDecodedBatch(sawlog::loki::DecodePushProto(input, kMaxBytes, kNow), "streams[");
  auto labels = sawlog::loki::ParseLabelSet(input);
  if (labels.ok()) {
    for (size_t i = 0; i < labels->size(); ++i) {
      if (!sawlog::loki::IsLabelName((*labels)[i].first)) __builtin_trap();
      for (size_t j = 0; j < i; ++j)
        if ((*labels)[j].first == (*labels)[i].first) __builtin_trap();
    }
  } else if (labels.status().message().rfind("labels, column ", 0) != 0) {
    __builtin_trap();
  }
  return 0;
}
