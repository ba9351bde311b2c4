// Api: the HTTP endpoints, as a function from request to response.
// Thread safety: Handle may run on many threads at once.
#pragma once

#include "server/http_types.h"
#include "store/store.h"

namespace sawlog {

class Api {
 public:
  explicit Api(Store* store, Env* env) : store_(store), env_(env) {}
  HttpResponse Handle(HttpRequest& request);

 private:
  HttpResponse Ingest(HttpRequest& request);
  HttpResponse Query(const HttpRequest& request);

  Store* store_;
  Env* env_;
};

}  // namespace sawlog
