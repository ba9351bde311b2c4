// `stats by (host, _time:1m) count() as hits, avg(duration), quantile(0.99, duration)`: one row per
// group with the functions' results. `by (...)` may also come after the functions.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "core/timestamp.h"
#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

enum class Func { kCount, kCountUniq, kSum, kAvg, kMin, kMax, kMedian, kQuantile, kRate };

struct FuncSpec {
  Func func;
  std::string field;  // empty: count() / rate() of rows
  double q = 0.5;     // quantile
  std::string name;   // the result's field name
};

struct GroupKey {
  std::string field;
  int64_t step = 0;  // _time:STEP buckets
};

// The running state of one function in one group.
struct Acc {
  uint64_t count = 0;
  double sum = 0;
  double min = INFINITY, max = -INFINITY;
  bool text = false;  // a value that is not a number was seen: min/max compare text
  std::string tmin, tmax;
  std::vector<double> values;            // median, quantile
  std::unordered_set<std::string> uniq;  // count_uniq
  int64_t first = INT64_MAX, last = INT64_MIN;

  size_t Bytes() const {
    size_t b = sizeof(Acc) + tmin.size() + tmax.size() + values.size() * sizeof(double);
    for (const auto& u : uniq) b += u.size() + 32;
    return b;
  }
};

class StatsPipe final : public Pipe {
 public:
  StatsPipe(std::vector<GroupKey> keys, std::vector<FuncSpec> funcs) : keys_(std::move(keys)), funcs_(std::move(funcs)) {}

  std::string ToString() const override {
    std::string s = "stats";
    if (!keys_.empty()) {
      s += " by (";
      for (size_t i = 0; i < keys_.size(); ++i)
        s += (i ? ", " : "") + keys_[i].field + (keys_[i].step ? ":" + std::to_string(keys_[i].step) + "ns" : "");
      s += ")";
    }
    for (size_t i = 0; i < funcs_.size(); ++i) s += (i ? ", " : " ") + funcs_[i].name;
    return s;
  }
  bool NeedsAllRows() const override { return true; }
  Reads FieldsRead(std::vector<std::string>* fields) const override {
    for (const auto& k : keys_)
      if (k.step == 0) fields->push_back(k.field);
    for (const auto& f : funcs_)
      if (!f.field.empty()) fields->push_back(f.field);
    return Reads::kOnly;
  }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext& ctx) const override {
    return std::make_unique<Processor>(next, *this, ctx);
  }

 private:
  class Processor final : public PipeProcessor {
   public:
    Processor(PipeProcessor* next, const StatsPipe& pipe, const PipeContext& ctx) : next_(next), pipe_(pipe), ctx_(ctx) {}

    bool Push(Row&& row) override {
      std::string key;
      for (const auto& k : pipe_.keys_) {
        if (k.step > 0) {
          int64_t b = row.time / k.step * k.step;
          if (row.time < 0 && b != row.time) b -= k.step;
          key += FormatRfc3339Nano(b);
        } else if (const std::string* v = row.Find(k.field)) {
          key += *v;
        }
        key.push_back('\0');
      }
      auto [it, fresh] = groups_.try_emplace(std::move(key));
      if (fresh) {
        it->second.resize(pipe_.funcs_.size());
        bytes_ += it->first.size() + 64 + pipe_.funcs_.size() * sizeof(Acc);
      }
      for (size_t i = 0; i < pipe_.funcs_.size(); ++i) Add(pipe_.funcs_[i], row, &it->second[i]);
      if (ctx_.max_memory_bytes && bytes_ > ctx_.max_memory_bytes) {
        if (ctx_.error && ctx_.error->ok())
          *ctx_.error = Status::ResourceExhausted("'stats' needs more than " + std::to_string(ctx_.max_memory_bytes >> 20) +
                                                  " MiB for its groups (the server's --max-query-memory); group by fewer or coarser fields");
        return false;
      }
      return true;
    }

    void Finish() override {
      for (auto& [key, accs] : groups_) {
        Row out;
        size_t start = 0;
        for (const auto& k : pipe_.keys_) {
          size_t end = key.find('\0', start);
          out.fields.push_back({k.field, key.substr(start, end - start)});
          start = end + 1;
        }
        for (size_t i = 0; i < pipe_.funcs_.size(); ++i)
          out.fields.push_back({pipe_.funcs_[i].name, Result(pipe_.funcs_[i], accs[i])});
        if (!next_->Push(std::move(out))) break;
      }
      groups_.clear();
      next_->Finish();
    }

   private:
    void Add(const FuncSpec& f, const Row& row, Acc* a) {
      a->first = std::min(a->first, row.time);
      a->last = std::max(a->last, row.time);
      if (f.field.empty()) {
        ++a->count;
        return;
      }
      const std::string* v = row.Find(f.field);
      if (v == nullptr) return;
      ++a->count;
      if (f.func == Func::kCountUniq) {
        if (a->uniq.insert(*v).second) bytes_ += v->size() + 32;
        return;
      }
      double x;
      const bool number = ParseNumber(*v, &x);
      if (f.func == Func::kMin || f.func == Func::kMax) {
        if (!number) a->text = true;
        if (a->count == 1 || *v < a->tmin) a->tmin = *v;
        if (a->count == 1 || *v > a->tmax) a->tmax = *v;
      }
      if (!number) return;
      a->sum += x;
      a->min = std::min(a->min, x);
      a->max = std::max(a->max, x);
      if (f.func == Func::kMedian || f.func == Func::kQuantile) {
        a->values.push_back(x);
        bytes_ += sizeof(double);
      }
    }

    std::string Result(const FuncSpec& f, Acc& a) const {
      switch (f.func) {
        case Func::kCount: return std::to_string(a.count);
        case Func::kCountUniq: return std::to_string(a.uniq.size());
        case Func::kSum: return FormatNumber(a.sum);
        case Func::kAvg: return a.count ? FormatNumber(a.sum / static_cast<double>(a.count)) : "";
        case Func::kMin: return a.text ? a.tmin : a.count ? FormatNumber(a.min) : "";
        case Func::kMax: return a.text ? a.tmax : a.count ? FormatNumber(a.max) : "";
        case Func::kMedian:
        case Func::kQuantile: {
          if (a.values.empty()) return "";
          // Nearest rank, as Prometheus' and VictoriaLogs' quantiles over samples.
          size_t k = static_cast<size_t>(std::ceil(f.q * static_cast<double>(a.values.size())));
          k = std::clamp<size_t>(k, 1, a.values.size()) - 1;
          std::nth_element(a.values.begin(), a.values.begin() + static_cast<ptrdiff_t>(k), a.values.end());
          return FormatNumber(a.values[k]);
        }
        case Func::kRate: {
          int64_t step = 0;
          for (const auto& k : pipe_.keys_) step = std::max(step, k.step);
          double seconds = step ? static_cast<double>(step) / 1e9
                                : static_cast<double>(a.last - a.first) / 1e9;
          return FormatNumber(seconds > 0 ? static_cast<double>(a.count) / seconds : static_cast<double>(a.count));
        }
      }
      return "";
    }

    PipeProcessor* next_;
    const StatsPipe& pipe_;
    PipeContext ctx_;
    std::map<std::string, std::vector<Acc>> groups_;  // ordered: time buckets come out in order
    size_t bytes_ = 0;
  };

  std::vector<GroupKey> keys_;
  std::vector<FuncSpec> funcs_;
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
    if (!ParseNumber(q.text, &f.q) || f.q < 0 || f.q > 1) return lex.ErrorAt(q, "expected a quantile from 0 to 1");
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

Result<std::unique_ptr<Pipe>> ParseStats(PipeLexer& lex) {
  std::vector<GroupKey> keys;
  bool have_keys = false;
  if (lex.Accept("by")) {
    ASSIGN_OR_RETURN(keys, ParseGroupKeys(lex));
    have_keys = true;
  }
  std::vector<FuncSpec> funcs;
  do {
    ASSIGN_OR_RETURN(FuncSpec f, ParseFunc(lex));
    funcs.push_back(std::move(f));
  } while (lex.Accept(","));
  if (!have_keys && lex.Accept("by")) {
    ASSIGN_OR_RETURN(keys, ParseGroupKeys(lex));
  }
  return std::unique_ptr<Pipe>(new StatsPipe(std::move(keys), std::move(funcs)));
}

}  // namespace sawlog::query::pipes
