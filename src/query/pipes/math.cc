// `math bytes / 1024 as kib, (end - start) * 1000 as ms`: arithmetic on numeric fields (+ - * /
// %, parentheses, unary minus). A field that is missing or not a number makes the result empty,
// as does a division by zero. `-` and `/` need spaces around them after a field name (`a - b`;
// `a-b` is a field name).
#include <cmath>

#include "query/pipes/pipes.h"

namespace sawlog::query::pipes {

namespace {

struct Expr {
  enum Kind { kNumber, kField, kNeg, kAdd, kSub, kMul, kDiv, kMod } kind = kNumber;
  double number = 0;
  std::string field;
  std::unique_ptr<Expr> a, b;

  double Eval(const Row& row) const {
    switch (kind) {
      case kNumber: return number;
      case kField: {
        const std::string* v = row.Find(field);
        double x;
        return v && ParseNumberText(*v, &x) ? x : NAN;
      }
      case kNeg: return -a->Eval(row);
      case kAdd: return a->Eval(row) + b->Eval(row);
      case kSub: return a->Eval(row) - b->Eval(row);
      case kMul: return a->Eval(row) * b->Eval(row);
      case kDiv: {
        double d = b->Eval(row);
        return d == 0 ? NAN : a->Eval(row) / d;
      }
      case kMod: {
        double d = b->Eval(row);
        return d == 0 ? NAN : std::fmod(a->Eval(row), d);
      }
    }
    return NAN;
  }
  std::string ToString() const {
    static const char* ops[] = {"", "", "-", " + ", " - ", " * ", " / ", " % "};
    switch (kind) {
      case kNumber: return FormatNumber(number);
      case kField: return field;
      case kNeg: return "-" + a->ToString();
      default: return "(" + a->ToString() + ops[kind] + b->ToString() + ")";
    }
  }
};

class ExprParser {
 public:
  explicit ExprParser(PipeLexer& lex) : lex_(lex) {}
  Result<std::unique_ptr<Expr>> Sum() {
    ASSIGN_OR_RETURN(auto left, Product());
    while (true) {
      Expr::Kind k;
      if (IsOp("+")) k = Expr::kAdd;
      else if (IsOp("-")) k = Expr::kSub;
      else return left;
      lex_.Next();
      ASSIGN_OR_RETURN(auto right, Product());
      left = Binary(k, std::move(left), std::move(right));
    }
  }

 private:
  // '-' and '/' lex as names when they stand alone (they may be part of field names).
  bool IsOp(std::string_view op) const {
    const PipeToken& t = lex_.Peek();
    return t.kind != PipeToken::kString && t.text == op;
  }
  static std::unique_ptr<Expr> Binary(Expr::Kind k, std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
  }
  Result<std::unique_ptr<Expr>> Product() {
    ASSIGN_OR_RETURN(auto left, Factor());
    while (true) {
      Expr::Kind k;
      if (IsOp("*")) k = Expr::kMul;
      else if (IsOp("/")) k = Expr::kDiv;
      else if (IsOp("%")) k = Expr::kMod;
      else return left;
      lex_.Next();
      ASSIGN_OR_RETURN(auto right, Factor());
      left = Binary(k, std::move(left), std::move(right));
    }
  }
  Result<std::unique_ptr<Expr>> Factor() {
    auto e = std::make_unique<Expr>();
    if (IsOp("-")) {
      lex_.Next();
      e->kind = Expr::kNeg;
      ASSIGN_OR_RETURN(e->a, Factor());
      return e;
    }
    if (lex_.Accept("(")) {
      ASSIGN_OR_RETURN(auto inner, Sum());
      RETURN_IF_ERROR(lex_.Expect(")", "(" + inner->ToString()));
      return inner;
    }
    const PipeToken t = lex_.Peek();
    if (t.kind == PipeToken::kNumber) {
      if (!ParseNumberText(t.text, &e->number)) return lex_.Error("expected a number");
      lex_.Next();
      return e;
    }
    if ((t.kind == PipeToken::kName && t.text != "as") || t.kind == PipeToken::kString) {
      e->kind = Expr::kField;
      e->field = lex_.Next().text;
      return e;
    }
    return lex_.Error("expected a number, a field name or '(' in the expression");
  }
  PipeLexer& lex_;
};

class MathPipe final : public Pipe {
 public:
  explicit MathPipe(std::vector<std::pair<std::unique_ptr<Expr>, std::string>> exprs) : exprs_(std::move(exprs)) {}
  std::string ToString() const override {
    std::string s = "math ";
    for (size_t i = 0; i < exprs_.size(); ++i) s += (i ? ", " : "") + exprs_[i].first->ToString() + " as " + exprs_[i].second;
    return s;
  }
  std::unique_ptr<PipeProcessor> Start(PipeProcessor* next, const PipeContext&) const override {
    return Map(next, [this](Row& row) {
      for (const auto& [expr, name] : exprs_) {
        double v = expr->Eval(row);
        row.Set(name, std::isfinite(v) ? FormatNumber(v) : "");
      }
      return true;
    });
  }

 private:
  std::vector<std::pair<std::unique_ptr<Expr>, std::string>> exprs_;
};

}  // namespace

Result<std::unique_ptr<Pipe>> ParseMath(PipeLexer& lex) {
  std::vector<std::pair<std::unique_ptr<Expr>, std::string>> exprs;
  do {
    ExprParser p(lex);
    ASSIGN_OR_RETURN(auto e, p.Sum());
    RETURN_IF_ERROR(lex.Expect("as", "math " + e->ToString()));
    ASSIGN_OR_RETURN(std::string name, lex.ExpectName("the result's name after 'as'"));
    exprs.emplace_back(std::move(e), std::move(name));
  } while (lex.Accept(","));
  return std::unique_ptr<Pipe>(new MathPipe(std::move(exprs)));
}

}  // namespace sawlog::query::pipes
