// Fuzzes the Docker json-file parser and the partial-line joiner behind it (container_check.h).
// JSON errors name no column (simdjson gives none).
#include "container_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* parser = sawlog::MakeDockerParser().release();
  sawlog::fuzz::CheckContainerLines(parser, std::string_view(reinterpret_cast<const char*>(data), size), false);
  return 0;
}
