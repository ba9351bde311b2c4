#include "store/templated.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/coding.h"
#include "core/tokenizer.h"
#include "store/compress.h"

namespace sawlog {

namespace {

constexpr uint8_t kSectionRaw = 0;
constexpr uint8_t kSectionZstd = 1;
// A section may claim at most this many bytes decompressed (a block is about 1 MiB of events).
constexpr uint64_t kMaxSectionBytes = 256u << 20;
// Templating pays while there is at most one template for every kMaxTemplateShare rows, counted
// from kTemplateCheckRows rows on.
constexpr size_t kMaxTemplateShare = 2;
constexpr size_t kTemplateCheckRows = 256;
// Template ids are at most two bytes.
constexpr size_t kMaxTemplates = 65536;

Status Bad(const std::string& why) { return Status::Corruption("column: templated: " + why); }

// codec u8 | varint raw size | varint stored size | stored bytes (docs/formats/part.md).
void PutSection(std::string* out, std::string_view raw, int level) {
  std::string stored;
  const bool compressed = AppendCompressed(&stored, raw, level);
  out->push_back(static_cast<char>(compressed ? kSectionZstd : kSectionRaw));
  PutVarint64(out, raw.size());
  PutLengthPrefixed(out, stored);
}

bool GetSection(Decoder* in, uint8_t* codec, uint64_t* raw_size, std::string_view* stored) {
  uint64_t c;
  if (!in->GetByte(&c) || c > kSectionZstd || !in->GetVarint64(raw_size) || !in->GetLengthPrefixed(stored)) return false;
  *codec = static_cast<uint8_t>(c);
  return *raw_size <= kMaxSectionBytes && (*codec == kSectionZstd || stored->size() == *raw_size);
}

bool IsMark(char c) { return c == kDigitsMark || c == kMixedMark; }

}  // namespace

bool EncodeTemplated(const std::vector<std::string_view>& present, int level, bool always, std::string* out) {
  std::unordered_map<std::string, uint32_t> numbers;
  std::string templates, ids, t;
  std::array<std::string, kVariableKinds> variables;
  for (size_t k = 0; k < present.size(); ++k) {
    // Measured on the benchmark corpus (docs/benchmarks.md): every block with templates for
    // fewer than 0.65 of its rows stored smaller templated, every one above stored larger. The
    // count is checked as it grows (it grows slower than the rows), so a block of distinct
    // messages gives up early.
    if (!always && k >= kTemplateCheckRows && numbers.size() * kMaxTemplateShare > k) return false;
    const std::string_view v = present[k];
    t.clear();
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    const auto* end = p + v.size();
    while (p < end) {
      if (!IsTokenByte(*p)) {
        t.push_back(static_cast<char>(*p++));
        continue;
      }
      const auto* start = p;
      bool digit = false, other = false;
      for (; p < end && IsTokenByte(*p); ++p) {
        const bool d = *p >= '0' && *p <= '9';
        digit |= d;
        other |= !d;
      }
      const std::string_view token(reinterpret_cast<const char*>(start), static_cast<size_t>(p - start));
      if (digit) {
        t.push_back(other ? kMixedMark : kDigitsMark);
        std::string& stream = variables[other ? 1 : 0];
        stream.append(token);
        stream.push_back(kVariableEnd);
      } else {
        t.append(token);
      }
    }
    for (auto& stream : variables) stream.push_back(kRowEnd);
    auto [it, added] = numbers.try_emplace(t, static_cast<uint32_t>(numbers.size()));
    if (added) PutLengthPrefixed(&templates, t);
    ids.push_back(static_cast<char>(it->second & 0xff));
    ids.push_back(static_cast<char>(it->second >> 8));
  }
  if (numbers.size() > kMaxTemplates) return false;
  std::string first;
  PutVarint64(&first, numbers.size());
  first += templates;
  // Ids in one byte when there are at most 256 templates, else two (little-endian): fixed
  // widths read without a dependency from one row to the next.
  if (numbers.size() <= 256)
    for (size_t k = 0; k < ids.size(); k += 2) first.push_back(ids[k]);
  else
    first += ids;
  PutSection(out, first, level);
  for (const auto& stream : variables) PutSection(out, stream, level);
  return true;
}

Status TemplatedColumn::Open(std::string_view column, size_t rows) {
  ColumnEncoding encoding;
  RETURN_IF_ERROR(ReadColumnHeader(&column, rows, &encoding, &presence_));
  if (encoding != ColumnEncoding::kTemplated && encoding != ColumnEncoding::kTemplatedSplit)
    return Bad("not a templated column");
  rows_ = rows;
  split_ = encoding == ColumnEncoding::kTemplatedSplit;
  templates_read_ = false;
  templates_.clear();
  row_ids_.clear();
  pieces_.clear();
  Decoder in(column);
  templates_section_ = Section();
  if (!GetSection(&in, &templates_section_.codec, &templates_section_.raw_size, &templates_section_.stored))
    return Bad("truncated templates");
  for (size_t k = 0; k < (split_ ? kVariableKinds : 1); ++k) {
    Section& s = variables_[k] = Section();
    if (!GetSection(&in, &s.codec, &s.raw_size, &s.stored)) return Bad("truncated variables");
  }
  if (!in.empty()) return Bad("bytes left after the variables");
  return Status::Ok();
}

Result<std::string_view> TemplatedColumn::Read(Section* s, const char* what) {
  if (!s->bytes) {
    if (s->codec == kSectionRaw) {
      s->bytes = s->stored;
    } else {
      if (!Decompress(s->stored, s->raw_size, &s->raw)) return Bad(std::string("zstd cannot decompress the ") + what);
      s->bytes = s->raw;
    }
  }
  return *s->bytes;
}

Status TemplatedColumn::ReadTemplates() {
  if (templates_read_) return Status::Ok();
  ASSIGN_OR_RETURN(std::string_view first, Read(&templates_section_, "templates"));
  Decoder t(first);
  uint64_t n;
  if (!t.GetVarint64(&n) || n > first.size()) return Bad("bad template count");
  templates_.resize(n);
  marks_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!t.GetLengthPrefixed(&templates_[i])) return Bad("truncated templates");
    marks_[i] = {0, 0};
    for (char c : templates_[i])
      if (IsMark(c)) ++marks_[i][c == kMixedMark];
    // Format 5 marks every variable alike.
    if (!split_ && marks_[i][1] != 0) return Bad("a mark of a kind format 5 does not have");
  }
  const size_t width = n <= 256 ? 1 : 2;
  if (n > kMaxTemplates || t.remaining() != presence_.count * width) return Bad("template ids do not match the rows");
  const auto* id = reinterpret_cast<const uint8_t*>(first.data() + (first.size() - t.remaining()));
  row_ids_.assign(rows_, kAbsent);
  for (size_t r = 0; r < rows_; ++r) {
    if (!presence_.Has(r)) continue;
    const uint32_t i = width == 1 ? id[0] : id[0] | uint32_t{id[1]} << 8;
    id += width;
    if (i >= n) return Bad("bad template id");
    row_ids_[r] = i;
  }
  templates_read_ = true;
  return Status::Ok();
}

Result<std::string_view> TemplatedColumn::Variables(VariableKind kind) {
  if (!split_) return Bad("format 5 does not stream variables by kind");
  return Read(&variables_[static_cast<size_t>(kind)], "variables");
}

Status TemplatedColumn::Rebuild(std::string* text, std::vector<std::optional<std::string_view>>* values) {
  RETURN_IF_ERROR(ReadTemplates());
  const size_t kinds = split_ ? kVariableKinds : 1;
  std::array<std::string_view, kVariableKinds> vars{};
  for (size_t k = 0; k < kinds; ++k) {
    ASSIGN_OR_RETURN(vars[k], Read(&variables_[k], "variables"));
  }
  if (pieces_.empty() && !templates_.empty()) {
    // The constant runs around each template's marks, to copy whole.
    first_piece_.resize(templates_.size());
    for (size_t i = 0; i < templates_.size(); ++i) {
      first_piece_[i] = static_cast<uint32_t>(pieces_.size());
      uint32_t run = 0;
      for (char c : templates_[i]) {
        if (!IsMark(c)) {
          ++run;
          continue;
        }
        pieces_.push_back(run);
        run = 0;
      }
      pieces_.push_back(run);
    }
  }
  // Every byte of a template but its marks, and every variable byte but the ends: the exact
  // size, so the text never moves while views into it are taken.
  uint64_t total = 0;
  std::array<uint64_t, kVariableKinds> marks{};
  for (uint32_t id : row_ids_)
    if (id != kAbsent) {
      total += templates_[id].size() - marks_[id][0] - marks_[id][1];
      marks[0] += marks_[id][0];
      marks[1] += marks_[id][1];
    }
  // Format 5 ends each variable with a line end and has no row ends.
  const char end = split_ ? kVariableEnd : kRowEnd;
  const uint64_t row_ends = split_ ? presence_.count : 0;
  for (size_t k = 0; k < kinds; ++k) {
    // As many variable ends as marks and row ends as rows, the last byte a line end: each copy
    // below stops at its own end, inside the stream, and the text is filled exactly.
    if (static_cast<uint64_t>(std::count(vars[k].begin(), vars[k].end(), end)) != marks[k])
      return Bad("variables and marks differ in number");
    if (split_ && static_cast<uint64_t>(std::count(vars[k].begin(), vars[k].end(), kRowEnd)) != row_ends)
      return Bad("variables and rows differ in number");
    if (!vars[k].empty() && vars[k].back() != kRowEnd) return Bad("bytes left after the variables");
    total += vars[k].size() - marks[k] - row_ends;
  }
  text->clear();
  text->reserve(std::max<uint64_t>(total, 32));  // never inline: moving keeps the views valid
  text->resize(total);
  char* const begin = text->data();
  char* out = begin;
  values->assign(row_ids_.size(), std::nullopt);
  std::array<const char*, kVariableKinds> at = {vars[0].data(), vars[1].data()};
  for (size_t r = 0; r < row_ids_.size(); ++r) {
    if (row_ids_[r] == kAbsent) continue;
    char* const start = out;
    const uint32_t id = row_ids_[r];
    const char* t = templates_[id].data();
    const uint32_t* piece = &pieces_[first_piece_[id]];
    // Into the text sized once: the constant runs whole, the variables (a few bytes each) byte
    // by byte, each up to its end (or, in damaged data, the row's end, which is then reported).
    for (uint32_t m = marks_[id][0] + marks_[id][1]; m > 0; --m, ++piece) {
      std::memcpy(out, t, *piece);
      out += *piece;
      t += *piece;
      const char*& v = at[*t++ == kMixedMark];
      while (*v != end && *v != kRowEnd) *out++ = *v++;
      if (*v++ != end) return Bad("a row has fewer variables than its template");
    }
    std::memcpy(out, t, *piece);
    out += *piece;
    for (size_t k = 0; k < kinds && split_; ++k)
      if (*at[k]++ != kRowEnd) return Bad("a row has more variables than its template");
    (*values)[r] = std::string_view(start, static_cast<size_t>(out - start));
  }
  for (size_t k = 0; k < kinds; ++k)
    if (at[k] != vars[k].data() + vars[k].size()) return Bad("bytes left after the variables");
  return Status::Ok();
}

}  // namespace sawlog
