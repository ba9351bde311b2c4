#include "parse/partial_line_joiner.h"

#include <algorithm>

namespace sawlog {

namespace {

std::string_view StreamOf(const ParsedLine& line) {
  for (const auto& f : line.fields)
    if (f.name == "stream") return f.value;
  return {};
}

size_t MsgSize(const ParsedLine& line) { return line.msg ? line.msg->size() : 0; }

}  // namespace

void PartialLineJoiner::Add(ParsedLine line, std::vector<ParsedLine>* out) {
  std::string_view stream = StreamOf(line);
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.stream == stream; });
  if (it == pending_.end()) {
    if (!line.partial) {
      out->push_back(std::move(line));
      return;
    }
    pending_.push_back({std::string(stream), std::move(line)});
    if (MsgSize(pending_.back().line) >= max_bytes_) Emit(pending_.size() - 1, out);
    return;
  }
  if (MsgSize(it->line) + MsgSize(line) > max_bytes_) {
    Emit(it - pending_.begin(), out);
    Add(std::move(line), out);
    return;
  }
  if (!it->line.msg) it->line.msg.emplace();
  if (line.msg) it->line.msg->append(*line.msg);
  if (!line.partial) {
    it->line.partial = false;
    out->push_back(std::move(it->line));
    pending_.erase(it);
  }
}

void PartialLineJoiner::Flush(std::vector<ParsedLine>* out) {
  while (!pending_.empty()) Emit(0, out);
}

size_t PartialLineJoiner::held_bytes() const {
  size_t n = 0;
  for (const auto& p : pending_) n += MsgSize(p.line);
  return n;
}

void PartialLineJoiner::Emit(size_t index, std::vector<ParsedLine>* out) {
  ParsedLine& line = pending_[index].line;
  line.fields.push_back({"partial", "true"});
  out->push_back(std::move(line));
  pending_.erase(pending_.begin() + static_cast<ptrdiff_t>(index));
}

}  // namespace sawlog
