#include "agent/agent.h"

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/checkpoints.h"
#include "agent/disk_buffer.h"
#include "agent/input.h"
#include "agent/shipment.h"
#include "core/log.h"

namespace sawlog::agent {

struct Agent::Impl {
  Env* env;
  AgentConfig config;
  HttpPost post;
  AgentCounters counters;
  std::unique_ptr<AgentState> state;
  std::unique_ptr<DiskBuffer> buffer;
  std::vector<std::unique_ptr<Input>> inputs;
  // Per input: records of a batch that the full buffer did not take yet, and the batch itself.
  struct Pending {
    std::vector<std::string> records;
    std::vector<uint64_t> events;
    InputBatch batch;
  };
  std::vector<Pending> pending;

  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> stop{false};

  Status ReadOnce(int64_t now, bool* more);
  Status Deliver(size_t i, InputBatch batch);
  Status AppendPending(size_t i, bool* appended);
  void Ship();
  // Sends one record until the server takes it, refuses it, or the agent stops. False on stop.
  bool Send(const Shipment& s);
  // Waits up to ns or until Stop.
  void Pause(int64_t ns) {
    std::unique_lock l(mu);
    cv.wait_for(l, std::chrono::nanoseconds(ns), [&] { return stop.load(); });
  }
  bool HasStdin() const {
    for (const auto& in : inputs)
      if (in->config().type == InputType::kStdin) return true;
    return false;
  }
  void LogStatus() const {
    LogInfo("agent: " + std::to_string(counters.events_read) + " events read, " + std::to_string(counters.events_dropped) +
            " dropped by pipelines, " + std::to_string(counters.events_sent) + " acknowledged by the server, " +
            std::to_string(counters.events_rejected) + " rejected as bad data, " + std::to_string(buffer->unsent_records()) +
            " batches (" + std::to_string(buffer->unsent_bytes()) + " bytes) waiting in the disk buffer");
  }
};

Agent::Agent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)), counters_(impl_->counters) {}
Agent::~Agent() = default;

Result<std::unique_ptr<Agent>> Agent::Open(Env* env, AgentConfig config, HttpPost post) {
  auto impl = std::make_unique<Impl>();
  impl->env = env;
  impl->post = std::move(post);
  RETURN_IF_ERROR(env->CreateDirs(config.data_dir).Annotate("agent data_dir"));
  ASSIGN_OR_RETURN(impl->state, AgentState::Open(env, JoinPath(config.data_dir, "state")));
  ASSIGN_OR_RETURN(impl->buffer, DiskBuffer::Open(env, JoinPath(config.data_dir, "buffer"), config.max_buffer_bytes,
                                                  impl->state->acked()));
  for (const auto& in : config.inputs)
    impl->inputs.push_back(std::make_unique<Input>(in, in.type == InputType::kFile ? impl->state.get() : nullptr,
                                                   config.partial_line_timeout));
  impl->pending.resize(impl->inputs.size());
  impl->config = std::move(config);
  if (impl->buffer->unsent_records() > 0)
    LogInfo("agent: " + std::to_string(impl->buffer->unsent_records()) + " batches from before the restart wait in the disk buffer");
  return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

void Agent::Stop() {
  std::lock_guard l(impl_->mu);
  impl_->stop = true;
  impl_->cv.notify_all();
  impl_->buffer->Interrupt();
}

Status Agent::Run() {
  Impl& a = *impl_;
  std::thread shipper([&a] { a.Ship(); });
  Status result;
  int64_t next_scan = 0, next_status = a.env->NowNanos() + kStatusInterval;
  const bool has_stdin = a.HasStdin();
  while (!a.stop) {
    const int64_t now = a.env->NowNanos();
    if (now >= next_scan) {
      // An input whose batch waits for room in the buffer keeps its files open: releasing one
      // now would lose its lines if the agent died before the batch is durable.
      for (size_t i = 0; i < a.inputs.size(); ++i)
        if (a.pending[i].records.empty()) a.inputs[i]->Scan(now);
      next_scan = now + kScanInterval;
    }
    if (now >= next_status) {
      a.LogStatus();
      next_status = now + kStatusInterval;
    }
    bool more = false;
    result = a.ReadOnce(now, &more);
    if (!result.ok()) break;
    if (has_stdin) {
      bool done = true;
      for (size_t i = 0; i < a.inputs.size(); ++i)
        done &= a.inputs[i]->config().type != InputType::kStdin || (a.inputs[i]->finished() && a.pending[i].records.empty());
      if (done && a.buffer->unsent_records() == 0) break;  // standard input ended and all of it was acknowledged
    }
    if (!more) a.Pause(kPollInterval);
  }
  Stop();
  shipper.join();
  Status saved = a.state->Save();
  a.LogStatus();
  return result.ok() ? saved : result;
}

Status Agent::Impl::ReadOnce(int64_t now, bool* more) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!pending[i].records.empty()) {  // the buffer was full: this input waits
      bool appended = false;
      RETURN_IF_ERROR(AppendPending(i, &appended));
      if (!appended) continue;
    }
    InputBatch batch;
    *more |= inputs[i]->Read(config.batch_bytes, now, &batch);
    inputs[i]->Flush(now, false, &batch);
    if (!batch.events.empty() || !batch.checkpoints.empty()) RETURN_IF_ERROR(Deliver(i, std::move(batch)));
  }
  return Status::Ok();
}

Status Agent::Impl::Deliver(size_t i, InputBatch batch) {
  const InputConfig& in = inputs[i]->config();
  counters.events_read += batch.events.size();
  Pending& p = pending[i];
  if (!batch.events.empty()) {
    std::string stream_fields;
    for (const auto& [k, v] : in.labels) stream_fields += (stream_fields.empty() ? "" : ",") + k;
    const std::string& tenant = in.tenant.empty() ? config.tenant : in.tenant;
    std::map<std::string, std::vector<Event>, std::less<>> by_tenant;
    if (in.pipeline) {
      auto routed = pipeline::RunOnEvents(*in.pipeline, std::move(batch.events), tenant, {env->NowNanos()});
      counters.events_dropped += routed.dropped;
      by_tenant = std::move(routed.by_tenant);
    } else {
      by_tenant[tenant] = std::move(batch.events);
    }
    std::string ndjson;
    for (auto& [t, events] : by_tenant) {
      if (events.empty()) continue;
      ndjson.clear();
      AppendNdjson(events, &ndjson);
      ASSIGN_OR_RETURN(Shipment s, MakeShipment(t, stream_fields, events.size(), ndjson, config.compression));
      p.records.push_back(EncodeShipment(s));
      p.events.push_back(events.size());
    }
    batch.events.clear();
  }
  p.batch = std::move(batch);
  bool appended = false;
  return AppendPending(i, &appended);
}

Status Agent::Impl::AppendPending(size_t i, bool* appended) {
  Pending& p = pending[i];
  while (!p.records.empty()) {
    Status st = buffer->Append(p.records.front());
    if (st.code() == Code::kResourceExhausted) {
      *appended = false;
      return Status::Ok();
    }
    RETURN_IF_ERROR(st);
    counters.events_buffered += p.events.front();
    p.records.erase(p.records.begin());
    p.events.erase(p.events.begin());
  }
  *appended = true;
  if (p.batch.checkpoints.empty()) return Status::Ok();
  // Only now is every byte before these checkpoints durable in the buffer.
  inputs[i]->Commit(p.batch);
  p.batch = {};
  return state->Save();
}

void Agent::Impl::Ship() {
  std::string payload;
  while (!stop) {
    BufferPosition end;
    Status st = buffer->Next(kPollInterval, &payload, &end);
    if (st.code() == Code::kNotFound) continue;
    if (st.ok()) {
      auto s = DecodeShipment(payload);
      if (!s.ok()) {
        LogError("agent buffer: skipping a damaged batch at segment " + std::to_string(end.segment) + ": " + s.status().message());
      } else if (!Send(*s)) {
        return;  // stopping: the batch stays in the buffer
      }
      st = buffer->Ack(end);
      state->SetAcked(end);
      if (st.ok()) st = state->Save();
    }
    if (!st.ok()) {
      LogError("agent: " + st.message());
      Pause(kMaxRetryPause);
    }
  }
}

bool Agent::Impl::Send(const Shipment& s) {
  std::string target = "/api/v1/ingest";
  if (!s.stream_fields.empty()) target += "?_stream_fields=" + s.stream_fields;
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/x-ndjson"}};
  if (!s.encoding.empty()) headers.emplace_back("Content-Encoding", s.encoding);
  if (!s.tenant.empty()) headers.emplace_back("X-Sawlog-Tenant", s.tenant);
  int64_t pause = kFirstRetryPause;
  bool failing = false;
  while (!stop) {
    auto reply = post(target, headers, s.body);
    std::string why;
    int64_t wait = pause;
    if (reply.ok() && reply->status >= 200 && reply->status < 300) {
      // {"accepted":N,"rejected_count":M,...}: lines the server could not read are counted, not resent.
      uint64_t rejected = 0;
      if (size_t at = reply->body.find("\"rejected_count\":"); at != std::string::npos) {
        const char* p = reply->body.data() + at + 17;
        std::from_chars(p, reply->body.data() + reply->body.size(), rejected);
      }
      if (rejected > 0) LogWarn("agent: the server rejected " + std::to_string(rejected) + " events of a batch: " + reply->body.substr(0, 300));
      counters.events_rejected += rejected;
      counters.events_sent += s.events - std::min(rejected, s.events);
      if (failing) LogInfo("agent: the server at " + config.server + " takes batches again");
      return true;
    }
    if (!reply.ok()) {
      why = reply.status().message();
    } else if (reply->status == 429 || reply->status == 408 || reply->status >= 500) {
      why = "the server answered " + std::to_string(reply->status) + ": " + reply->body.substr(0, 300);
      int64_t seconds = 0;
      const std::string& ra = reply->retry_after;
      if (!ra.empty() && std::from_chars(ra.data(), ra.data() + ra.size(), seconds).ec == std::errc() && seconds > 0)
        wait = std::min(seconds * 1'000'000'000, kMaxRetryPause);
    } else {
      // Bad data (400, 413, 415, ...): sending it again cannot help.
      LogError("agent: the server refused a batch of " + std::to_string(s.events) + " events with " + std::to_string(reply->status) +
               ": " + reply->body.substr(0, 300) + "; it is dropped");
      counters.events_rejected += s.events;
      return true;
    }
    ++counters.send_failures;
    if (!failing) LogWarn("agent: cannot deliver to " + config.server + " (" + why + "); retrying, the disk buffer keeps everything");
    failing = true;
    Pause(wait);
    pause = std::min(pause * 2, kMaxRetryPause);
  }
  return false;
}

}  // namespace sawlog::agent
