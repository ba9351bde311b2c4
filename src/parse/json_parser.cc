#include <simdjson.h>

#include <charconv>

#include "parse/parse.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {
// simdjson refuses documents larger than the capacity it was made with.
constexpr size_t kMaxJsonLineBytes = 4u << 20;

using namespace simdjson;

std::string_view ErrorReason(error_code e) {
  switch (e) {
    case UTF8_ERROR: return "invalid UTF-8";
    case TAPE_ERROR:
    case INCOMPLETE_ARRAY_OR_OBJECT: return "malformed JSON (unbalanced brackets or a missing value)";
    case UNCLOSED_STRING: return "malformed JSON (unterminated string)";
    case STRING_ERROR: return "malformed JSON (bad escape in a string)";
    case NUMBER_ERROR: return "malformed JSON (bad number)";
    case T_ATOM_ERROR:
    case F_ATOM_ERROR:
    case N_ATOM_ERROR: return "malformed JSON (bad literal)";
    case DEPTH_ERROR: return "JSON nested too deeply";
    case EMPTY: return "empty line";
    default: return error_message(e);
  }
}

Status Bad(error_code e) { return Status::InvalidArgument(std::string(ErrorReason(e))); }

// Every leaf repeats its dotted path, so a long key above many small values could make the fields
// far larger than the JSON (a 1 MiB key over 100,000 values: 100 GB). Real documents stay within a
// few times their size; the fields may take at most kFieldBytesPerJsonByte times it, plus a little.
constexpr size_t kFieldBytesPerJsonByte = 16;
constexpr size_t kFieldBytesSlack = 64u << 10;

struct Budget {
  size_t left;
  bool exceeded = false;
};

void Walk(dom::element value, std::string* name, std::vector<Field>* fields, Budget* budget);

void WalkObject(dom::object object, std::string* name, std::vector<Field>* fields, Budget* budget) {
  const size_t base = name->size();
  for (auto [key, value] : object) {
    if (base > 0) name->push_back('.');
    name->append(key);
    Walk(value, name, fields, budget);
    name->resize(base);
    if (budget->exceeded) return;
  }
}

void Push(std::string* name, std::string_view text, std::vector<Field>* fields, Budget* budget) {
  const size_t bytes = name->size() + text.size();
  if (bytes > budget->left) {
    budget->exceeded = true;
    return;
  }
  budget->left -= bytes;
  fields->push_back({*name, std::string(text)});
}

void Walk(dom::element value, std::string* name, std::vector<Field>* fields, Budget* budget) {
  char buf[32];
  switch (value.type()) {
    case dom::element_type::OBJECT:
      return WalkObject(value.get_object().value_unsafe(), name, fields, budget);
    case dom::element_type::ARRAY:
      return Push(name, minify(value), fields, budget);
    case dom::element_type::STRING:
      return Push(name, value.get_string().value_unsafe(), fields, budget);
    case dom::element_type::INT64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), value.get_int64().value_unsafe());
      return Push(name, std::string_view(buf, r.ptr - buf), fields, budget);
    }
    case dom::element_type::UINT64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), value.get_uint64().value_unsafe());
      return Push(name, std::string_view(buf, r.ptr - buf), fields, budget);
    }
    case dom::element_type::DOUBLE: {
      // The shortest text that reads back as the same double.
      auto r = std::to_chars(buf, buf + sizeof(buf), value.get_double().value_unsafe());
      return Push(name, std::string_view(buf, r.ptr - buf), fields, budget);
    }
    case dom::element_type::BOOL:
      return Push(name, value.get_bool().value_unsafe() ? "true" : "false", fields, budget);
    case dom::element_type::NULL_VALUE:
      return;
  }
}

}  // namespace

struct JsonParser::Impl {
  // The DOM parser dispatches at run time to the best SIMD kernels of the CPU (the On-Demand
  // front end would be compiled for the baseline x86-64 only).
  dom::parser parser{kMaxJsonLineBytes};
  std::string copy;
};

JsonParser::JsonParser() : impl_(std::make_unique<Impl>()) {}
JsonParser::~JsonParser() = default;

Status JsonParser::ParseObject(std::string_view json, size_t padding, std::vector<Field>* fields) {
  const char* data = json.data();
  if (padding < SIMDJSON_PADDING) {
    impl_->copy.assign(json);
    impl_->copy.append(SIMDJSON_PADDING, '\0');
    data = impl_->copy.data();
  }
  dom::element doc;
  if (auto e = impl_->parser.parse(data, json.size(), false).get(doc)) return Bad(e);
  if (doc.type() != dom::element_type::OBJECT) return Status::InvalidArgument("not a JSON object");
  std::string name;
  Budget budget{kFieldBytesPerJsonByte * json.size() + kFieldBytesSlack};
  WalkObject(doc.get_object().value_unsafe(), &name, fields, &budget);
  if (budget.exceeded)
    return Status::InvalidArgument("flattened fields exceed " + std::to_string(kFieldBytesPerJsonByte) +
                                   " times the JSON's size (long keys above many values)");
  return Status::Ok();
}

namespace {

// JsonParser behind the LineParser interface: fields only, as ParseObject makes them; what _msg
// and _time are is the caller's choice (the native endpoint's field parameters).
class JsonLineParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext&, ParsedLine* out) override {
    out->Clear();
    return parser_.ParseObject(line, 0, &out->fields);
  }

 private:
  JsonParser parser_;
};

}  // namespace

std::unique_ptr<LineParser> MakeJsonLineParser() { return std::make_unique<JsonLineParser>(); }

}  // namespace sawlog
