#include "parse/backtracker.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sawlog {

namespace {

// Program size from which Compile gives the regex to RE2: copies of counted repetitions
// (IPv6's {1,4} and {7}) make the standard patterns a few thousand instructions.
constexpr size_t kMaxInstructions = 1 << 16;

// Bits of the visited bitmap (rows × (line length + 1)) from which Match gives the line to RE2:
// at most 1 MiB of memory; COMBINEDAPACHELOG's 548 rows fit lines of about 15 KiB.
constexpr size_t kMaxVisitedBits = size_t{1} << 23;

// A set of ASCII bytes (the matcher sees only ASCII lines).
struct Set {
  uint64_t w[2] = {0, 0};
  void Add(int c) {
    if (c >= 0 && c < 128) w[c >> 6] |= uint64_t{1} << (c & 63);
  }
  void AddRange(int lo, int hi) {
    for (int c = lo; c <= std::min(hi, 127); ++c) Add(c);
  }
  void AddSet(const Set& o) {
    w[0] |= o.w[0];
    w[1] |= o.w[1];
  }
  Set Negated() const {
    Set s;
    s.w[0] = ~w[0];
    s.w[1] = ~w[1];
    return s;
  }
  bool Has(unsigned char c) const { return (w[c >> 6] >> (c & 63)) & 1; }
};

Set Range(int lo, int hi) {
  Set s;
  s.AddRange(lo, hi);
  return s;
}
Set Chars(std::string_view cs) {
  Set s;
  for (char c : cs) s.Add(static_cast<unsigned char>(c));
  return s;
}
// RE2's Perl classes are ASCII; \s has no \v.
Set Digit() { return Range('0', '9'); }
Set Word() {
  Set s = Range('0', '9');
  s.AddRange('A', 'Z');
  s.AddRange('a', 'z');
  s.Add('_');
  return s;
}
Set Space() { return Chars("\t\n\f\r "); }

const Set kWord = Word();
bool IsWord(unsigned char c) { return kWord.Has(c); }

enum class Assert : uint8_t { kBeginText, kEndText, kWordBoundary, kNotWordBoundary };

struct Node {
  enum Kind { kEmpty, kSet, kConcat, kAlt, kRepeat, kCapture, kAssert } kind = kEmpty;
  Set set;
  std::vector<std::unique_ptr<Node>> kids;
  int min = 0, max = 0;  // kRepeat; max -1: unbounded
  bool greedy = true;
  int group = 0;  // kCapture, 1-based
  Assert assert = Assert::kBeginText;
};
using NodePtr = std::unique_ptr<Node>;

NodePtr MakeSet(const Set& s) {
  auto n = std::make_unique<Node>();
  n->kind = Node::kSet;
  n->set = s;
  return n;
}

bool Nullable(const Node& n) {
  switch (n.kind) {
    case Node::kSet: return false;
    case Node::kConcat: return std::all_of(n.kids.begin(), n.kids.end(), [](const NodePtr& k) { return Nullable(*k); });
    case Node::kAlt: return std::any_of(n.kids.begin(), n.kids.end(), [](const NodePtr& k) { return Nullable(*k); });
    case Node::kRepeat: return n.min == 0 || Nullable(*n.kids[0]);
    case Node::kCapture: return Nullable(*n.kids[0]);
    default: return true;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RE2 syntax → Node, for the subset grok expansions use. Fails (ok_ false) on anything else;
// RE2 has accepted the text before, so errors of the text itself need no message here.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  NodePtr Parse() {
    NodePtr n = Alternation();
    if (!ok_ || i_ != s_.size()) return nullptr;
    return n;
  }
  int groups() const { return groups_; }

 private:
  bool More() const { return i_ < s_.size(); }
  char Peek() const { return s_[i_]; }

  NodePtr Alternation() {
    auto alt = std::make_unique<Node>();
    alt->kind = Node::kAlt;
    alt->kids.push_back(Concatenation());
    while (ok_ && More() && Peek() == '|') {
      ++i_;
      alt->kids.push_back(Concatenation());
    }
    if (alt->kids.size() == 1) return std::move(alt->kids[0]);
    return alt;
  }

  NodePtr Concatenation() {
    auto cat = std::make_unique<Node>();
    cat->kind = Node::kConcat;
    while (ok_ && More() && Peek() != '|' && Peek() != ')') {
      NodePtr atom = Atom();
      if (!ok_) break;
      while (ok_ && More()) {
        int min, max;
        if (!Quantifier(&min, &max)) break;
        bool greedy = true;
        if (More() && Peek() == '?') {
          greedy = false;
          ++i_;
        }
        auto rep = std::make_unique<Node>();
        rep->kind = Node::kRepeat;
        rep->min = min;
        rep->max = max;
        rep->greedy = greedy;
        rep->kids.push_back(std::move(atom));
        atom = std::move(rep);
      }
      cat->kids.push_back(std::move(atom));
    }
    return cat;
  }

  // At a quantifier: consumes it. `{` that is no counted repetition is a literal to RE2.
  bool Quantifier(int* min, int* max) {
    switch (Peek()) {
      case '*': *min = 0, *max = -1, ++i_; return true;
      case '+': *min = 1, *max = -1, ++i_; return true;
      case '?': *min = 0, *max = 1, ++i_; return true;
      case '{': return Counted(min, max);
      default: return false;
    }
  }

  bool Counted(int* min, int* max) {
    size_t j = i_ + 1;
    auto number = [&](int* v) {
      size_t start = j;
      *v = 0;
      while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9' && j - start < 5) *v = *v * 10 + (s_[j++] - '0');
      return j > start;
    };
    if (!number(min)) return false;
    *max = *min;
    if (j < s_.size() && s_[j] == ',') {
      ++j;
      if (!number(max)) *max = -1;
    }
    if (j >= s_.size() || s_[j] != '}') return false;
    i_ = j + 1;
    return true;
  }

  NodePtr Fail() {
    ok_ = false;
    return std::make_unique<Node>();
  }

  NodePtr Atom() {
    const char c = s_[i_];
    if (c == '(') {
      ++i_;
      int group = 0;
      if (s_.substr(i_).starts_with("?:")) i_ += 2;
      else if (More() && Peek() == '?') return Fail();  // flags, named groups: not produced by grok.cc's rewrite
      else group = ++groups_;
      NodePtr inner = Alternation();
      if (!ok_ || !More() || Peek() != ')') return Fail();
      ++i_;
      if (group == 0) return inner;
      auto cap = std::make_unique<Node>();
      cap->kind = Node::kCapture;
      cap->group = group;
      cap->kids.push_back(std::move(inner));
      return cap;
    }
    if (c == '[') return Class();
    if (c == '*' || c == '+' || c == '?') return Fail();
    if (c == '{') {
      int min, max;
      size_t at = i_;
      if (Counted(&min, &max)) return Fail();
      i_ = at + 1;
      return MakeSet(Chars("{"));
    }
    if (c == '.') {
      ++i_;
      return MakeSet(Chars("\n").Negated());
    }
    if (c == '^' || c == '$') {
      ++i_;
      auto n = std::make_unique<Node>();
      n->kind = Node::kAssert;
      n->assert = c == '^' ? Assert::kBeginText : Assert::kEndText;
      return n;
    }
    if (c == '\\') {
      if (i_ + 1 >= s_.size()) return Fail();
      const char e = s_[i_ + 1];
      Assert a;
      if (e == 'b' || e == 'B' || e == 'A' || e == 'z') {
        a = e == 'b' ? Assert::kWordBoundary : e == 'B' ? Assert::kNotWordBoundary : e == 'A' ? Assert::kBeginText : Assert::kEndText;
        i_ += 2;
        auto n = std::make_unique<Node>();
        n->kind = Node::kAssert;
        n->assert = a;
        return n;
      }
      Set s;
      if (!Escape(&s)) return Fail();
      return MakeSet(s);
    }
    Set s;
    s.Add(CharAt());  // a non-ASCII character adds nothing: it never matches an ASCII line
    return MakeSet(s);
  }

  // One character of the pattern (UTF-8); non-ASCII as 0x100.
  int CharAt() {
    const unsigned char c = static_cast<unsigned char>(s_[i_]);
    if (c < 0x80) {
      ++i_;
      return c;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    i_ = std::min(s_.size(), i_ + len);
    return 0x100;
  }

  // At '\\': a class escape (\d \w \s and their negations) or one character, as a set.
  // `*single` (when not null) receives the character, -1 for a class.
  bool Escape(Set* s, int* single = nullptr) {
    const char e = s_[i_ + 1];
    i_ += 2;
    int c = -1;
    switch (e) {
      case 'd': *s = Digit(); break;
      case 'D': *s = Digit().Negated(); break;
      case 'w': *s = Word(); break;
      case 'W': *s = Word().Negated(); break;
      case 's': *s = Space(); break;
      case 'S': *s = Space().Negated(); break;
      case 'a': c = 7; break;
      case 'f': c = '\f'; break;
      case 't': c = '\t'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 'v': c = '\v'; break;
      case 'x': {
        c = 0;
        if (More() && Peek() == '{') {
          size_t close = s_.find('}', i_);
          if (close == std::string_view::npos || close == i_ + 1) return false;
          for (size_t j = i_ + 1; j < close; ++j) {
            if (HexValue(s_[j]) < 0 || c > 0x10FFFF) return false;
            c = c * 16 + HexValue(s_[j]);
          }
          i_ = close + 1;
        } else {
          if (i_ + 2 > s_.size() || HexValue(s_[i_]) < 0 || HexValue(s_[i_ + 1]) < 0) return false;
          c = HexValue(s_[i_]) * 16 + HexValue(s_[i_ + 1]);
          i_ += 2;
        }
        break;
      }
      default:
        if ((e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
            static_cast<unsigned char>(e) >= 0x80)
          return false;  // octal, Unicode classes, \Q...\E, \C: not in the libraries
        c = static_cast<unsigned char>(e);
    }
    if (single) *single = c;
    if (c >= 0) {
      *s = Set{};
      s->Add(c);
    }
    return true;
  }

  bool Posix(std::string_view name, Set* s) {
    static const std::pair<std::string_view, Set (*)()> kClasses[] = {
        {"alnum", [] { Set s = Range('0', '9'); s.AddRange('A', 'Z'); s.AddRange('a', 'z'); return s; }},
        {"alpha", [] { Set s = Range('A', 'Z'); s.AddRange('a', 'z'); return s; }},
        {"ascii", [] { return Range(0, 127); }},
        {"blank", [] { return Chars("\t "); }},
        {"cntrl", [] { Set s = Range(0, 31); s.Add(127); return s; }},
        {"digit", [] { return Range('0', '9'); }},
        {"graph", [] { return Range('!', '~'); }},
        {"lower", [] { return Range('a', 'z'); }},
        {"print", [] { return Range(' ', '~'); }},
        {"punct", [] { Set s = Range('!', '/'); s.AddRange(':', '@'); s.AddRange('[', '`'); s.AddRange('{', '~'); return s; }},
        {"space", [] { return Chars("\t\n\v\f\r "); }},
        {"upper", [] { return Range('A', 'Z'); }},
        {"word", [] { return Word(); }},
        {"xdigit", [] { Set s = Range('0', '9'); s.AddRange('A', 'F'); s.AddRange('a', 'f'); return s; }},
    };
    bool negated = name.starts_with('^');
    if (negated) name.remove_prefix(1);
    for (const auto& [n, make] : kClasses)
      if (n == name) {
        *s = negated ? make().Negated() : make();
        return true;
      }
    return false;
  }

  // At '[': a character class. RE2 lets negated classes match '\n' (its ClassNL default).
  NodePtr Class() {
    ++i_;
    bool negated = More() && Peek() == '^';
    if (negated) ++i_;
    Set set;
    bool first = true;
    while (More() && (Peek() != ']' || first)) {
      first = false;
      if (s_.substr(i_).starts_with("[:")) {
        size_t close = s_.find(":]", i_ + 2);
        Set p;
        if (close == std::string_view::npos || !Posix(s_.substr(i_ + 2, close - i_ - 2), &p)) return Fail();
        set.AddSet(p);
        i_ = close + 2;
        continue;
      }
      int lo;
      if (!ClassChar(&set, &lo)) return Fail();
      if (lo < 0) continue;  // a class escape such as \d
      if (i_ + 1 < s_.size() && Peek() == '-' && s_[i_ + 1] != ']') {
        ++i_;
        int hi;
        Set unused;
        if (!ClassChar(&unused, &hi) || hi < 0) return Fail();
        set.AddRange(lo, hi);
      } else {
        set.Add(lo);
      }
    }
    if (!More()) return Fail();
    ++i_;
    return MakeSet(negated ? set.Negated() : set);
  }

  // One member of a class: a character (`*c`, 0x100 when not ASCII) or a class escape added
  // to `set` (`*c` = -1).
  bool ClassChar(Set* set, int* c) {
    if (Peek() != '\\') {
      *c = CharAt();
      return true;
    }
    if (i_ + 1 >= s_.size()) return false;
    Set s;
    if (!Escape(&s, c)) return false;
    if (*c < 0) set->AddSet(s);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool ok_ = true;
  int groups_ = 0;
};

}  // namespace

enum class Op : uint8_t { kSet, kRun, kSplit, kJmp, kSave, kAssert, kMatch };

// Runs whose set is at most this many ranges are scanned with SIMD compares: \S is 4 ranges,
// `[^\\"]` 3, `.` 2, USERNAME's `[a-zA-Z0-9._-]` 5.
constexpr int kMaxRanges = 6;

// Steps (instructions run) of the search without visited marks before it gives up and the line
// is searched again with them: lines of the access log take about 0.6 per byte.
constexpr size_t kQuickStepsPerByte = 16;
constexpr size_t kQuickSteps = 1024;

// How far Look sees: enough to tell IPv6's `[0-9A-Fa-f]{1,4}:` from an IPv4 address's "83.".
constexpr int kLookahead = 4;

struct Look {
  Set at[kLookahead];
  uint8_t ends = 0;  // bit k: can end after exactly k bytes

  bool operator==(const Look& o) const {
    for (int k = 0; k < kLookahead; ++k)
      if (at[k].w[0] != o.at[k].w[0] || at[k].w[1] != o.at[k].w[1]) return false;
    return ends == o.ends;
  }
  void Add(const Look& o) {
    for (int k = 0; k < kLookahead; ++k) at[k].AddSet(o.at[k]);
    ends |= o.ends;
  }
  // `o` after c bytes.
  void AddShifted(const Look& o, int c) {
    for (int k = c; k < kLookahead; ++k) at[k].AddSet(o.at[k - c]);
    ends |= static_cast<uint8_t>((o.ends << c) & ((1 << kLookahead) - 1));
  }
};

struct Backtracker::Inst {
  Op op = Op::kMatch;
  bool greedy = true;
  Assert assert = Assert::kBeginText;
  int32_t x = 0, y = 0;  // split: tried first, then; jmp: target; save: slot
  int32_t row = 0;       // split, run: row of the visited bitmap (a run's continuation: row + 1)
  int32_t min = 0, max = 0;  // run; max -1: unbounded
  Set set;                   // set, run
  // What a match from here can start with: the bytes at offsets 0..kLookahead-1, and whether
  // it can end (reach the pattern's end) after exactly k bytes. Splits and runs skip what cannot
  // go on, without a visit or a frame: IPv6's alternatives are gone at the '.' of an IPv4 address.
  Look look;
  // run: its set as at most kMaxRanges ranges [lo, hi] of bytes (none when it takes more), for
  // scanning 16 bytes at a time.
  int nranges = 0;
  int8_t range_lo[kMaxRanges] = {}, range_hi[kMaxRanges] = {};
  int32_t sets = 0;  // set: how many set instructions follow from here, this one included
};

namespace {

void SetRanges(Backtracker::Inst* in) {
  int n = 0;
  for (int c = 0; c < 128; ++c) {
    if (!in->set.Has(static_cast<unsigned char>(c))) continue;
    if (n > 0 && in->range_hi[n - 1] == c - 1) {
      in->range_hi[n - 1] = static_cast<int8_t>(c);
      continue;
    }
    if (n == kMaxRanges) {
      in->nranges = 0;
      return;
    }
    in->range_lo[n] = static_cast<int8_t>(c);
    in->range_hi[n++] = static_cast<int8_t>(c);
  }
  in->nranges = n;
}

// The end of the run of `in`'s set in t[q, limit).
size_t ScanRun(const Backtracker::Inst& in, const unsigned char* t, size_t q, size_t limit) {
#if defined(__SSE2__)
  if (in.nranges > 0 && limit - q >= 16) {
    __m128i lo[kMaxRanges], hi[kMaxRanges];
    for (int r = 0; r < in.nranges; ++r) {
      lo[r] = _mm_set1_epi8(static_cast<char>(in.range_lo[r] - 1));  // lo 0 → -1: ASCII bytes are above
      hi[r] = _mm_set1_epi8(static_cast<char>(in.range_hi[r]));
    }
    for (; limit - q >= 16; q += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + q));
      __m128i m = _mm_setzero_si128();
      for (int r = 0; r < in.nranges; ++r)
        m = _mm_or_si128(m, _mm_andnot_si128(_mm_cmpgt_epi8(v, hi[r]), _mm_cmpgt_epi8(v, lo[r])));
      const unsigned outside = static_cast<unsigned>(_mm_movemask_epi8(m)) ^ 0xFFFFu;
      if (outside) return q + static_cast<size_t>(__builtin_ctz(outside));
    }
  }
#endif
  while (q < limit && in.set.Has(t[q])) ++q;
  return q;
}

class Compiler {
 public:
  explicit Compiler(std::vector<Backtracker::Inst>* prog) : prog_(*prog) {}
  int rows = 0;

  bool Emit(const Node& n) {
    if (prog_.size() > kMaxInstructions) return false;
    switch (n.kind) {
      case Node::kEmpty: return true;
      case Node::kSet: {
        Backtracker::Inst& in = Add(Op::kSet);
        in.set = n.set;
        return true;
      }
      case Node::kAssert: Add(Op::kAssert).assert = n.assert; return true;
      case Node::kConcat:
        for (const auto& k : n.kids)
          if (!Emit(*k)) return false;
        return true;
      case Node::kCapture: {
        Add(Op::kSave).x = 2 * (n.group - 1);
        if (!Emit(*n.kids[0])) return false;
        Add(Op::kSave).x = 2 * (n.group - 1) + 1;
        return true;
      }
      case Node::kAlt: {
        std::vector<size_t> to_end;
        for (size_t i = 0; i < n.kids.size(); ++i) {
          size_t split = 0;
          if (i + 1 < n.kids.size()) split = AddSplit();
          if (!Emit(*n.kids[i])) return false;
          if (i + 1 < n.kids.size()) {
            to_end.push_back(prog_.size());
            Add(Op::kJmp);
            prog_[split].x = static_cast<int32_t>(split + 1);
            prog_[split].y = static_cast<int32_t>(prog_.size());
          }
        }
        for (size_t j : to_end) prog_[j].x = static_cast<int32_t>(prog_.size());
        return true;
      }
      case Node::kRepeat: return EmitRepeat(n);
    }
    return false;
  }

 private:
  Backtracker::Inst& Add(Op op) {
    prog_.emplace_back();
    prog_.back().op = op;
    return prog_.back();
  }
  size_t AddSplit() {
    Add(Op::kSplit).row = rows++;
    return prog_.size() - 1;
  }
  // Points the split at `body` and `exit`, preferring the body when greedy.
  void Aim(size_t split, size_t body, size_t exit, bool greedy) {
    prog_[split].x = static_cast<int32_t>(greedy ? body : exit);
    prog_[split].y = static_cast<int32_t>(greedy ? exit : body);
  }

  bool EmitRepeat(const Node& n) {
    const Node& body = *n.kids[0];
    if (n.max == 0) return true;
    if (body.kind == Node::kSet) {
      Backtracker::Inst& in = Add(Op::kRun);
      in.set = body.set;
      SetRanges(&in);
      in.min = n.min;
      in.max = n.max;
      in.greedy = n.greedy;
      in.row = rows;
      rows += 2;
      return true;
    }
    // RE2 and Perl differ on loops of what can match empty; leave those to RE2.
    if (n.max != 1 && Nullable(body)) return false;
    for (int i = 0; i < n.min; ++i)
      if (!Emit(body)) return false;
    if (n.max < 0) {
      size_t loop = AddSplit();
      if (!Emit(body)) return false;
      Add(Op::kJmp).x = static_cast<int32_t>(loop);
      Aim(loop, loop + 1, prog_.size(), n.greedy);
      return true;
    }
    std::vector<size_t> splits;
    for (int i = n.min; i < n.max; ++i) {
      splits.push_back(AddSplit());
      if (!Emit(body)) return false;
    }
    for (size_t s : splits) Aim(s, s + 1, prog_.size(), n.greedy);
    return true;
  }

  std::vector<Backtracker::Inst>& prog_;
};

}  // namespace

Backtracker::Backtracker() = default;
Backtracker::~Backtracker() = default;

std::unique_ptr<Backtracker> Backtracker::Compile(std::string_view regex, int groups) {
  Parser parser(regex);
  NodePtr root = parser.Parse();
  if (!root || parser.groups() != groups) return nullptr;
  std::unique_ptr<Backtracker> b(new Backtracker());
  Compiler compiler(&b->prog_);
  if (!compiler.Emit(*root) || b->prog_.size() > kMaxInstructions) return nullptr;
  b->prog_.emplace_back();  // kMatch
  b->ComputeLook();
  for (size_t pc = b->prog_.size(); pc-- > 0;)
    if (b->prog_[pc].op == Op::kSet) b->prog_[pc].sets = 1 + b->prog_[pc + 1].sets;
  b->rows_ = compiler.rows;
  b->groups_ = groups;
  return b;
}

// The least fixpoint of Look over the program's edges (loops make it iterative).
void Backtracker::ComputeLook() {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t pc = prog_.size(); pc-- > 0;) {
      Inst& in = prog_[pc];
      Look look;
      switch (in.op) {
        case Op::kSet:
          look.at[0] = in.set;
          look.AddShifted(prog_[pc + 1].look, 1);
          break;
        case Op::kRun: {
          const int most = in.max < 0 ? kLookahead : std::min(in.max, kLookahead);
          for (int k = 0; k < most; ++k) look.at[k] = in.set;
          for (int c = in.min; c <= most && c < kLookahead; ++c) look.AddShifted(prog_[pc + 1].look, c);
          break;
        }
        case Op::kSplit:
          look.Add(prog_[in.x].look);
          look.Add(prog_[in.y].look);
          break;
        case Op::kJmp: look = prog_[in.x].look; break;
        case Op::kSave:
        case Op::kAssert: look = prog_[pc + 1].look; break;
        case Op::kMatch: look.ends = 1; break;
      }
      if (!(look == in.look)) {
        in.look = look;
        changed = true;
      }
    }
  }
}

namespace {
enum FrameKind : uint32_t { kTry, kRestore, kGreedyRun, kLazyRun };

bool Ascii(std::string_view s) {
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ULL) == 0;
}
}  // namespace

Backtracker::Outcome Backtracker::Match(std::string_view line, std::vector<int>* spans) {
  if (!Ascii(line)) return Outcome::kUnsupported;
  const Outcome quick = Search<false>(line, spans, kQuickStepsPerByte * (line.size() + 1) + kQuickSteps);
  if (quick != Outcome::kUnsupported) return quick;
  stride_ = line.size() + 1;
  const size_t bits = static_cast<size_t>(rows_) * stride_;
  if (bits > kMaxVisitedBits) return Outcome::kUnsupported;
  if (visited_.size() < bits / 64 + 1) visited_.resize(bits / 64 + 1);
  return Search<true>(line, spans, 0);
}

template <bool kMark>
Backtracker::Outcome Backtracker::Search(std::string_view line, std::vector<int>* spans, size_t steps) {
  const size_t n = line.size();
  // Without marks a (instruction, position) pair may be tried again: the same result, possibly
  // exponential time, so the quick search gives up after `steps` instructions.
  auto visited = [&](int row, size_t pos) {
    if constexpr (kMark) return Visited(row, pos);
    return false;
  };
  spans->assign(2 * static_cast<size_t>(groups_), -1);
  std::vector<int>& slot = *spans;
  const unsigned char* t = reinterpret_cast<const unsigned char*>(line.data());
  const Inst* prog = prog_.data();

  // Whether a match from pc may start at p.
  auto can_start = [&](size_t pc, size_t p) {
    const Look& look = prog[pc].look;
    for (int k = 0; k < kLookahead; ++k) {
      if (p + k == n) return ((look.ends >> k) & 1) != 0;
      if (!look.at[k].Has(t[p + k])) return false;
    }
    return true;
  };
  // Whether a run may end at q: what follows may start there and (run, q) is new.
  auto can_end = [&](uint32_t pc, size_t q) { return can_start(pc + 1, q) && !visited(prog[pc].row + 1, q); };
  // The stack as a raw array: std::vector::push_back does not inline here.
  size_t top = 0;
  auto push = [&](const Frame& f) {
    if (top == stack_.size()) stack_.resize(std::max<size_t>(64, 2 * top));
    stack_[top++] = f;
  };

  Outcome outcome = Outcome::kNoMatch;
  // The first end of a run at pc among candidates hi down to lo (greedy) or lo up to hi while the
  // run's set matches (lazy), the rest left on the stack.
  auto greedy_end = [&](uint32_t pc, size_t hi, size_t lo, size_t* end) {
    size_t q = hi;
    while (!can_end(pc, q)) {
      if (q == lo) return false;
      --q;
    }
    if (q > lo) push({kGreedyRun, pc, q - 1, lo});
    *end = q;
    return true;
  };
  auto lazy_end = [&](uint32_t pc, size_t lo, size_t hi, size_t* end) {
    const Set& set = prog[pc].set;
    size_t q = lo;
    while (!can_end(pc, q)) {
      if (q == hi || !set.Has(t[q])) return false;
      ++q;
    }
    if (q < hi && set.Has(t[q])) push({kLazyRun, pc, q + 1, hi});
    *end = q;
    return true;
  };

  push({kTry, 0, 0, 0});
  while (top > 0) {
    const Frame f = stack_[--top];
    uint32_t pc = f.pc;
    size_t p = f.a;
    switch (f.kind) {
      case kRestore: slot[f.pc] = static_cast<int>(static_cast<int64_t>(f.a)); continue;
      case kTry: break;
      case kGreedyRun:
        if (!greedy_end(f.pc, f.a, f.b, &p)) continue;
        pc = f.pc + 1;
        break;
      case kLazyRun:
        if (!lazy_end(f.pc, f.a, f.b, &p)) continue;
        pc = f.pc + 1;
        break;
    }
    for (;;) {
      if constexpr (!kMark) {
        if (--steps == 0) {
          outcome = Outcome::kUnsupported;
          goto done;
        }
      }
      const Inst& in = prog[pc];
      switch (in.op) {
        case Op::kSet: {  // the whole sequence of sets in one step: literal text
          const size_t k = static_cast<size_t>(in.sets);
          if (n - p < k) goto next_frame;
          for (size_t i = 0; i < k; ++i)
            if (!prog[pc + i].set.Has(t[p + i])) goto next_frame;
          p += k;
          pc += static_cast<uint32_t>(k);
          continue;
        }
        case Op::kSplit: {
          const bool x = can_start(in.x, p), y = can_start(in.y, p);
          if (x && y) {
            if (visited(in.row, p)) goto next_frame;
            push({kTry, static_cast<uint32_t>(in.y), p, 0});
          } else if (!x && !y) {
            goto next_frame;
          }
          pc = x ? in.x : in.y;
          continue;
        }
        case Op::kJmp: pc = in.x; continue;
        case Op::kSave:
          push({kRestore, static_cast<uint32_t>(in.x), static_cast<size_t>(static_cast<int64_t>(slot[in.x])), 0});
          slot[in.x] = static_cast<int>(p);
          ++pc;
          continue;
        case Op::kAssert: {
          bool holds;
          switch (in.assert) {
            case Assert::kBeginText: holds = p == 0; break;
            case Assert::kEndText: holds = p == n; break;
            default: {
              const bool before = p > 0 && IsWord(t[p - 1]);
              const bool after = p < n && IsWord(t[p]);
              holds = (before != after) == (in.assert == Assert::kWordBoundary);
            }
          }
          if (!holds) goto next_frame;
          ++pc;
          continue;
        }
        case Op::kRun: {
          if (visited(in.row, p)) goto next_frame;
          const size_t limit = in.max < 0 ? n : std::min(n, p + static_cast<size_t>(in.max));
          const size_t least = p + static_cast<size_t>(in.min);
          if (least > limit) goto next_frame;
          if (in.greedy) {
            const size_t q = ScanRun(in, t, p, limit);
            if (q < least || !greedy_end(pc, q, least, &p)) goto next_frame;
          } else {
            for (size_t q = p; q < least; ++q)
              if (!in.set.Has(t[q])) goto next_frame;
            if (!lazy_end(pc, least, limit, &p)) goto next_frame;
          }
          ++pc;
          continue;
        }
        case Op::kMatch:
          if (p == n) {
            outcome = Outcome::kMatch;
            goto done;
          }
          goto next_frame;
      }
    }
  next_frame:;
  }
done:
  if constexpr (kMark) {
    for (uint32_t w : touched_) visited_[w] = 0;
    touched_.clear();
  }
  return outcome;
}

}  // namespace sawlog
