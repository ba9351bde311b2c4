// PartialLineJoiner: puts back together the lines a container runtime split (ParsedLine::partial,
// set by the CRI and Docker parsers), per stream, so that one application line is one event.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "parse/line_parser.h"

namespace sawlog {

// A line that the runtime split is not bounded: an application can print megabytes without a
// newline. Past this many bytes of message the joiner lets a piece go as its own event.
inline constexpr size_t kDefaultMaxJoinedBytes = 1 << 20;

// Feed it the parsed lines of one file (one container) in order. Pieces are kept per value of the
// "stream" field (stdout and stderr interleave in one file). The joined event has the fields and
// time of its first piece and the concatenated messages. When the message would exceed
// max_bytes, what is held so far is emitted with the field partial="true" and joining starts
// again, so no byte is lost and no event exceeds max_bytes of message (a single piece larger than
// that is emitted as it is). Not thread-safe.
class PartialLineJoiner {
 public:
  explicit PartialLineJoiner(size_t max_bytes = kDefaultMaxJoinedBytes) : max_bytes_(max_bytes) {}

  // Takes one line; appends to *out the events it completes (none, one, or two when a held line
  // is emitted for the size limit).
  void Add(ParsedLine line, std::vector<ParsedLine>* out);
  // Emits every held piece as it is, oldest first (end of file, or no more input for a while),
  // marked partial="true".
  void Flush(std::vector<ParsedLine>* out);
  // Message bytes held.
  size_t held_bytes() const;

 private:
  struct Pending {
    std::string stream;
    ParsedLine line;
  };
  void Emit(size_t index, std::vector<ParsedLine>* out);

  size_t max_bytes_;
  std::vector<Pending> pending_;  // at most one per stream, oldest first
};

}  // namespace sawlog
