// The server's own view of an HTTP exchange, so that API handlers do not depend on Beast.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sawlog {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query string
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // Set when the client closes its connection before the answer: long handlers stop early.
  std::shared_ptr<const std::atomic<bool>> cancelled;

  // Empty when absent.
  std::string_view Header(std::string_view lower_name) const;
  const std::string* Param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is this generator's output instead, sent as it is made (chunked transfer
  // encoding): it runs on a worker thread, appending the next piece to *chunk, until it returns
  // false. A client that goes away stops it (it is destroyed, freeing what it holds).
  std::function<bool(std::string* chunk)> body_stream;

  // An error body ({"error":{"code","message"}}) with the status from the code table.
  static HttpResponse Error(const Status& status);
};

}  // namespace sawlog
