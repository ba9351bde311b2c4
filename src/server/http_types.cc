#include "server/http_types.h"

#include "core/json_writer.h"

namespace sawlog {

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

const std::string* HttpRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

HttpResponse HttpResponse::Error(const Status& status) {
  HttpResponse r;
  r.status = HttpStatus(status.code());
  r.body = ErrorJson(status) + "\n";
  if (status.code() == Code::kResourceExhausted || status.code() == Code::kUnavailable)
    r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace sawlog
