#include "query/pipes/template.h"

namespace sawlog::query::pipes {

Result<Template> ParseTemplate(std::string_view text) {
  Template t;
  t.literals.emplace_back();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '<') {
      t.literals.back() += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '<') {
      t.literals.back() += '<';
      ++i;
      continue;
    }
    size_t close = text.find('>', i);
    if (close == std::string_view::npos)
      return Status::InvalidArgument("unclosed '<' at offset " + std::to_string(i) + " of the template");
    std::string name(text.substr(i + 1, close - i - 1));
    if (!t.placeholders.empty() && t.literals.back().empty())
      return Status::InvalidArgument("placeholders <" + t.placeholders.back() + "> and <" + name +
                                     "> need text between them to tell where one ends");
    t.placeholders.push_back(name == "_" ? "" : name);
    t.literals.emplace_back();
    i = close;
  }
  return t;
}

}  // namespace sawlog::query::pipes
