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
  Api(Store* store, Env* env, size_t max_query_memory_bytes, int64_t query_timeout_ns,
      const pipeline::Pipeline* native_pipeline = nullptr)
      : store_(store),
        env_(env),
        max_query_memory_bytes_(max_query_memory_bytes),
        query_timeout_ns_(query_timeout_ns),
        native_pipeline_(native_pipeline) {}
  HttpResponse Handle(HttpRequest& request);

 private:
  HttpResponse Ingest(HttpRequest& request);
  // Runs the query of parameter q with `pipe` added to it.
  HttpResponse Query(const HttpRequest& request, const std::string& pipe);

  Store* store_;
  Env* env_;
  size_t max_query_memory_bytes_;
  int64_t query_timeout_ns_;
  const pipeline::Pipeline* native_pipeline_;
};

}  // namespace sawlog
