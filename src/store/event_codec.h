// The binary form of events shared by the WAL and the part files (docs/formats/event.md).
#pragma once

#include <string>
#include <string_view>

#include "core/coding.h"
#include "core/event.h"

namespace sawlog {

void EncodeEvent(std::string* dst, const Event& e, bool with_stream = true);
// False when the bytes are not a well-formed event.
bool DecodeEvent(Decoder* in, Event* e, bool with_stream = true);

}  // namespace sawlog
