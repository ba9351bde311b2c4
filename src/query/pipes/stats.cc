// `stats by (host, _time:1m) count() as hits, avg(duration), quantile(0.99, duration)`: one row per
// group with the functions' results. `by (...)` may also come after the functions.
//
// Each scan thread folds its rows into a part of its own (a hash map from the encoded group key
// to the functions' running state), reading values in place; the parts are merged at the end.
#include "query/pipes/stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_set>

// Inline: a group key is short, and a call into the library per row costs as much as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/coding.h"
#include "core/timestamp.h"
#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

// The running state of one function in one group.
struct Acc {
  uint64_t count = 0;
  double sum = 0;
  double min = INFINITY, max = -INFINITY;
  int64_t first = INT64_MAX, last = INT64_MIN;
  bool text = false;  // a value that is not a number was seen: min/max compare text
  // What only some functions need, made when first used: a group of a count stays small.
  struct Extra {
    std::string tmin, tmax;
    std::vector<double> values;            // median, quantile
    std::unordered_set<std::string> uniq;  // count_uniq
  };
  std::unique_ptr<Extra> extra;

  Extra& X() {
    if (!extra) extra = std::make_unique<Extra>();
    return *extra;
  }

  void Merge(Acc&& o) {
    if (o.extra) {
      Extra& x = X();
      if (o.count > 0) {
        if (count == 0 || o.extra->tmin < x.tmin) x.tmin = std::move(o.extra->tmin);
        if (count == 0 || o.extra->tmax > x.tmax) x.tmax = std::move(o.extra->tmax);
      }
      x.values.insert(x.values.end(), o.extra->values.begin(), o.extra->values.end());
      if (x.uniq.empty()) x.uniq = std::move(o.extra->uniq);
      else x.uniq.merge(o.extra->uniq);
    }
    count += o.count;
    sum += o.sum;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    text = text || o.text;
    first = std::min(first, o.first);
    last = std::max(last, o.last);
  }
};

// The groups of a fold: each key (its bytes as StatsPart::Add writes them) with the functions'
// states, in flat arrays with the keys in one arena. A lookup is one probe of a table of hashes,
// one read of the arena (the key and its group's number side by side) and the group's states:
// with many groups each is a cache miss, so there are no more than these. Groups number 0, 1, ...
class Groups {
 public:
  explicit Groups(size_t funcs) : nf_(funcs), table_(64, 0) {}
  static uint64_t Hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }
  // The states of key's group, added when new (*fresh tells).
  Acc* Find(std::string_view key, bool* fresh) { return Find(key, Hash(key), fresh); }
  Acc* Find(std::string_view key, uint64_t h, bool* fresh) {
    if ((size() + 1) * 2 > table_.size()) Grow();
    const uint64_t tag = h & ~uint64_t{0xffffffff};
    size_t i = h & (table_.size() - 1);
    for (;; i = (i + 1) & (table_.size() - 1)) {
      const uint64_t slot = table_[i];
      if (slot == 0) break;
      if ((slot & ~uint64_t{0xffffffff}) != tag) continue;
      const char* e = arena_.data() + (slot & 0xffffffff) - 1;
      uint32_t g, len;
      std::memcpy(&g, e, 4);
      std::memcpy(&len, e + 4, 4);
      if (len == key.size() && std::memcmp(e + 8, key.data(), len) == 0) {
        *fresh = false;
        return accs(g);
      }
    }
    const uint32_t g = static_cast<uint32_t>(size()), len = static_cast<uint32_t>(key.size());
    table_[i] = tag | (arena_.size() + 1);
    offsets_.push_back(arena_.size());
    hashes_.push_back(h);
    arena_.append(reinterpret_cast<const char*>(&g), 4);
    arena_.append(reinterpret_cast<const char*>(&len), 4);
    arena_.append(key);
    accs_.resize(accs_.size() + nf_);
    *fresh = true;
    return accs(g);
  }
  // Finds the groups of n keys, key(i) with hash(i), calling fn(i, states, fresh) for each in
  // order. With more groups than the cache holds, each of a lookup's three reads (table slot,
  // key, states) misses: they are started for the keys a few lookups ahead, each stage reading
  // only what the stage before brought in.
  template <class KeyAt, class HashAt, class Fn>
  void FindEach(size_t n, KeyAt key, HashAt hash, Fn fn) {
    // How far ahead each stage runs: far enough for a miss to complete, near enough to stay cached.
    constexpr size_t kSlot = 24, kKey = 16, kStates = 8;
    for (size_t i = 0; i < n; ++i) {
      if (i + kSlot < n) PrefetchSlot(hash(i + kSlot));
      if (i + kKey < n) PrefetchKey(hash(i + kKey));
      if (i + kStates < n) PrefetchStates(hash(i + kStates));
      bool fresh;
      Acc* accs = Find(key(i), hash(i), &fresh);
      fn(i, accs, fresh);
    }
  }
  uint64_t hash(size_t g) const { return hashes_[g]; }
  size_t size() const { return offsets_.size(); }
  bool empty() const { return offsets_.empty(); }
  std::string_view key(size_t g) const {
    uint32_t len;
    std::memcpy(&len, arena_.data() + offsets_[g] + 4, 4);
    return std::string_view(arena_).substr(offsets_[g] + 8, len);
  }
  Acc* accs(size_t g) { return accs_.data() + g * nf_; }
  // The arena's offsets are 32 bits (with the memory cap far below): past that, fold by rows.
  bool full() const { return arena_.size() > (uint64_t{1} << 31); }

 private:
  // Prefetches: any of them may be stale or wrong (a hint). None is under a condition: GCC drops
  // a prefetch that is.
  void PrefetchSlot(uint64_t h) const { __builtin_prefetch(&table_[h & (table_.size() - 1)]); }
  void PrefetchKey(uint64_t h) const { __builtin_prefetch(Entry(h)); }
  void PrefetchStates(uint64_t h) const {
    uint32_t g;
    std::memcpy(&g, Entry(h), 4);
    __builtin_prefetch(accs_.data() + static_cast<size_t>(g) * nf_);
  }
  // The arena entry of the first slot h probes when its tag matches (the likeliest hit), else an
  // entry of group 0 that is no group's.
  const char* Entry(uint64_t h) const {
    static constexpr char kNone[8] = {};
    const uint64_t slot = table_[h & (table_.size() - 1)];
    const bool hit = slot != 0 && (slot & ~uint64_t{0xffffffff}) == (h & ~uint64_t{0xffffffff});
    return hit ? arena_.data() + (slot & 0xffffffff) - 1 : kNone;
  }
  void Grow() {
    table_.assign(std::max<size_t>(64, table_.size() * 2), 0);
    for (size_t g = 0; g < size(); ++g) {
      const uint64_t h = hashes_[g];
      size_t i = h & (table_.size() - 1);
      while (table_[i] != 0) i = (i + 1) & (table_.size() - 1);
      table_[i] = (h & ~uint64_t{0xffffffff}) | (offsets_[g] + 1);
    }
  }

  size_t nf_;
  std::vector<uint64_t> table_;  // never empty; per slot: the key hash's high half | arena offset + 1; 0: empty
  std::string arena_;            // per group: its number (4 bytes), key length (4), key
  std::vector<size_t> offsets_;  // group g's entry in arena_
  std::vector<uint64_t> hashes_; // group g's key's hash: growing and merging need not hash again
  std::vector<Acc> accs_;        // group g's states: [g * funcs, (g + 1) * funcs)
};

int64_t Bucket(int64_t t, int64_t step) {
  int64_t b = t / step * step;
  return (t < 0 && b != t) ? b - step : b;
}

// A `by` field's value as it goes into a group key: length first.
void AppendKeyPart(std::string_view value, std::string* key) {
  PutVarint64(key, value.size());
  key->append(value);
}

class StatsFold;

class StatsPart final : public RowFold::Part {
 public:
  explicit StatsPart(StatsFold* fold);
  bool Add(const RowView& row) override;
  bool AddBlock(BlockView& block) override;
  Groups& groups() { return groups_; }

 private:
  // Adds one row's value of f's field (nullopt: the row lacks it) to a; `number` is its
  // numeric value when the caller already knows it (an integer column).
  void AddValue(const FuncSpec& f, std::optional<std::string_view> v, const double* number, int64_t time, Acc* a);
  // Counts by keys that are the same in every row of the block: no row is read.
  bool AddConstantBlock(BlockView& block);
  // Any block, column by column: rows are grouped within the block by their keys' codes or
  // values, and each group of the block is merged into the part once.
  bool AddBlockByColumns(BlockView& block);
  // The states of key's group, added when new.
  Acc* Group(std::string_view key) { return Group(key, Groups::Hash(key)); }
  Acc* Group(std::string_view key, uint64_t hash);
  // Counts rows by _time bucket alone: a bucket's rows are a run of the ascending times, whose
  // end a binary search finds. False when the times are not ascending.
  bool CountByBuckets(BlockView& block, int64_t step);
  // Counts a new group's memory: its key, its arena and table entries and hash, its states.
  void AddedGroup(size_t key_size) { bytes_ += key_size + 24 + spec_.funcs.size() * sizeof(Acc); }
  // Counts rows by a key of nearly unique strings, each row straight to its group.
  void CountByStrings(const TypedColumn& col);
  // Looks up the keys that make_key(i, &key) writes for i in [0, n) and calls fn(i, states) for
  // each, in order: the keys are made and hashed first, so their groups can be prefetched.
  template <class MakeKey, class Fn>
  void ForEachGroup(size_t n, MakeKey make_key, Fn fn);

  StatsFold* fold_;
  const StatsSpec& spec_;
  Groups groups_;
  std::string key_;  // reused for every row
  // ForEachGroup's keys (one after another), their ends and hashes: reused for every block.
  std::string batch_keys_;
  std::vector<size_t> batch_ends_;
  std::vector<uint64_t> batch_hashes_;
  size_t bytes_ = 0;
};

class StatsFold final : public Fold {
 public:
  StatsFold(const StatsSpec& spec, const PipeContext& ctx) : spec_(spec), ctx_(ctx), groups_(spec.funcs.size()) {}
  const StatsSpec& spec() const { return spec_; }

  std::unique_ptr<Part> NewPart() override { return std::make_unique<StatsPart>(this); }
  void Merge(std::unique_ptr<Part> part) override {
    Groups& from = static_cast<StatsPart&>(*part).groups();
    if (groups_.empty()) {
      groups_ = std::move(from);
      return;
    }
    const size_t nf = spec_.funcs.size();
    groups_.FindEach(
        from.size(), [&](size_t g) { return from.key(g); }, [&](size_t g) { return from.hash(g); },
        [&](size_t g, Acc* to, bool) {
          for (size_t i = 0; i < nf; ++i) to[i].Merge(std::move(from.accs(g)[i]));
        });
  }
  // A part outgrew the memory allowed: say why (in the query's error, like every pipe), and stop.
  // Parts run on several scan threads at once, hence the lock.
  bool Fail(size_t bytes) {
    std::lock_guard lock(mu_);
    if (ctx_.error && ctx_.error->ok())
      *ctx_.error = Status::ResourceExhausted("the groups of 'stats', 'top' or 'uniq' need more than " +
                                              std::to_string(ctx_.max_memory_bytes >> 20) +
                                              " MiB (the server's --max-query-memory); group by fewer or coarser fields (" +
                                              std::to_string(bytes >> 20) + " MiB so far)");
    return false;
  }
  size_t max_bytes() const { return ctx_.max_memory_bytes; }
  void Emit(PipeProcessor* next) override;

 private:
  std::string Result(const FuncSpec& f, Acc& a) const;

  const StatsSpec& spec_;
  PipeContext ctx_;
  Groups groups_;
  std::mutex mu_;
};

StatsPart::StatsPart(StatsFold* fold) : fold_(fold), spec_(fold->spec()), groups_(spec_.funcs.size()) {}

bool StatsPart::Add(const RowView& row) {
  // The key: for each `by` field its value, length first; for a _time bucket its start.
  key_.clear();
  for (const auto& k : spec_.keys) {
    if (k.step > 0) {
      PutFixed64(&key_, static_cast<uint64_t>(Bucket(row.time(), k.step)));
      continue;
    }
    AppendKeyPart(row.Find(k.field).value_or(""), &key_);
  }
  Acc* accs = Group(key_);
  for (size_t i = 0; i < spec_.funcs.size(); ++i) {
    const FuncSpec& f = spec_.funcs[i];
    AddValue(f, f.field.empty() ? std::nullopt : row.Find(f.field), nullptr, row.time(), &accs[i]);
  }
  if ((fold_->max_bytes() && bytes_ > fold_->max_bytes()) || groups_.full()) return fold_->Fail(bytes_);
  return true;
}

Acc* StatsPart::Group(std::string_view key, uint64_t hash) {
  bool fresh;
  Acc* accs = groups_.Find(key, hash, &fresh);
  if (fresh) AddedGroup(key.size());
  return accs;
}

bool StatsPart::AddBlock(BlockView& block) {
  if (AddConstantBlock(block) || AddBlockByColumns(block)) {
    if ((fold_->max_bytes() && bytes_ > fold_->max_bytes()) || groups_.full()) return fold_->Fail(bytes_);
    return true;
  }
  return false;
}

bool StatsPart::AddConstantBlock(BlockView& block) {
  // Only counts, by keys that are the same for every row of the block.
  for (const auto& f : spec_.funcs)
    if (f.func != Func::kCount) return false;
  key_.clear();
  for (const auto& k : spec_.keys) {
    if (k.step > 0) {
      int64_t b = Bucket(block.min_time(), k.step);
      if (b != Bucket(block.max_time(), k.step)) return false;
      PutFixed64(&key_, static_cast<uint64_t>(b));
      continue;
    }
    auto v = block.Constant(k.field);
    if (!v) return false;
    AppendKeyPart(v->value_or(""), &key_);
  }
  std::vector<uint64_t> counts;
  for (const auto& f : spec_.funcs) {
    if (f.field.empty()) {
      counts.push_back(block.rows());
      continue;
    }
    auto v = block.Constant(f.field);
    if (!v) return false;
    counts.push_back(v->has_value() ? block.rows() : 0);
  }
  Acc* accs = Group(key_);
  for (size_t i = 0; i < counts.size(); ++i) accs[i].count += counts[i];
  return true;
}

void StatsPart::AddValue(const FuncSpec& f, std::optional<std::string_view> v, const double* known, int64_t time,
                         Acc* a) {
  if (f.func == Func::kRate) {
    a->first = std::min(a->first, time);
    a->last = std::max(a->last, time);
  }
  if (f.field.empty()) {
    ++a->count;
    return;
  }
  if (!v) return;
  ++a->count;
  if (f.func == Func::kCount) return;
  if (f.func == Func::kCountUniq) {
    if (a->X().uniq.emplace(*v).second) bytes_ += v->size() + 48;
    return;
  }
  double x = known ? *known : 0;
  const bool number = known != nullptr || ParseNumberText(*v, &x);
  if (f.func == Func::kMin || f.func == Func::kMax) {
    if (!number) a->text = true;
    Acc::Extra& x = a->X();
    if (a->count == 1 || *v < x.tmin) x.tmin = *v;
    if (a->count == 1 || *v > x.tmax) x.tmax = *v;
  }
  if (!number) return;
  a->sum += x;
  a->min = std::min(a->min, x);
  a->max = std::max(a->max, x);
  if (f.func == Func::kMedian || f.func == Func::kQuantile) {
    a->X().values.push_back(x);
    bytes_ += sizeof(double);
  }
}

// Numbers the distinct keys met in one block 0, 1, 2, ... in order of first appearance: open
// addressing over a table of ids, so a row costs one hash and (mostly) one comparison.
template <class K>
class LocalIds {
 public:
  uint32_t Id(K key) {
    if ((keys_.size() + 1) * 2 > table_.size()) Grow();
    const size_t h = Hash(key);
    size_t i = h & (table_.size() - 1);
    while (table_[i] != kEmpty) {
      if (keys_[table_[i]] == key) return table_[i];
      i = (i + 1) & (table_.size() - 1);
    }
    table_[i] = static_cast<uint32_t>(keys_.size());
    keys_.push_back(key);
    hashes_.push_back(h);
    return table_[i];
  }
  const std::vector<K>& keys() const { return keys_; }
  // Room for n keys without growing on the way.
  void Reserve(size_t n) {
    while (table_.size() < 2 * n) Grow();
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static size_t Hash(K key) {
    if constexpr (std::is_integral_v<K>) return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> 17);
    else return XXH3_64bits(key.data(), key.size());
  }
  void Grow() {
    std::vector<uint32_t> old = std::move(table_);
    table_.assign(std::max<size_t>(64, old.size() * 2), kEmpty);
    for (uint32_t id : old) {
      if (id == kEmpty) continue;
      size_t i = hashes_[id] & (table_.size() - 1);
      while (table_[i] != kEmpty) i = (i + 1) & (table_.size() - 1);
      table_[i] = id;
    }
  }
  std::vector<uint32_t> table_;
  std::vector<K> keys_;
  std::vector<size_t> hashes_;  // per id: growing need not hash again
};

// One `by` key over the rows of a block: each row's id, and what each id stands for, from which
// its part of the group key (as StatsPart::Add writes it) is made only for the groups merged.
struct KeyColumn {
  std::vector<uint32_t> ids;  // per row; empty when every row has id 0 (or when `direct`)
  // Strings mostly distinct (more than 160 of the first 256 rows; measured on the access log's
  // paths, ~70% distinct in its ~950-row blocks: 16% less CPU for `top 10 by (path)` looked up
  // directly), when the caller allowed it: numbering them within the block would hash most
  // values twice, so the caller looks each row up in its groups itself.
  const TypedColumn* direct = nullptr;
  int64_t base = 0, step = 0;           // a _time bucket: id i is base + i * step
  std::vector<int64_t> ints;            // an integer column: id i is ints[i]
  std::vector<std::string_view> views;  // otherwise: id i is views[i] (the last id: absent, "")
  size_t span = 0;                      // a _time bucket: the number of buckets
  // The number of ids.
  size_t size() const { return step ? span : !ints.empty() ? ints.size() + 1 : views.size(); }

  void AppendPart(uint32_t id, std::string* key) const {
    if (step) return PutFixed64(key, static_cast<uint64_t>(base + static_cast<int64_t>(id) * step));
    if (!ints.empty()) {
      if (id == ints.size()) return PutVarint64(key, 0);  // absent
      char buf[24];
      auto res = std::to_chars(buf, buf + sizeof(buf), ints[id]);
      return AppendKeyPart(std::string_view(buf, static_cast<size_t>(res.ptr - buf)), key);
    }
    AppendKeyPart(views[id], key);
  }
};

// Reads the key column; false when the block is better folded row by row.
bool ReadKeyColumn(BlockView& block, const GroupKey& k, bool allow_direct, KeyColumn* out) {
  const size_t rows = block.rows();
  *out = KeyColumn();
  if (k.step > 0) {
    const std::vector<int64_t>& times = block.Times();
    if (times.size() != rows || rows == 0) return false;
    const int64_t base = Bucket(block.min_time(), k.step);
    const uint64_t span = static_cast<uint64_t>(Bucket(block.max_time(), k.step) - base) / static_cast<uint64_t>(k.step);
    if (span >= rows) return false;  // sparser than one row per bucket: rows are as good
    out->base = base;
    out->step = k.step;
    out->span = span + 1;
    out->ids.resize(rows);
    // Times are ascending in a block: divide only where a bucket starts.
    int64_t start = 0, end = 0;
    uint32_t id = 0;
    for (size_t r = 0; r < rows; ++r) {
      const int64_t t = times[r];
      if (t >= end || t < start) {
        start = Bucket(t, k.step);
        end = start + k.step;
        id = static_cast<uint32_t>(static_cast<uint64_t>(start - base) / static_cast<uint64_t>(k.step));
      }
      out->ids[r] = id;
    }
    return true;
  }
  if (k.field == "_stream") {
    auto v = block.Constant(k.field);
    if (!v) return false;
    out->views.push_back(v->value_or(""));
    return true;
  }
  const TypedColumn* col = block.Column(k.field);
  if (col == nullptr) {  // no row has it (or it could not be read: the scan reports that)
    out->views.push_back("");
    return true;
  }
  out->ids.resize(rows);
  constexpr uint32_t kAbsent = UINT32_MAX;
  switch (col->kind) {
    case TypedColumn::Kind::kDict:
      for (size_t r = 0; r < rows; ++r)
        out->ids[r] = col->codes[r] == TypedColumn::kAbsent ? static_cast<uint32_t>(col->dict.size()) : col->codes[r];
      out->views = col->dict;
      out->views.push_back("");
      return true;
    case TypedColumn::Kind::kInt: {
      auto present = [&](size_t r) { return col->present.empty() || col->present[r]; };
      uint64_t lo = UINT64_MAX, hi = 0;  // of the present values, offset so that order holds
      for (size_t r = 0; r < rows; ++r) {
        if (!present(r)) continue;
        const uint64_t v = static_cast<uint64_t>(col->ints[r]) ^ (uint64_t{1} << 63);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      if (lo <= hi && hi - lo < 4096) {
        // A small range (status codes): ids through a table indexed by value, without hashing.
        std::vector<uint32_t> id_of(hi - lo + 1, kAbsent);
        for (size_t r = 0; r < rows; ++r) {
          if (!present(r)) {
            out->ids[r] = kAbsent;
            continue;
          }
          uint32_t& id = id_of[(static_cast<uint64_t>(col->ints[r]) ^ (uint64_t{1} << 63)) - lo];
          if (id == kAbsent) {
            id = static_cast<uint32_t>(out->ints.size());
            out->ints.push_back(col->ints[r]);
          }
          out->ids[r] = id;
        }
      } else {
        LocalIds<int64_t> ids;
        for (size_t r = 0; r < rows; ++r) out->ids[r] = present(r) ? ids.Id(col->ints[r]) : kAbsent;
        out->ints = ids.keys();
      }
      if (out->ints.empty()) out->views.push_back("");  // every row lacks it
      break;
    }
    case TypedColumn::Kind::kStrings: {
      LocalIds<std::string_view> ids;
      if (allow_direct && rows >= 512) {
        for (size_t r = 0; r < 256; ++r)
          if (col->strings[r]) ids.Id(*col->strings[r]);
        if (ids.keys().size() > 160) {
          out->direct = col;
          out->ids.clear();
          return true;
        }
        // As many distinct values further on as in the first rows, at most: grown once.
        ids.Reserve(rows * ids.keys().size() / 256);
      }
      for (size_t r = 0; r < rows; ++r) out->ids[r] = col->strings[r] ? ids.Id(*col->strings[r]) : kAbsent;
      out->views = ids.keys();
      out->views.push_back("");
      break;
    }
  }
  const uint32_t absent = static_cast<uint32_t>(out->size() - 1);
  if (col->kind != TypedColumn::Kind::kInt || !col->present.empty()) {
    for (auto& id : out->ids) id = id == kAbsent ? absent : id;
  }
  return true;
}

// A function's field over the rows of a block.
struct ValueColumn {
  const TypedColumn* col = nullptr;  // nullptr: no row has it
  std::vector<double> dict_numbers;  // kDict: each entry's number
  std::vector<uint8_t> dict_is_number;
  char buf[24];

  void Prepare() {
    if (col == nullptr || col->kind != TypedColumn::Kind::kDict) return;
    dict_numbers.resize(col->dict.size());
    dict_is_number.resize(col->dict.size());
    for (size_t i = 0; i < col->dict.size(); ++i) dict_is_number[i] = ParseNumberText(col->dict[i], &dict_numbers[i]);
  }
  // Row r's value (nullopt: absent), and *number when it is known without parsing.
  std::optional<std::string_view> At(size_t r, bool need_text, const double** number, double* slot) {
    *number = nullptr;
    if (col == nullptr) return std::nullopt;
    switch (col->kind) {
      case TypedColumn::Kind::kDict: {
        const uint16_t c = col->codes[r];
        if (c == TypedColumn::kAbsent) return std::nullopt;
        if (dict_is_number[c]) *number = &dict_numbers[c];
        return col->dict[c];
      }
      case TypedColumn::Kind::kInt: {
        if (!col->present.empty() && !col->present[r]) return std::nullopt;
        *slot = static_cast<double>(col->ints[r]);
        *number = slot;
        if (!need_text) return std::string_view();
        auto res = std::to_chars(buf, buf + sizeof(buf), col->ints[r]);
        return std::string_view(buf, static_cast<size_t>(res.ptr - buf));
      }
      case TypedColumn::Kind::kStrings:
        return col->strings[r];
    }
    return std::nullopt;
  }
};

bool StatsPart::CountByBuckets(BlockView& block, int64_t step) {
  const std::vector<int64_t>& times = block.Times();
  if (times.size() != block.rows() || !std::is_sorted(times.begin(), times.end())) return false;
  for (auto at = times.begin(); at != times.end();) {
    const int64_t start = Bucket(*at, step);
    auto end = start > INT64_MAX - step ? times.end() : std::lower_bound(at, times.end(), start + step);
    key_.clear();
    PutFixed64(&key_, static_cast<uint64_t>(start));
    Acc* accs = Group(key_);
    for (size_t i = 0; i < spec_.funcs.size(); ++i) accs[i].count += static_cast<uint64_t>(end - at);
    at = end;
  }
  return true;
}

template <class MakeKey, class Fn>
void StatsPart::ForEachGroup(size_t n, MakeKey make_key, Fn fn) {
  batch_keys_.clear();
  batch_ends_.resize(n);
  batch_hashes_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t start = batch_keys_.size();
    make_key(i, &batch_keys_);
    batch_ends_[i] = batch_keys_.size();
    batch_hashes_[i] = Groups::Hash(std::string_view(batch_keys_).substr(start));
  }
  groups_.FindEach(
      n,
      [&](size_t i) {
        const size_t start = i ? batch_ends_[i - 1] : 0;
        return std::string_view(batch_keys_).substr(start, batch_ends_[i] - start);
      },
      [&](size_t i) { return batch_hashes_[i]; },
      [&](size_t i, Acc* accs, bool fresh) {
        if (fresh) AddedGroup(batch_ends_[i] - (i ? batch_ends_[i - 1] : 0));
        fn(i, accs);
      });
}

void StatsPart::CountByStrings(const TypedColumn& col) {
  ForEachGroup(
      col.strings.size(), [&](size_t r, std::string* key) { AppendKeyPart(col.strings[r].value_or(""), key); },
      [&](size_t, Acc* accs) {
        for (size_t i = 0; i < spec_.funcs.size(); ++i) ++accs[i].count;
      });
}

bool StatsPart::AddBlockByColumns(BlockView& block) {
  const size_t rows = block.rows();
  if (rows == 0) return true;
  for (const auto& f : spec_.funcs)
    if (f.func == Func::kCountUniq) return false;  // its set of strings gains nothing from columns
  // The block's groups: each row's id of each key, combined into one number, then numbered.
  bool only_counts = true;
  for (const auto& f : spec_.funcs) only_counts = only_counts && f.field.empty() && f.func == Func::kCount;
  if (only_counts && spec_.keys.size() == 1 && spec_.keys[0].step > 0) return CountByBuckets(block, spec_.keys[0].step);
  std::vector<KeyColumn> keys(spec_.keys.size());
  uint64_t combos = 1;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!ReadKeyColumn(block, spec_.keys[k], only_counts && keys.size() == 1, &keys[k])) return false;
    if (keys[k].direct) {
      CountByStrings(*keys[k].direct);
      return true;
    }
    combos *= keys[k].size();
    if (combos > (uint64_t{1} << 40)) return false;
  }
  // Each row's group in the block; with no key that varies in it, every row is in group 0.
  std::vector<uint32_t> group;
  std::vector<uint64_t> combo_of{0};  // per group: its combined id
  const bool varies = std::any_of(keys.begin(), keys.end(), [](const KeyColumn& kc) { return !kc.ids.empty(); });
  if (varies && keys.size() == 1) {
    group = std::move(keys[0].ids);
    keys[0].ids.clear();
    combo_of.resize(keys[0].size());
    for (size_t i = 0; i < combo_of.size(); ++i) combo_of[i] = i;
  } else if (varies) {
    LocalIds<uint64_t> ids;
    std::vector<uint64_t> combined(rows, 0);
    uint64_t mult = 1;
    for (const auto& kc : keys) {
      if (!kc.ids.empty())
        for (size_t r = 0; r < rows; ++r) combined[r] += kc.ids[r] * mult;
      mult *= kc.size();
    }
    group.resize(rows);
    for (size_t r = 0; r < rows; ++r) group[r] = ids.Id(combined[r]);
    combo_of = ids.keys();
  }
  auto group_of = [&](size_t r) -> uint32_t { return group.empty() ? 0 : group[r]; };
  const size_t groups = combo_of.size();
  const size_t nf = spec_.funcs.size();
  std::vector<uint64_t> counts(groups, 0);  // rows per group: ids of values no row has are skipped
  if (group.empty()) {
    counts[0] = rows;
  } else if (groups <= 1024) {
    // Four counters per group, taken in turn: runs of one value (most rows have status 200) do
    // not wait on the increment before.
    std::vector<uint32_t> four(4 * groups, 0);
    size_t r = 0;
    for (; r + 4 <= group.size(); r += 4) {
      ++four[4 * group[r]];
      ++four[4 * group[r + 1] + 1];
      ++four[4 * group[r + 2] + 2];
      ++four[4 * group[r + 3] + 3];
    }
    for (; r < group.size(); ++r) ++four[4 * group[r]];
    for (size_t g = 0; g < groups; ++g) counts[g] = four[4 * g] + four[4 * g + 1] + four[4 * g + 2] + four[4 * g + 3];
  } else {
    for (uint32_t g : group) ++counts[g];
  }
  std::vector<Acc> local;  // the functions' states per group of the block, unless counts say it all
  if (!only_counts) {
    local.resize(groups * nf);
    const std::vector<int64_t>* times = nullptr;
    for (const auto& f : spec_.funcs)
      if (f.func == Func::kRate) {
        times = &block.Times();
        if (times->size() != rows) return false;
      }
    for (size_t i = 0; i < nf; ++i) {
      const FuncSpec& f = spec_.funcs[i];
      ValueColumn vc;
      if (!f.field.empty()) {
        vc.col = block.Column(f.field);
        vc.Prepare();
      }
      const bool need_text = f.func == Func::kMin || f.func == Func::kMax;
      double slot;
      for (size_t r = 0; r < rows; ++r) {
        const double* number = nullptr;
        std::optional<std::string_view> v = f.field.empty() ? std::nullopt : vc.At(r, need_text, &number, &slot);
        AddValue(f, v, number, times ? (*times)[r] : 0, &local[group_of(r) * nf + i]);
      }
    }
  }
  // Each of the block's groups into the part, by its full key.
  std::vector<uint32_t> seen;  // the groups with rows
  seen.reserve(groups);
  for (size_t g = 0; g < groups; ++g)
    if (counts[g] != 0) seen.push_back(static_cast<uint32_t>(g));
  ForEachGroup(
      seen.size(),
      [&](size_t j, std::string* key) {
        uint64_t c = combo_of[seen[j]];
        for (const auto& kc : keys) {
          kc.AppendPart(static_cast<uint32_t>(c % kc.size()), key);
          c /= kc.size();
        }
      },
      [&](size_t j, Acc* accs) {
        const size_t g = seen[j];
        if (only_counts) {
          for (size_t i = 0; i < nf; ++i) accs[i].count += counts[g];
        } else {
          for (size_t i = 0; i < nf; ++i) accs[i].Merge(std::move(local[g * nf + i]));
        }
      });
  return true;
}

std::string StatsFold::Result(const FuncSpec& f, Acc& a) const {
  switch (f.func) {
    case Func::kCount: return std::to_string(a.count);
    case Func::kCountUniq: return std::to_string(a.extra ? a.extra->uniq.size() : 0);
    case Func::kSum: return FormatNumber(a.sum);
    case Func::kAvg: return a.count ? FormatNumber(a.sum / static_cast<double>(a.count)) : "";
    case Func::kMin: return a.text ? a.X().tmin : a.count ? FormatNumber(a.min) : "";
    case Func::kMax: return a.text ? a.X().tmax : a.count ? FormatNumber(a.max) : "";
    case Func::kMedian:
    case Func::kQuantile: {
      if (!a.extra || a.extra->values.empty()) return "";
      auto& values = a.extra->values;
      // Nearest rank, as Prometheus' and VictoriaLogs' quantiles over samples.
      size_t k = static_cast<size_t>(std::ceil(f.q * static_cast<double>(values.size())));
      k = std::clamp<size_t>(k, 1, values.size()) - 1;
      std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
      return FormatNumber(values[k]);
    }
    case Func::kRate: {
      int64_t step = 0;
      for (const auto& k : spec_.keys) step = std::max(step, k.step);
      double seconds = step ? static_cast<double>(step) / 1e9 : static_cast<double>(a.last - a.first) / 1e9;
      return FormatNumber(seconds > 0 ? static_cast<double>(a.count) / seconds : static_cast<double>(a.count));
    }
  }
  return "";
}

void StatsFold::Emit(PipeProcessor* next) {
  // Decode the keys; order groups by them (time buckets as times), or by count for `top`.
  struct Out {
    std::vector<std::string> values;
    std::vector<int64_t> buckets;
    Acc* accs;
  };
  // For `top N`, decode only the groups that can be in the first N: those counted at least as
  // often as the N-th most frequent (ties at the edge are then ordered by value).
  std::vector<size_t> chosen(groups_.size());
  for (size_t g = 0; g < chosen.size(); ++g) chosen[g] = g;
  if (spec_.by_count && chosen.size() > spec_.max_groups && spec_.max_groups > 0) {
    std::vector<uint64_t> counts;
    counts.reserve(chosen.size());
    for (size_t g : chosen) counts.push_back(groups_.accs(g)[0].count);
    std::nth_element(counts.begin(), counts.begin() + static_cast<ptrdiff_t>(spec_.max_groups - 1), counts.end(),
                     std::greater<>());
    const uint64_t edge = counts[spec_.max_groups - 1];
    std::erase_if(chosen, [&](size_t g) { return groups_.accs(g)[0].count < edge; });
  }
  std::vector<Out> outs;
  outs.reserve(chosen.size());
  for (size_t g : chosen) {
    Out o{{}, {}, groups_.accs(g)};
    Decoder in(groups_.key(g));
    for (const auto& k : spec_.keys) {
      if (k.step > 0) {
        uint64_t b = 0;
        in.GetFixed64(&b);
        o.buckets.push_back(static_cast<int64_t>(b));
        o.values.push_back(FormatRfc3339Nano(static_cast<int64_t>(b)));
      } else {
        std::string v;
        in.GetLengthPrefixed(&v);
        o.values.push_back(std::move(v));
      }
    }
    outs.push_back(std::move(o));
  }
  auto by_key = [](const Out& a, const Out& b) {
    if (a.buckets != b.buckets) return a.buckets < b.buckets;
    return a.values < b.values;
  };
  if (spec_.by_count) {
    std::sort(outs.begin(), outs.end(), [&](const Out& a, const Out& b) {
      uint64_t x = a.accs[0].count, y = b.accs[0].count;
      return x != y ? x > y : by_key(a, b);
    });
  } else {
    std::sort(outs.begin(), outs.end(), by_key);
  }
  if (outs.size() > spec_.max_groups) outs.resize(spec_.max_groups);
  for (auto& o : outs) {
    Row row;
    for (size_t i = 0; i < spec_.keys.size(); ++i) row.fields.push_back({spec_.keys[i].field, std::move(o.values[i])});
    for (size_t i = 0; i < spec_.funcs.size(); ++i) row.fields.push_back({spec_.funcs[i].name, Result(spec_.funcs[i], o.accs[i])});
    if (!next->Push(std::move(row))) break;
  }
  groups_ = Groups(spec_.funcs.size());
  next->Finish();
}

class StatsPipe final : public Pipe {
 public:
  explicit StatsPipe(StatsSpec spec) : spec_(std::move(spec)) {}

  std::string ToString() const override {
    std::string s = "stats";
    if (!spec_.keys.empty()) {
      s += " by (";
      for (size_t i = 0; i < spec_.keys.size(); ++i)
        s += (i ? ", " : "") + spec_.keys[i].field + (spec_.keys[i].step ? ":" + std::to_string(spec_.keys[i].step) + "ns" : "");
      s += ")";
    }
    for (size_t i = 0; i < spec_.funcs.size(); ++i) s += (i ? ", " : " ") + spec_.funcs[i].name;
    return s;
  }
  bool NeedsAllRows() const override { return true; }
  Reads FieldsRead(std::vector<std::string>* fields) const override {
    for (const auto& k : spec_.keys)
      if (k.step == 0) fields->push_back(k.field);
    for (const auto& f : spec_.funcs)
      if (!f.field.empty()) fields->push_back(f.field);
    return Reads::kOnly;
  }
  std::unique_ptr<Fold> StartFold(const PipeContext& ctx) const override { return StartStatsFold(spec_, ctx); }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return FoldRows(StartFold(ctx), next);
  }

 private:
  StatsSpec spec_;
};

Result<std::vector<GroupKey>> ParseGroupKeys(PipeLexer& lex) {
  std::vector<GroupKey> keys;
  RETURN_IF_ERROR(lex.Expect("(", "by"));
  if (lex.Accept(")")) return keys;
  do {
    GroupKey k;
    ASSIGN_OR_RETURN(k.field, lex.ExpectName("a field name in 'by (...)'"));
    if (lex.Accept(":")) {
      if (k.field != "_time") return lex.Error("only _time can be bucketed, as _time:1m");
      PipeToken step = lex.Next();
      auto d = ParseDuration(step.text);
      if (!d.ok() || d.value() <= 0) return lex.ErrorAt(step, "expected a bucket size like 1m or 5s after '_time:'");
      k.step = d.value();
    }
    keys.push_back(std::move(k));
  } while (lex.Accept(","));
  RETURN_IF_ERROR(lex.Expect(")", "by (" + keys.back().field));
  return keys;
}

Result<FuncSpec> ParseFunc(PipeLexer& lex) {
  static const std::map<std::string, Func> kFuncs = {
      {"count", Func::kCount}, {"count_uniq", Func::kCountUniq}, {"sum", Func::kSum},   {"avg", Func::kAvg},
      {"min", Func::kMin},     {"max", Func::kMax},              {"median", Func::kMedian},
      {"quantile", Func::kQuantile}, {"rate", Func::kRate}};
  const PipeToken name = lex.Peek();
  auto it = name.kind == PipeToken::kName ? kFuncs.find(name.text) : kFuncs.end();
  if (it == kFuncs.end())
    return lex.Error("expected a stats function: count, count_uniq, sum, avg, min, max, median, quantile or rate");
  lex.Next();
  FuncSpec f;
  f.func = it->second;
  RETURN_IF_ERROR(lex.Expect("(", name.text));
  std::string text = name.text + "(";
  if (f.func == Func::kQuantile) {
    PipeToken q = lex.Next();
    if (!ParseNumberText(q.text, &f.q) || f.q < 0 || f.q > 1) return lex.ErrorAt(q, "expected a quantile from 0 to 1");
    RETURN_IF_ERROR(lex.Expect(",", "quantile(" + q.text));
    text += q.text + ", ";
  }
  if (f.func == Func::kMedian) f.q = 0.5;
  const bool takes_none = f.func == Func::kRate;
  const bool field_optional = f.func == Func::kCount;
  if (!takes_none && !(field_optional && lex.Peek().text == ")")) {
    if (field_optional && lex.Accept("*")) {
      text += "*";
    } else {
      ASSIGN_OR_RETURN(f.field, lex.ExpectName("a field name in " + name.text + "()"));
      text += f.field;
    }
  }
  RETURN_IF_ERROR(lex.Expect(")", text));
  f.name = text + ")";
  if (lex.Accept("as")) {
    ASSIGN_OR_RETURN(f.name, lex.ExpectName("a result name after 'as'"));
  }
  return f;
}

}  // namespace

std::unique_ptr<Fold> StartStatsFold(const StatsSpec& spec, const PipeContext& ctx) {
  return std::make_unique<StatsFold>(spec, ctx);
}

Result<std::unique_ptr<Pipe>> ParseStats(PipeLexer& lex) {
  StatsSpec spec;
  bool have_keys = false;
  if (lex.Accept("by")) {
    ASSIGN_OR_RETURN(spec.keys, ParseGroupKeys(lex));
    have_keys = true;
  }
  do {
    ASSIGN_OR_RETURN(FuncSpec f, ParseFunc(lex));
    spec.funcs.push_back(std::move(f));
  } while (lex.Accept(","));
  if (!have_keys && lex.Accept("by")) {
    ASSIGN_OR_RETURN(spec.keys, ParseGroupKeys(lex));
  }
  return std::unique_ptr<Pipe>(new StatsPipe(std::move(spec)));
}

}  // namespace sawlog::query::pipes
