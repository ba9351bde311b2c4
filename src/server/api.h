// Api: the HTTP endpoints, as a function from request to response.
// Thread safety: Handle may run on many threads at once.
#pragma once

#include "server/http_types.h"
#include "store/store.h"

namespace sawlog {

namespace pipeline {
class Pipeline;
}

class Api {
 public:
  // native_pipeline (may be null: events are stored as decoded) must outlive the Api.
  Api(Store* store, Env* env, size_t max_query_memory_bytes, const pipeline::Pipeline* native_pipeline = nullptr)
      : store_(store), env_(env), max_query_memory_bytes_(max_query_memory_bytes), native_pipeline_(native_pipeline) {}
  HttpResponse Handle(HttpRequest& request);

 private:
  HttpResponse Ingest(HttpRequest& request);
  HttpResponse Query(const HttpRequest& request);

  Store* store_;
  Env* env_;
  size_t max_query_memory_bytes_;
  const pipeline::Pipeline* native_pipeline_;
};

}  // namespace sawlog
