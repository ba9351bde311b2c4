// Fuzzes the CRI parser and the partial-line joiner behind it (container_check.h).
#include "container_check.h"
#include "parse/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* parser = sawlog::MakeCriParser().release();
  sawlog::fuzz::CheckContainerLines(parser, std::string_view(reinterpret_cast<const char*>(data), size), true);
  return 0;
}
