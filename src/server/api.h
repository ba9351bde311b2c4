// Api: the HTTP endpoints, as a function from request to response.
// Thread safety: Handle may run on many threads at once.
#pragma once

#include "server/http_types.h"
#include "server/metrics.h"
#include "store/store.h"

namespace sawlog {

namespace pipeline {
struct Config;
}
class Receiver;

class Api {
 public:
  // pipelines (may be null: events are stored as decoded) says which receiver's events go
  // through which pipeline; it must outlive the Api.
  Api(Store* store, Env* env, size_t max_query_memory_bytes, int64_t query_timeout_ns,
      const pipeline::Config* pipelines = nullptr)
      : store_(store),
        env_(env),
        max_query_memory_bytes_(max_query_memory_bytes),
        query_timeout_ns_(query_timeout_ns),
        pipelines_(pipelines) {}
  HttpResponse Handle(HttpRequest& request);
  struct Delivered {
    size_t stored = 0;   // appended durably
    size_t dropped = 0;  // dropped by the receiver's pipeline (still acknowledged)
  };
  // Runs the pipeline configured for the receiver (if any) over the events and appends them to
  // the store, durable when this returns OK; counts them on /metrics. Every receiver's path.
  // Takes the events only when it succeeds: on an error they are left as they were (for a retry).
  Result<Delivered> Deliver(std::string_view receiver, std::string_view tenant, std::vector<Event>&& events,
                            int64_t now_ns);
  // Frames a socket receiver could not decode, for /metrics.
  void CountRejected(std::string_view receiver, size_t n);
  Metrics& metrics() { return metrics_; }

 private:
  HttpResponse Route(HttpRequest& request, std::string* handler);
  HttpResponse MetricsPage();
  // Events acknowledged through a receiver, for /metrics.
  void CountEvents(std::string_view receiver, size_t n);
  HttpResponse Ingest(HttpRequest& request);
  // A request for one of the receivers of src/ingest/receivers.cc.
  HttpResponse Receive(const Receiver& receiver, HttpRequest& request);
  // Runs the query of parameter q with `pipe` added to it.
  HttpResponse Query(const HttpRequest& request, const std::string& pipe);

  Store* store_;
  Env* env_;
  size_t max_query_memory_bytes_;
  int64_t query_timeout_ns_;
  const pipeline::Config* pipelines_;
  Metrics metrics_;
};

}  // namespace sawlog
