// Api: the HTTP endpoints, as a function from request to response.
// Thread safety: Handle may run on many threads at once.
#pragma once

#include "server/http_types.h"
#include "store/store.h"

namespace sawlog {

class Api {
 public:
  Api(Store* store, Env* env, size_t max_query_memory_bytes, int64_t query_timeout_ns)
      : store_(store), env_(env), max_query_memory_bytes_(max_query_memory_bytes), query_timeout_ns_(query_timeout_ns) {}
  HttpResponse Handle(HttpRequest& request);

 private:
  HttpResponse Ingest(HttpRequest& request);
  // Runs the query of parameter q with `pipe` added to it.
  HttpResponse Query(const HttpRequest& request, const std::string& pipe);

  Store* store_;
  Env* env_;
  size_t max_query_memory_bytes_;
  int64_t query_timeout_ns_;
};

}  // namespace sawlog
