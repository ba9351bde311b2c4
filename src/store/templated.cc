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

// The section's bytes: stored ones as they are, compressed ones decompressed into *buffer.
bool OpenSection(uint8_t codec, uint64_t raw_size, std::string_view stored, std::string* buffer,
                 std::string_view* out) {
  if (codec == kSectionRaw) {
    *out = stored;
    return true;
  }
  if (!Decompress(stored, raw_size, buffer)) return false;
  *out = *buffer;
  return true;
}

}  // namespace

bool EncodeTemplated(const std::vector<std::string_view>& present, int level, bool always, std::string* out) {
  std::unordered_map<std::string, uint32_t> numbers;
  std::string templates, ids, variables, t;
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
      bool digit = false;
      for (; p < end && IsTokenByte(*p); ++p) digit |= *p >= '0' && *p <= '9';
      const std::string_view token(reinterpret_cast<const char*>(start), static_cast<size_t>(p - start));
      if (digit) {
        t.push_back(kVariableMark);
        variables.append(token);
        variables.push_back(kVariableEnd);
      } else {
        t.append(token);
      }
    }
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
  PutSection(out, variables, level);
  return true;
}

Status TemplatedColumn::Open(std::string_view column, size_t rows) {
  auto bad = [](const char* why) { return Status::Corruption(std::string("column: templated: ") + why); };
  ColumnEncoding encoding;
  Presence presence;
  RETURN_IF_ERROR(ReadColumnHeader(&column, rows, &encoding, &presence));
  if (encoding != ColumnEncoding::kTemplated) return bad("not a templated column");
  Decoder in(column);
  uint8_t codec;
  uint64_t raw_size;
  std::string_view stored, first;
  if (!GetSection(&in, &codec, &raw_size, &stored)) return bad("truncated templates");
  if (!OpenSection(codec, raw_size, stored, &templates_raw_, &first)) return bad("zstd cannot decompress the templates");
  if (!GetSection(&in, &variables_codec_, &variables_size_, &variables_frame_)) return bad("truncated variables");
  if (!in.empty()) return bad("bytes left after the variables");
  variables_.reset();

  Decoder t(first);
  uint64_t n;
  if (!t.GetVarint64(&n) || n > first.size()) return bad("bad template count");
  templates_.resize(n);
  marks_.resize(n);
  pieces_.clear();  // made by Rebuild when first needed: a search decided per template never is
  for (size_t i = 0; i < n; ++i) {
    if (!t.GetLengthPrefixed(&templates_[i])) return bad("truncated templates");
    marks_[i] = static_cast<uint32_t>(std::count(templates_[i].begin(), templates_[i].end(), kVariableMark));
  }
  const size_t width = n <= 256 ? 1 : 2;
  if (n > kMaxTemplates || t.remaining() != presence.count * width) return bad("template ids do not match the rows");
  const auto* id = reinterpret_cast<const uint8_t*>(first.data() + (first.size() - t.remaining()));
  row_ids_.assign(rows, kAbsent);
  for (size_t r = 0; r < rows; ++r) {
    if (!presence.Has(r)) continue;
    const uint32_t i = width == 1 ? id[0] : id[0] | uint32_t{id[1]} << 8;
    id += width;
    if (i >= n) return bad("bad template id");
    row_ids_[r] = i;
  }
  return Status::Ok();
}

Result<std::string_view> TemplatedColumn::Variables() {
  if (!variables_) {
    std::string_view v;
    if (!OpenSection(variables_codec_, variables_size_, variables_frame_, &variables_raw_, &v))
      return Status::Corruption("column: templated: zstd cannot decompress the variables");
    variables_ = v;
  }
  return *variables_;
}

Status TemplatedColumn::Rebuild(std::string* text, std::vector<std::optional<std::string_view>>* values) {
  ASSIGN_OR_RETURN(std::string_view vars, Variables());
  if (pieces_.empty() && !templates_.empty()) {
    // The constant runs around each template's marks, to copy whole.
    first_piece_.resize(templates_.size());
    for (size_t i = 0; i < templates_.size(); ++i) {
      first_piece_[i] = static_cast<uint32_t>(pieces_.size());
      const char* run = templates_[i].data();
      const char* const end = run + templates_[i].size();
      for (const char* mark; (mark = static_cast<const char*>(std::memchr(run, kVariableMark, static_cast<size_t>(end - run)))) != nullptr;
           run = mark + 1)
        pieces_.push_back(static_cast<uint32_t>(mark - run));
      pieces_.push_back(static_cast<uint32_t>(end - run));
    }
  }
  // Every byte of a template but its marks, and every variable byte but the ends: the exact
  // size, so the text never moves while views into it are taken.
  uint64_t total = vars.size(), variables = 0;
  for (uint32_t id : row_ids_)
    if (id != kAbsent) {
      total += templates_[id].size() - marks_[id];
      variables += marks_[id];
    }
  // As many variable ends as marks: each copy below stops at its own end, inside the text.
  if (static_cast<uint64_t>(std::count(vars.begin(), vars.end(), kVariableEnd)) != variables)
    return Status::Corruption("column: templated: variables and marks differ in number");
  total -= variables;
  // Into the text sized once: the constant runs whole, the variables (a few bytes each) byte by
  // byte. The variables end in kVariableEnd, so a copy stops inside them; with
  // as many variables as marks, the text is filled exactly.
  if (!vars.empty() && vars.back() != kVariableEnd) return Status::Corruption("column: templated: bytes left after the variables");
  text->clear();
  text->reserve(std::max<uint64_t>(total, 32));  // never inline: moving keeps the views valid
  text->resize(total);
  char* const begin = text->data();
  char* out = begin;
  values->assign(row_ids_.size(), std::nullopt);
  const char* v = vars.data();
  for (size_t r = 0; r < row_ids_.size(); ++r) {
    if (row_ids_[r] == kAbsent) continue;
    char* const start = out;
    const uint32_t id = row_ids_[r];
    const char* t = templates_[id].data();
    const uint32_t* piece = &pieces_[first_piece_[id]];
    for (uint32_t m = marks_[id]; m > 0; --m, ++piece) {
      std::memcpy(out, t, *piece);
      out += *piece;
      t += *piece + 1;  // past the mark
      while (*v != kVariableEnd) *out++ = *v++;
      ++v;
    }
    std::memcpy(out, t, *piece);
    out += *piece;
    (*values)[r] = std::string_view(start, static_cast<size_t>(out - start));
  }
  const size_t at = static_cast<size_t>(v - vars.data());
  if (at != vars.size()) return Status::Corruption("column: templated: bytes left after the variables");
  return Status::Ok();
}

}  // namespace sawlog
