// A small blocking HTTP/1.1 client for the command line tools (keep-alive, one connection).
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sawlog {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, when the server gave one
};

class HttpClient {
 public:
  // base_url: http://HOST:PORT. A Request not sent and answered within `io_timeout_seconds` fails
  // (Unavailable) instead of waiting forever; 0: no limit. Stream (a live tail) has none.
  static Result<std::unique_ptr<HttpClient>> Connect(const std::string& base_url, int io_timeout_seconds = 0);
  virtual ~HttpClient() = default;
  // Sends a request; reconnects once if the kept-alive connection was closed by the server.
  virtual Result<ClientResponse> Request(const std::string& method, const std::string& target,
                                         const std::vector<std::pair<std::string, std::string>>& headers,
                                         std::string body) = 0;
  // A GET whose body is read as it arrives: on_data gets each piece until the server ends the
  // response or on_data returns false. A status other than 200 is an error with the body.
  virtual Status Stream(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::function<bool(std::string_view)>& on_data) = 0;
};

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& s);

}  // namespace sawlog
