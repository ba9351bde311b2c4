// `stats by (host, _time:1m) count() as hits, avg(duration), quantile(0.99, duration)`: one row per
// group with the functions' results. `by (...)` may also come after the functions.
//
// Each scan thread folds its rows into a part of its own (a hash map from the encoded group key
// to the functions' running state), reading values in place; the parts are merged at the end.
#include "query/pipes/stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

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

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
struct KeyEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
using Groups = std::unordered_map<std::string, std::vector<Acc>, KeyHash, KeyEq>;

int64_t Bucket(int64_t t, int64_t step) {
  int64_t b = t / step * step;
  return (t < 0 && b != t) ? b - step : b;
}

class StatsFold;

class StatsPart final : public RowFold::Part {
 public:
  explicit StatsPart(StatsFold* fold);
  bool Add(const RowView& row) override;
  bool AddBlock(BlockView& block) override;
  Groups& groups() { return groups_; }

 private:
  void AddValue(const FuncSpec& f, const RowView& row, Acc* a);

  StatsFold* fold_;
  const StatsSpec& spec_;
  Groups groups_;
  std::string key_;  // reused for every row
  size_t bytes_ = 0;
};

class StatsFold final : public Fold {
 public:
  StatsFold(const StatsSpec& spec, const PipeContext& ctx) : spec_(spec), ctx_(ctx) {}
  const StatsSpec& spec() const { return spec_; }

  std::unique_ptr<Part> NewPart() override { return std::make_unique<StatsPart>(this); }
  void Merge(std::unique_ptr<Part> part) override {
    Groups& from = static_cast<StatsPart&>(*part).groups();
    if (groups_.empty()) {
      groups_ = std::move(from);
      return;
    }
    for (auto& [key, accs] : from) {
      auto [it, fresh] = groups_.try_emplace(key);
      if (fresh) {
        it->second = std::move(accs);
        continue;
      }
      for (size_t i = 0; i < accs.size(); ++i) it->second[i].Merge(std::move(accs[i]));
    }
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

StatsPart::StatsPart(StatsFold* fold) : fold_(fold), spec_(fold->spec()) {}

bool StatsPart::Add(const RowView& row) {
  // The key: for each `by` field its value, length first; for a _time bucket its start.
  key_.clear();
  for (const auto& k : spec_.keys) {
    if (k.step > 0) {
      PutFixed64(&key_, static_cast<uint64_t>(Bucket(row.time(), k.step)));
      continue;
    }
    std::string_view v = row.Find(k.field).value_or("");
    PutVarint64(&key_, v.size());
    key_.append(v);
  }
  auto it = groups_.find(std::string_view(key_));
  if (it == groups_.end()) {
    it = groups_.emplace(key_, std::vector<Acc>(spec_.funcs.size())).first;
    bytes_ += key_.size() + 64 + spec_.funcs.size() * sizeof(Acc);
  }
  for (size_t i = 0; i < spec_.funcs.size(); ++i) AddValue(spec_.funcs[i], row, &it->second[i]);
  if (fold_->max_bytes() && bytes_ > fold_->max_bytes()) return fold_->Fail(bytes_);
  return true;
}

bool StatsPart::AddBlock(BlockView& block) {
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
    std::string_view value = v->value_or("");
    PutVarint64(&key_, value.size());
    key_.append(value);
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
  auto it = groups_.find(std::string_view(key_));
  if (it == groups_.end()) {
    it = groups_.emplace(key_, std::vector<Acc>(spec_.funcs.size())).first;
    bytes_ += key_.size() + 64 + spec_.funcs.size() * sizeof(Acc);
  }
  for (size_t i = 0; i < counts.size(); ++i) it->second[i].count += counts[i];
  return true;
}

void StatsPart::AddValue(const FuncSpec& f, const RowView& row, Acc* a) {
  if (f.func == Func::kRate) {
    a->first = std::min(a->first, row.time());
    a->last = std::max(a->last, row.time());
  }
  if (f.field.empty()) {
    ++a->count;
    return;
  }
  std::optional<std::string_view> v = row.Find(f.field);
  if (!v) return;
  ++a->count;
  if (f.func == Func::kCount) return;
  if (f.func == Func::kCountUniq) {
    if (a->X().uniq.emplace(*v).second) bytes_ += v->size() + 48;
    return;
  }
  double x;
  const bool number = ParseNumberText(*v, &x);
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
    std::vector<Acc>* accs;
  };
  // For `top N`, decode only the groups that can be in the first N: those counted at least as
  // often as the N-th most frequent (ties at the edge are then ordered by value).
  std::vector<Groups::value_type*> chosen;
  chosen.reserve(groups_.size());
  for (auto& g : groups_) chosen.push_back(&g);
  if (spec_.by_count && chosen.size() > spec_.max_groups && spec_.max_groups > 0) {
    std::vector<uint64_t> counts;
    counts.reserve(chosen.size());
    for (auto* g : chosen) counts.push_back(g->second[0].count);
    std::nth_element(counts.begin(), counts.begin() + static_cast<ptrdiff_t>(spec_.max_groups - 1), counts.end(),
                     std::greater<>());
    const uint64_t edge = counts[spec_.max_groups - 1];
    std::erase_if(chosen, [&](auto* g) { return g->second[0].count < edge; });
  }
  std::vector<Out> outs;
  outs.reserve(chosen.size());
  for (auto* g : chosen) {
    auto& [key, accs] = *g;
    Out o{{}, {}, &accs};
    Decoder in(key);
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
      uint64_t x = (*a.accs)[0].count, y = (*b.accs)[0].count;
      return x != y ? x > y : by_key(a, b);
    });
  } else {
    std::sort(outs.begin(), outs.end(), by_key);
  }
  if (outs.size() > spec_.max_groups) outs.resize(spec_.max_groups);
  for (auto& o : outs) {
    Row row;
    for (size_t i = 0; i < spec_.keys.size(); ++i) row.fields.push_back({spec_.keys[i].field, std::move(o.values[i])});
    for (size_t i = 0; i < spec_.funcs.size(); ++i) row.fields.push_back({spec_.funcs[i].name, Result(spec_.funcs[i], (*o.accs)[i])});
    if (!next->Push(std::move(row))) break;
  }
  groups_.clear();
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
