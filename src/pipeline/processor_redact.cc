// redact: masks what regular expressions match, with built-in rules for common secrets.
#include <re2/re2.h>

#include <algorithm>

#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"fields", OptionType::kList, false, "_msg", "the fields to mask in"},
    {"builtin", OptionType::kList, false, {}, "built-in rules: email, card_number, bearer_token, url_password"},
    {"patterns", OptionType::kRegexList, false, {},
     "RE2 expressions; the first capturing group is masked when there is one, else the whole match"},
    {"replacement", OptionType::kString, false, "[REDACTED]", "the text put in place of what is masked"},
};

// Payment card numbers: 13 to 19 digits with the Luhn checksum right, so order numbers, phone
// numbers and timestamps are left alone.
bool LuhnValid(std::string_view s) {
  int sum = 0, digits = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] < '0' || s[i] > '9') continue;
    int d = s[i] - '0';
    if (digits++ % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits >= 13 && digits <= 19 && sum % 10 == 0;
}

struct Builtin {
  std::string_view name;
  std::string_view pattern;
  bool (*valid)(std::string_view match);
};
// Applied in this order, whatever order the configuration names them in: a URL's
// `user:password@host` would otherwise be taken for an e-mail address and lose its host.
constexpr Builtin kBuiltins[] = {
    {"url_password", R"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]+:([^\s@/]+)@)", nullptr},
    {"email", R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})", nullptr},
    // Digits in groups split by single spaces or dashes, as people type them.
    {"card_number", R"(\b\d(?:[ -]?\d){12,18}\b)", LuhnValid},
    {"bearer_token", R"((?i)\bbearer\s+([A-Za-z0-9._~+/-]+=*))", nullptr},
};

struct Rule {
  std::unique_ptr<RE2> re;
  bool (*valid)(std::string_view match) = nullptr;
};

class RedactProcessor final : public Processor {
 public:
  RedactProcessor(std::vector<std::string> fields, std::vector<Rule> rules, std::string replacement)
      : fields_(std::move(fields)), rules_(std::move(rules)), replacement_(std::move(replacement)) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    std::string out;
    for (Record* r : records)
      for (const auto& name : fields_)
        if (std::string* v = GetMutableField(&r->event, name))
          for (const Rule& rule : rules_)
            if (Mask(rule, *v, &out)) v->swap(out);
  }

 private:
  // Writes text with every valid match masked to *out; false (out unspecified) when none is.
  bool Mask(const Rule& rule, const std::string& text, std::string* out) const {
    out->clear();
    re2::StringPiece groups[2];
    const int ngroups = rule.re->NumberOfCapturingGroups() > 0 ? 2 : 1;
    size_t pos = 0, copied = 0;
    bool any = false;
    while (pos <= text.size() &&
           rule.re->Match(text, pos, text.size(), RE2::UNANCHORED, groups, ngroups)) {
      std::string_view whole(groups[0].data(), groups[0].size());
      std::string_view masked(groups[ngroups - 1].data(), groups[ngroups - 1].size());
      size_t end = static_cast<size_t>(whole.data() - text.data()) + whole.size();
      // An empty match masks nothing: `x*` must not put a replacement between every byte.
      if (!masked.empty() && (rule.valid == nullptr || rule.valid(masked))) {
        size_t at = static_cast<size_t>(masked.data() - text.data());
        out->append(text, copied, at - copied);
        out->append(replacement_);
        copied = at + masked.size();
        any = true;
      }
      pos = whole.empty() ? end + 1 : end;  // an empty match must not loop
    }
    if (any) out->append(text, copied);
    return any;
  }

  const std::vector<std::string> fields_;
  const std::vector<Rule> rules_;
  const std::string replacement_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  std::vector<Rule> rules;
  const auto& names = o.List("builtin");
  for (const auto& name : names) {
    bool known = std::any_of(std::begin(kBuiltins), std::end(kBuiltins), [&](const Builtin& b) { return b.name == name; });
    if (!known)
      return o.Error("builtin", "unknown rule '" + name + "' (known: email, card_number, bearer_token, url_password)");
  }
  for (const Builtin& b : kBuiltins)
    if (std::find(names.begin(), names.end(), b.name) != names.end())
      rules.push_back({std::make_unique<RE2>(b.pattern), b.valid});
  for (const auto& pattern : o.List("patterns")) rules.push_back({std::make_unique<RE2>(pattern), nullptr});
  if (rules.empty()) return o.Error("needs 'builtin' rules, 'patterns' or both");
  for (const auto& name : o.List("fields")) RETURN_IF_ERROR(CheckWritableField(o, "fields", name));
  return std::unique_ptr<Processor>(
      std::make_unique<RedactProcessor>(o.List("fields"), std::move(rules), o.String("replacement")));
}

}  // namespace

const ProcessorType kRedactType{"redact", "masks secrets and personal data in fields", kOptions, Make};

}  // namespace sawlog::pipeline
