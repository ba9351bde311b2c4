#include "server/tail.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "query/query.h"

namespace sawlog {

namespace {

// Lines waiting for a slow client past this many are dropped (and counted): a tail must never
// hold up ingestion or grow without bound.
constexpr size_t kMaxQueued = 10000;
constexpr auto kFlushEvery = std::chrono::milliseconds(250);
constexpr auto kKeepAliveEvery = std::chrono::seconds(15);

class Tail final : public AppendListener {
 public:
  Tail(Store* store, std::string tenant, query::ParsedQuery query)
      : store_(store), tenant_(std::move(tenant)), query_(std::move(query)), matcher_(query_.filter.get()) {
    store_->Subscribe(this);
  }
  ~Tail() override { store_->Unsubscribe(this); }

  void OnAppend(std::string_view tenant, const std::vector<Event>& events) override {
    if (tenant != tenant_) return;
    std::lock_guard lock(mu_);
    for (const auto& e : events) {
      if (!matcher_.Matches(e)) continue;
      if (queue_.size() >= kMaxQueued) {
        ++dropped_;
        continue;
      }
      std::string line = "data: ";
      query::Row::FromEvent(e).AppendJson(&line);
      line += "\n\n";
      queue_.push_back(std::move(line));
    }
    if (!queue_.empty()) ready_.notify_one();
  }

  // The next piece of the stream: what arrived within the next quarter second, or a keep-alive
  // comment after a quiet spell.
  bool Next(std::string* chunk) {
    std::unique_lock lock(mu_);
    if (queue_.empty() && dropped_ == 0) ready_.wait_for(lock, kFlushEvery);
    if (dropped_ > 0) {
      *chunk += "event: dropped\ndata: {\"dropped\":" + std::to_string(dropped_) + "}\n\n";
      dropped_ = 0;
    }
    while (!queue_.empty()) {
      *chunk += queue_.front();
      queue_.pop_front();
    }
    const auto now = std::chrono::steady_clock::now();
    if (!chunk->empty()) last_sent_ = now;
    else if (now - last_sent_ >= kKeepAliveEvery) {
      *chunk = ": keep-alive\n\n";
      last_sent_ = now;
    }
    return true;
  }

 private:
  Store* store_;
  std::string tenant_;
  query::ParsedQuery query_;
  query::Matcher matcher_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  uint64_t dropped_ = 0;
  std::chrono::steady_clock::time_point last_sent_ = std::chrono::steady_clock::now();
};

}  // namespace

Result<HttpResponse> StartTail(Store* store, const std::string& tenant, const std::string& text, int64_t now_ns) {
  ASSIGN_OR_RETURN(query::ParsedQuery q, query::ParseQuery(text, now_ns));
  if (!q.pipes.empty()) return Status::InvalidArgument("pipes are not supported here; give a filter");
  auto tail = std::make_shared<Tail>(store, tenant, std::move(q));
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.body_stream = [tail](std::string* chunk) { return tail->Next(chunk); };
  return r;
}

}  // namespace sawlog
