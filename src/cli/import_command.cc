// `sawlog import`: send files of NDJSON or text lines to a server, in batches, concurrently.
#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/http_client.h"
#include "parse/parse.h"

namespace sawlog {

namespace {

struct ImportOptions {
  std::vector<std::string> files;
  std::string server = "http://127.0.0.1:9470";
  std::string tenant;
  std::string format = "auto";
  std::string time_field, msg_field, stream_fields;
  size_t batch_bytes = 4u << 20;
  int concurrency = 2;
};

// Push-back (429/503) is retried this many times, with growing pauses up to 5 s, before giving up.
constexpr int kMaxRetries = 30;

struct Batch {
  std::string file;
  size_t first_line = 1;
  bool text = false;
  std::string body;
};

// A bounded queue between the reader and the senders, so memory stays at a few batches.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  void Push(Batch b) {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return q_.size() < capacity_ || aborted_; });
    q_.push_back(std::move(b));
    cv_.notify_all();
  }
  bool Pop(Batch* b) {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    *b = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void Close() {
    std::lock_guard l(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  void Abort() {
    std::lock_guard l(mu_);
    aborted_ = closed_ = true;
    q_.clear();
    cv_.notify_all();
  }
  bool aborted() {
    std::lock_guard l(mu_);
    return aborted_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> q_;
  size_t capacity_;
  bool closed_ = false, aborted_ = false;
};

struct Totals {
  std::atomic<uint64_t> bytes_sent{0}, accepted{0}, rejected{0};
  std::mutex mu;
  std::string error;                    // the first fatal error
  std::vector<std::string> rejections;  // the first few, as file:line: reason
};

std::string Human(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) bytes /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

void SendBatches(const ImportOptions& opt, const std::string& target_base, BatchQueue* queue, Totals* totals) {
  auto client = HttpClient::Connect(opt.server);
  Batch b;
  while (queue->Pop(&b)) {
    const size_t size = b.body.size();
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", b.text ? "text/plain" : "application/x-ndjson"}};
    if (!opt.tenant.empty()) headers.emplace_back("X-Sawlog-Tenant", opt.tenant);
    Result<ClientResponse> res = client.ok() ? Status::Unavailable("not sent") : client.status();
    // The server pushes back with 429/503 when its buffers are full: wait and send again.
    for (int attempt = 0; client.ok(); ++attempt) {
      res = client.value()->Request("POST", target_base, headers, b.body);
      if (!res.ok() || (res->status != 429 && res->status != 503) || attempt == kMaxRetries) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5000, 250 << std::min(attempt, 4))));
    }
    if (res.ok() && (res->status == 200 || res->status == 400) && res->body.find("\"accepted\"") != std::string::npos) {
      // {"accepted":N,"rejected_count":M,"rejected":[{"line":L,"reason":"..."}]}
      JsonParser parser;
      std::vector<Field> fields;
      if (parser.ParseObject(res->body, 0, &fields).ok()) {
        for (const auto& f : fields) {
          if (f.name == "accepted") totals->accepted += std::stoull(f.value);
          if (f.name == "rejected_count") totals->rejected += std::stoull(f.value);
          if (f.name == "rejected" && f.value != "[]") {
            std::lock_guard l(totals->mu);
            std::vector<Field> items;
            // Each rejected item: report with the file's own line number.
            size_t pos = 0;
            while (totals->rejections.size() < 10 && (pos = f.value.find("{\"line\":", pos)) != std::string::npos) {
              size_t end = f.value.find('}', pos);
              items.clear();
              if (parser.ParseObject(std::string_view(f.value).substr(pos, end - pos + 1), 0, &items).ok() && items.size() == 2)
                totals->rejections.push_back(b.file + ":" + std::to_string(b.first_line + std::stoull(items[0].value) - 1) +
                                             ": " + items[1].value);
              pos = end;
            }
          }
        }
      }
      totals->bytes_sent += size;
      continue;
    }
    std::lock_guard l(totals->mu);
    if (totals->error.empty())
      totals->error = res.ok() ? "server answered " + std::to_string(res->status) + ": " + res->body : res.status().message();
    queue->Abort();
    return;
  }
}

bool LooksLikeJson(std::string_view chunk) {
  size_t i = chunk.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && chunk[i] == '{';
}

int RunImport(const ImportOptions& opt) {
  std::string target = "/api/v1/ingest";
  std::string sep = "?";
  auto add = [&](const char* key, const std::string& v) {
    if (!v.empty()) target += sep + key + "=" + UrlEncode(v), sep = "&";
  };
  add("_time_field", opt.time_field);
  add("_msg_field", opt.msg_field);
  add("_stream_fields", opt.stream_fields);

  uint64_t total_bytes = 0;
  for (const auto& f : opt.files) {
    struct stat st;
    if (f == "-") continue;
    if (::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      std::fprintf(stderr, "sawlog import: cannot read '%s': no such file\n", f.c_str());
      return kExitError;
    }
    total_bytes += static_cast<uint64_t>(st.st_size);
  }

  BatchQueue queue(static_cast<size_t>(opt.concurrency) * 2);
  Totals totals;
  std::vector<std::thread> senders;
  for (int i = 0; i < opt.concurrency; ++i) senders.emplace_back(SendBatches, std::cref(opt), target, &queue, &totals);

  const bool tty = ::isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> done{false};
  std::thread progress;
  if (tty) {
    progress = std::thread([&] {
      while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        double sent = static_cast<double>(totals.bytes_sent);
        double frac = total_bytes ? std::min(1.0, sent / static_cast<double>(total_bytes)) : 0;
        int bar = static_cast<int>(frac * 30);
        double rate = secs > 0 ? sent / secs : 0;
        double eta = rate > 0 && total_bytes ? (static_cast<double>(total_bytes) - sent) / rate : 0;
        std::fprintf(stderr, "\r[%.*s%*s] %3.0f%% %s/%s %.0f events/s ETA %d:%02d ", bar,
                     "==============================", 30 - bar, "", frac * 100, Human(sent).c_str(),
                     total_bytes ? Human(static_cast<double>(total_bytes)).c_str() : "?",
                     secs > 0 ? static_cast<double>(totals.accepted + totals.rejected) / secs : 0.0,
                     static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
      }
    });
  }

  std::string read_error;
  std::vector<char> chunk(1 << 20);
  for (const auto& name : opt.files) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (name != "-") {
      file.open(name, std::ios::binary);
      if (!file) {
        read_error = "cannot open '" + name + "'";
        break;
      }
      in = &file;
    }
    std::string pending;
    size_t line = 1;
    int text = opt.format == "text" ? 1 : opt.format == "json" ? 0 : -1;
    auto emit = [&](size_t n) {
      Batch b;
      b.file = name == "-" ? "stdin" : name;
      b.first_line = line;
      b.body = pending.substr(0, n);
      pending.erase(0, n);
      if (text < 0) text = LooksLikeJson(b.body) ? 0 : 1;
      b.text = text == 1;
      line += static_cast<size_t>(std::count(b.body.begin(), b.body.end(), '\n'));
      queue.Push(std::move(b));
    };
    while (!queue.aborted()) {
      in->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      std::streamsize got = in->gcount();
      if (got <= 0) break;
      pending.append(chunk.data(), static_cast<size_t>(got));
      while (pending.size() >= opt.batch_bytes) {
        size_t cut = pending.rfind('\n', opt.batch_bytes - 1);
        if (cut == std::string::npos) cut = pending.find('\n', opt.batch_bytes);
        if (cut == std::string::npos) break;  // one long line: read on to its end
        emit(cut + 1);
      }
    }
    if (in->bad()) read_error = "error reading '" + name + "'";
    if (!pending.empty() && !queue.aborted()) emit(pending.size());
    if (!read_error.empty() || queue.aborted()) break;
  }
  queue.Close();
  for (auto& t : senders) t.join();
  done = true;
  if (progress.joinable()) progress.join();
  if (tty) std::fputc('\n', stderr);

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& r : totals.rejections) std::fprintf(stderr, "rejected %s\n", r.c_str());
  std::fprintf(stderr, "imported %llu events (%llu rejected) from %zu files, %s in %.1f s\n",
               static_cast<unsigned long long>(totals.accepted.load()),
               static_cast<unsigned long long>(totals.rejected.load()), opt.files.size(),
               Human(static_cast<double>(totals.bytes_sent)).c_str(), secs);
  if (!totals.error.empty() || !read_error.empty()) {
    std::fprintf(stderr, "sawlog import: %s\n", totals.error.empty() ? read_error.c_str() : totals.error.c_str());
    return kExitError;
  }
  return totals.rejected > 0 ? kExitPartial : kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "Send files of NDJSON or text lines (one event per line) to a server");
  auto opt = std::make_shared<ImportOptions>();
  cmd->add_option("FILE", opt->files, "Files to send; - reads standard input")->required();
  cmd->add_option("--server", opt->server, "Server URL")->envname("SAWLOG_SERVER")->capture_default_str();
  cmd->add_option("--tenant", opt->tenant, "Tenant to write to (default: default)");
  cmd->add_option("--format", opt->format, "auto (NDJSON if the first line starts with '{'), json or text")
      ->check(CLI::IsMember({"auto", "json", "text"}))->capture_default_str();
  cmd->add_option("--time-field", opt->time_field, "NDJSON field holding the event time (default _time)");
  cmd->add_option("--msg-field", opt->msg_field, "NDJSON field holding the message (default _msg)");
  cmd->add_option("--stream-fields", opt->stream_fields, "Comma-separated fields that name the stream, e.g. service,host");
  cmd->add_option("--batch-bytes", opt->batch_bytes, "Bytes per request")->check(CLI::Range(size_t{1024}, size_t{200} << 20))->capture_default_str();
  cmd->add_option("--concurrency", opt->concurrency, "Requests in flight")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->callback([opt] { std::exit(RunImport(*opt)); });
}

}  // namespace sawlog
