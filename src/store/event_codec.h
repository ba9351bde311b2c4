// The binary form of events shared by the WAL and the part files (docs/formats/event.md).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/coding.h"
#include "core/event.h"

namespace sawlog {

void EncodeEvent(std::string* dst, const Event& e, bool with_stream = true);
// False when the bytes are not a well-formed event.
bool DecodeEvent(Decoder* in, Event* e, bool with_stream = true);

// An event still encoded (with its stream), with what a flush sorts by read out of it.
struct EncodedEvent {
  int64_t time = 0;
  int64_t ingest_time = 0;
  std::string_view stream;
  std::string_view bytes;  // the whole encoding, for DecodeEvent
};
// Reads the times and stream of the event at in's position and moves in past it, copying
// nothing; false when the bytes are not a well-formed event.
bool SkipEvent(Decoder* in, EncodedEvent* e);

using FieldView = std::pair<std::string_view, std::string_view>;  // name, value
// The rest of an event SkipEvent read (what follows its stream), as views of its bytes: its
// fields are appended to *fields. False when malformed.
bool DecodeEventViews(const EncodedEvent& e, std::string_view* msg, std::vector<FieldView>* fields);

}  // namespace sawlog
