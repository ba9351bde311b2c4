// Fuzzes JsonParser::ParseObject, the NDJSON line parser.
// Invariant: the result does not depend on whether the parser had to copy the line (padding < 64)
// or read it in place with whatever bytes follow it in memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parse/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sawlog::JsonParser* parser = new sawlog::JsonParser;  // reused, as by the decoder
  std::string_view json(reinterpret_cast<const char*>(data), size);

  // No padding: the parser copies the line; the input buffer ends exactly at its last byte.
  std::vector<sawlog::Field> copied;
  sawlog::Status st_copied = parser->ParseObject(json, 0, &copied);
  // Errors are InvalidArgument with a reason.
  if (!st_copied.ok() && (st_copied.code() != sawlog::Code::kInvalidArgument || st_copied.message().empty()))
    __builtin_trap();

  // In place, followed by 64 bytes of JSON-looking junk that must not be read as part of the line.
  constexpr size_t kPadding = 64;
  std::string padded(json);
  for (size_t i = 0; i < kPadding; ++i) padded.push_back("\"}]{[,:1 \\"[i % 10]);
  std::vector<sawlog::Field> in_place;
  sawlog::Status st_in_place = parser->ParseObject(std::string_view(padded.data(), size), kPadding, &in_place);

  if (st_copied.ok() != st_in_place.ok()) __builtin_trap();
  if (st_copied.ok() && copied != in_place) __builtin_trap();
  if (!st_copied.ok() && st_copied.message() != st_in_place.message()) __builtin_trap();
  return 0;
}
