// The HTTP server: Beast sessions on an io_context; handlers run on a worker pool because they
// block (a WAL group commit, a query scan), and the io threads must keep reading and writing.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/url.hpp>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "core/log.h"
#include "ingest/ingest.h"
#include "pipeline/pipeline.h"
#include "server/api.h"
#include "server/server.h"
#include "server/socket_listeners.h"

namespace sawlog {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A request's headers must arrive within this; bodies get longer (see kBodyTimeout).
constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr auto kBodyTimeout = std::chrono::seconds(300);
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
// On SIGTERM, requests already read get this long to be answered before the server stops.
constexpr auto kDrainTimeout = std::chrono::seconds(10);

// Requests read but not yet answered; shutdown waits for them, so that nothing acknowledged to
// the WAL goes unanswered (a client that saw no answer would send it again).
std::atomic<int> g_in_flight{0};

HttpRequest Convert(http::request<http::string_body>&& req, Status* error) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  std::string_view target = req.target();
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    *error = Status::InvalidArgument("bad request target '" + std::string(target.substr(0, 200)) + "'");
    return out;
  }
  out.path = std::string(url->path());
  for (auto param : url->params()) out.query.emplace_back(param.key, param.value);
  for (const auto& h : req) {
    std::string name(h.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers.emplace_back(std::move(name), std::string(h.value()));
  }
  out.body = std::move(req.body());
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Api* api, asio::thread_pool* workers)
      : stream_(std::move(socket)), api_(api), workers_(workers) {}

  void Start() { ReadHeader(); }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    // Bodies over the limit are refused with 413 below; compressed bodies are checked again
    // after decoding.
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(kBodyTimeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return Close();
    // The request cannot be read to its end: answer and close the connection.
    Status st = ec == http::error::body_limit
                    ? Status::TooLarge("request body exceeds the limit of " + std::to_string(kMaxBodyBytes) +
                                       " bytes; send smaller batches")
                    : Status::InvalidArgument("malformed HTTP request: " + ec.message());
    Send(HttpResponse::Error(st), /*keep_alive=*/false, 11);
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    stream_.expires_never();
    ++g_in_flight;
    auto req = parser_->release();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    WatchForClose(cancelled);
    asio::post(*workers_, [self = shared_from_this(), req = std::move(req), keep_alive, version, cancelled]() mutable {
      Status error;
      HttpRequest request = Convert(std::move(req), &error);
      request.cancelled = cancelled;
      HttpResponse response = error.ok() ? self->api_->Handle(request) : HttpResponse::Error(error);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response), keep_alive, version]() mutable {
        self->StopWatching();
        self->Send(std::move(response), keep_alive, version, /*answers_request=*/true);
      });
    });
  }

  // While a handler runs nothing reads the socket; wait for it to become readable, and if that
  // is the client closing (not a pipelined request), tell the handler so it can stop.
  void WatchForClose(std::shared_ptr<std::atomic<bool>> cancelled) {
    watching_ = true;
    const uint64_t watch = ++watch_;
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this(), cancelled, watch](beast::error_code ec) {
      // A wait that completed as it was being cancelled may run after the next request began.
      if (ec || !self->watching_ || watch != self->watch_) return;
      // Never block here: the readiness may be stale (someone else read the data since).
      auto& socket = self->stream_.socket();
      beast::error_code mode, peek;
      const bool blocking = !socket.non_blocking();
      socket.non_blocking(true, mode);
      char byte;
      size_t n = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, peek);
      if (blocking) socket.non_blocking(false, mode);
      if (peek == asio::error::would_block) return;
      if (n == 0 || peek) cancelled->store(true);  // end of stream or reset: the client is gone
    });
  }

  void StopWatching() {
    if (!watching_) return;
    watching_ = false;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }

  void Send(HttpResponse response, bool keep_alive, unsigned version, bool answers_request = false) {
    if (response.body_stream) return SendStream(std::move(response), keep_alive, version);
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), version);
    res->set(http::field::server, "sawlog");
    res->set(http::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) res->set(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(kBodyTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, answers_request](beast::error_code ec, size_t) {
      if (answers_request) --g_in_flight;
      if (ec || !res->keep_alive()) return self->Close();
      self->ReadHeader();
    });
  }

  // A streamed body: the header, then one chunk per generator call (made on a worker, written
  // here), so that only one chunk is in memory at a time and a slow client slows the generator.
  struct Stream {
    std::function<bool(std::string*)> next;
    http::response<http::empty_body> header;
    std::optional<http::response_serializer<http::empty_body>> serializer;
    std::string chunk;
    bool more = true;
  };

  void SendStream(HttpResponse response, bool keep_alive, unsigned version) {
    auto s = std::make_shared<Stream>();
    s->next = std::move(response.body_stream);
    s->header = http::response<http::empty_body>(static_cast<http::status>(response.status), version);
    s->header.set(http::field::server, "sawlog");
    s->header.set(http::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) s->header.set(k, v);
    s->header.keep_alive(keep_alive);
    s->header.chunked(true);
    s->serializer.emplace(s->header);
    stream_.expires_after(kBodyTimeout);
    http::async_write_header(stream_, *s->serializer, [self = shared_from_this(), s](beast::error_code ec, size_t) {
      if (ec) return self->EndStream(s, ec);
      self->PumpStream(s);
    });
  }

  void PumpStream(std::shared_ptr<Stream> s) {
    asio::post(*workers_, [self = shared_from_this(), s] {
      s->chunk.clear();
      s->more = s->next(&s->chunk);
      asio::post(self->stream_.get_executor(), [self, s] {
        self->stream_.expires_after(kBodyTimeout);
        if (!s->chunk.empty()) {
          asio::async_write(self->stream_, http::make_chunk(asio::buffer(s->chunk)), [self, s](beast::error_code ec, size_t) {
            if (ec) return self->EndStream(s, ec);
            if (s->more) return self->PumpStream(s);
            self->FinishStream(s);
          });
        } else if (s->more) {
          self->PumpStream(s);
        } else {
          self->FinishStream(s);
        }
      });
    });
  }

  void FinishStream(std::shared_ptr<Stream> s) {
    asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this(), s](beast::error_code ec, size_t) {
      self->EndStream(s, ec);
    });
  }

  void EndStream(std::shared_ptr<Stream> s, beast::error_code ec) {
    --g_in_flight;
    const bool keep_alive = s->header.keep_alive();
    s->next = nullptr;  // frees the results now, not when the last handler lets go of s
    if (ec || !keep_alive) return Close();
    ReadHeader();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool watching_ = false;  // WatchForClose's wait is pending
  uint64_t watch_ = 0;     // which WatchForClose it is
  Api* api_;
  asio::thread_pool* workers_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, Api* api, asio::thread_pool* workers)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), api_(api), workers_(workers) {}

  Status Bind(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Status::Unavailable("cannot listen on " + endpoint.address().to_string() + ":" +
                                 std::to_string(endpoint.port()) + ": " + ec.message());
    return Status::Ok();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        // A streamed response goes out as several small writes (header, chunks, last chunk):
        // with Nagle's algorithm the last one waits for the client's delayed ACK (~40 ms).
        beast::error_code ignored;
        s.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(s), self->api_, self->workers_)->Start();
      }
      self->Accept();
    });
  }
  void Stop() {
    beast::error_code ec;
    acceptor_.close(ec);
  }

 private:
  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  Api* api_;
  asio::thread_pool* workers_;
};

Result<tcp::endpoint> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen '" + listen + "': expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  char* end = nullptr;
  unsigned long port = std::strtoul(listen.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || colon + 1 == listen.size() || port > 65535)
    return Status::InvalidArgument("--listen '" + listen + "': bad port");
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("--listen '" + listen + "': '" + host + "' is not an IP address");
  return tcp::endpoint(addr, static_cast<uint16_t>(port));
}

}  // namespace

Status RunServer(const ServerOptions& options) {
  // Request bodies are megabytes: above glibc's default 128 KiB threshold each would be a fresh
  // mmap whose pages the kernel must zero (a sixth of ingest CPU in perf). Keep them in the heap,
  // and bound the number of malloc arenas, which otherwise grow with the worker threads.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  mallopt(M_ARENA_MAX, 2);
  ASSIGN_OR_RETURN(auto endpoint, ParseListen(options.listen));
  pipeline::Config config;
  if (!options.config_path.empty()) {
    auto loaded = pipeline::LoadConfig(Env::Default(), options.config_path);
    if (!loaded.ok()) return loaded.status();
    config = std::move(loaded).value();
  }
  StoreOptions store_options;
  store_options.dir = options.data_dir;
  store_options.flush_interval_ns = options.flush_interval_ns;
  store_options.wal_skip_damaged = options.wal_skip_damaged;
  store_options.retention_ns = options.retention_ns;
  store_options.max_disk_bytes = options.max_disk_bytes;
  store_options.bloom_cache_bytes = options.bloom_cache_bytes;
  auto store = Store::Open(store_options);
  if (!store.ok()) return store.status().Annotate("cannot open the data directory '" + options.data_dir + "'");
  Api api(store->get(), Env::Default(), options.max_query_memory_bytes, options.query_timeout_ns,
          &config);

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(cores));
  // Handlers block on group commits and scans; enough workers that fsync waits overlap.
  asio::thread_pool workers(std::max(8u, 4 * cores));
  auto listener = std::make_shared<Listener>(ioc, &api, &workers);
  RETURN_IF_ERROR(listener->Bind(endpoint));
  listener->Accept();
  SocketListenerOptions socket_options{.receives = options.receives,
                                       .default_host = endpoint.address().to_string(),
                                       .tls_cert_file = options.tls_cert_file,
                                       .tls_key_file = options.tls_key_file,
                                       .settings = {}};
  socket_options.settings.forward_shared_key = options.forward_shared_key;
  socket_options.settings.hostname = asio::ip::host_name();
  auto sockets = SocketListeners::Start(ioc, workers, &api, socket_options);
  if (!sockets.ok()) return sockets.status();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  auto deadline = std::chrono::steady_clock::now();
  std::function<void()> wait_for_drain = [&] {
    if (g_in_flight == 0 || std::chrono::steady_clock::now() > deadline) return ioc.stop();
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](beast::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](beast::error_code, int sig) {
    LogInfo(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
    listener->Stop();
    (*sockets)->Stop();
    deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    wait_for_drain();
  });
  std::string host = endpoint.address().to_string();
  if (endpoint.address().is_v6()) host = "[" + host + "]";
  LogInfo("sawlog server listening on http://" + host + ":" + std::to_string(listener->port()) +
          ", data in " + options.data_dir);
  for (const std::string& d : (*sockets)->Describe()) LogInfo("receiving " + d);

  std::vector<std::thread> io_threads;
  for (unsigned i = 1; i < cores; ++i) io_threads.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : io_threads) t.join();
  workers.join();
  Status st = (*store)->Close();
  if (st.ok()) LogInfo("stopped; all events flushed");
  return st;
}

}  // namespace sawlog
