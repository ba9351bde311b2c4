// Fuzzes the Loki JSON push decoder.
// Invariants: decoded_batch_check.h's, rejections naming streams[i].
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoded_batch_check.h"
#include "ingest/loki/loki.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  sawlog::fuzz::CheckDecodedBatch(sawlog::loki::DecodePushJson(body, 1'793'491'200'000'000'000), "streams[");
  return 0;
}
