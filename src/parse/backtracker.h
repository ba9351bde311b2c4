// A backtracking matcher for the RE2 regexes grok expands to, fast where RE2 is slow: for a big
// pattern with many groups RE2 finds the match with its DFA but extracts the groups with its NFA
// (OnePass and BitState refuse programs and texts that large), which walks every live thread
// through every byte of the line. This matcher is RE2's BitState algorithm without those limits,
// plus what RE2 lacks:
// - a run of one character class (`\S+`, `[^"]*`, `.*?`, `[0-9]{1,4}`) is one instruction,
//   scanned 16 bytes at a time when the class is a few byte ranges;
// - every instruction knows which bytes can come at the next 4 offsets of a match from it
//   (Look), so a branch or a run end that cannot go on is skipped without a frame: IPv6's
//   alternatives stop at the '.' of an IPv4 address, `\S+` only tries ends before a space.
//
// Results equal RE2's (leftmost-first submatches): alternatives and quantifiers are tried in
// RE2's order, and an (instruction, position) pair that failed once is not tried again — its
// outcome does not depend on the path that reached it — so the first match found is the one RE2
// reports, and the work is bounded by program size × line length (times the run lengths).
// Keeping those marks costs more than most lines need, so a line is first searched without them
// (same result, but exponential at worst) for a number of steps linear in its length, and only
// searched again with them when that runs out.
// Lines it cannot decide the same way are refused (kUnsupported) for the caller to give to RE2:
// bytes ≥ 0x80 (RE2 reads the line as UTF-8 characters, this matcher reads bytes) and lines too
// long for the visited bitmap. Regexes with constructs it does not know (flags, Unicode classes,
// loops of something that can match empty) do not compile; the caller keeps RE2 for them.
//
// Not thread-safe: Match uses scratch state of the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace sawlog {

class Backtracker {
 public:
  // The regex in the RE2 syntax grok.cc produces, already accepted by RE2; `groups` its number of
  // capturing groups. nullptr when the regex uses a construct this matcher does not implement.
  static std::unique_ptr<Backtracker> Compile(std::string_view regex, int groups);
  ~Backtracker();

  enum class Outcome { kMatch, kNoMatch, kUnsupported };

  // Matches the whole of `line` (RE2::ANCHOR_BOTH). On kMatch, `spans[2*i]`, `spans[2*i+1]` are
  // the start and end offsets of group i+1, or -1 when the group took no part in the match.
  Outcome Match(std::string_view line, std::vector<int>* spans);

  struct Inst;

 private:
  Backtracker();
  void ComputeLook();
  // Match's search: with kMark the BitState one, else without visited marks, giving up
  // (kUnsupported) after `steps` instructions.
  template <bool kMark>
  Outcome Search(std::string_view line, std::vector<int>* spans, size_t steps);
  // Marks (row, pos) visited; whether it was before.
  [[gnu::always_inline]] bool Visited(int row, size_t pos) {
    const size_t bit = static_cast<size_t>(row) * stride_ + pos;
    uint64_t& word = visited_[bit >> 6];
    const uint64_t mask = uint64_t{1} << (bit & 63);
    if (word & mask) return true;
    if (word == 0) touched_.push_back(static_cast<uint32_t>(bit >> 6));
    word |= mask;
    return false;
  }

  std::vector<Inst> prog_;
  int rows_ = 0;  // rows of the visited bitmap: one per split, two per run
  int groups_ = 0;

  // Scratch of Match.
  struct Frame {
    uint32_t kind;
    uint32_t pc;
    size_t a, b;
  };
  std::vector<Frame> stack_;
  std::vector<uint64_t> visited_;
  std::vector<uint32_t> touched_;  // words of visited_ set by this match, cleared after it
  size_t stride_ = 0;              // line length + 1
};

}  // namespace sawlog
