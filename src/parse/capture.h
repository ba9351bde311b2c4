// What the parsers of named values share (regex, grok, csv): turning (name, value) pairs of a
// line into fields, the event time and the message, and running an RE2 whose capture groups
// are fields. Internal to src/parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "core/time_format.h"
#include "parse/backtracker.h"
#include "parse/line_parser.h"
#include "parse/parsers.h"

namespace sawlog {

// The option keys of CaptureOptions (parsers.h): time_field, time_format, msg_field. Takes `key`
// if it is one of them (true); the first time_field or msg_field replaces the defaults, more
// add names. `*status` is set when the value is bad.
bool TakeCaptureOption(const std::string& key, const std::string& value, CaptureOptions* options,
                       bool* replaced_time, bool* replaced_msg, Status* status);

// Names → roles, decided once; then one call per value of a line.
class CaptureSink {
 public:
  // InvalidArgument for a bad time_format, naming it.
  static Result<CaptureSink> Make(std::string_view parser, const CaptureOptions& options);

  enum class Role : uint8_t { kField, kTime, kMsg };
  Role RoleOf(std::string_view name) const;

  // Adds `value` (found at byte `offset` of the line) in its role: the first time and message
  // win, later ones stay fields. A time that does not parse is the line's error.
  Status Add(std::string_view name, Role role, std::string_view value, size_t offset, const ParseContext& ctx,
             ParsedLine* out) const;

 private:
  std::string parser_;
  CaptureOptions options_;
  std::optional<TimeFormat> format_;
};

// An RE2 whose capture groups are named fields: group i (1-based) is names[i - 1]. When a name
// repeats (alternatives), the first group that took part in the match gives the value; groups
// that matched nothing add no field.
class RegexProgram {
 public:
  // InvalidArgument with RE2's reason and the offending part when the regex does not compile.
  static Result<RegexProgram> Make(std::string_view parser, std::string_view regex, std::vector<std::string> names,
                                   RE2::Anchor anchor, const CaptureSink& sink);

  // Also matches with a Backtracker (backtracker.h), RE2 kept for the lines it refuses: the same
  // results, faster for big patterns. false (and nothing changed) when the regex is beyond it.
  // Only for RE2::ANCHOR_BOTH programs.
  bool AddBacktracker(std::string_view regex);

  // true when the line matched; then `out` holds what the groups captured.
  Result<bool> Match(std::string_view line, const ParseContext& ctx, const CaptureSink& sink, ParsedLine* out);

  int groups() const { return static_cast<int>(names_.size()); }

 private:
  std::shared_ptr<const RE2> re_;
  std::unique_ptr<Backtracker> backtracker_;
  std::vector<int> spans_;
  RE2::Anchor anchor_ = RE2::UNANCHORED;
  std::vector<std::string> names_;
  std::vector<CaptureSink::Role> roles_;
  std::vector<int> first_of_name_;  // index of the first group with the same name
  std::vector<re2::StringPiece> pieces_;
  std::vector<uint8_t> done_;
};

TimeContext TimeContextOf(const ParseContext& ctx);

}  // namespace sawlog
