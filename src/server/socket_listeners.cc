// TCP, TLS and UDP servers for the socket receivers.
#include "server/socket_listeners.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "server/api.h"

namespace sawlog {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using error_code = boost::system::error_code;

namespace {

// One read's worth; also bounds what a connection holds undecoded besides a partial frame.
constexpr size_t kReadBytes = 256 * 1024;
// A store that pushes back (full head, full disk) is retried this often while the sender waits.
constexpr auto kRetryInterval = std::chrono::milliseconds(500);
// UDP cannot push back: past this many events waiting to be stored, datagrams are dropped (and
// counted) rather than growing memory without bound.
constexpr size_t kMaxPendingDatagramEvents = 200'000;
// Undecodable frames are logged at most this often per listener (they are all counted).
constexpr int64_t kErrorLogIntervalNs = 10'000'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Retryable(const Status& st) {
  return st.code() == Code::kResourceExhausted || st.code() == Code::kNoSpace;
}

// What every listener shares: where events go, and how errors are reported.
struct Context {
  Api* api;
  asio::thread_pool* workers;
  std::string spec;  // "syslog/tcp", for messages
  std::string receiver;
  std::atomic<bool>* stopping;
  std::atomic<int64_t> last_error_log_ns{0};

  void ReportErrors(const std::vector<std::string>& errors, const std::string& peer) {
    if (errors.empty()) return;
    api->CountRejected(receiver, errors.size());
    const int64_t now = NowNs();
    int64_t last = last_error_log_ns.load();
    if (now - last < kErrorLogIntervalNs || !last_error_log_ns.compare_exchange_strong(last, now)) return;
    std::string m = spec + " from " + peer + ": " + errors.front();
    if (errors.size() > 1) m += " (and " + std::to_string(errors.size() - 1) + " more in this batch)";
    LogWarn(m);
  }
};

std::string PeerName(const tcp::socket& s) {
  error_code ec;
  auto ep = s.remote_endpoint(ec);
  return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

// One TCP or TLS connection: read → decode → store → reply → read.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(Stream stream, std::unique_ptr<StreamSession> session, Context* ctx, std::string peer)
      : stream_(std::move(stream)),
        session_(std::move(session)),
        ctx_(ctx),
        peer_(std::move(peer)),
        timer_(stream_.get_executor()),
        buffer_(kReadBytes) {}

  void Start() {
    auto self = this->shared_from_this();
    if constexpr (std::is_same_v<Stream, ssl::stream<tcp::socket>>) {
      stream_.async_handshake(ssl::stream_base::server, [self](error_code ec) {
        if (ec) {
          self->ctx_->ReportErrors({"TLS handshake failed: " + ec.message()}, self->peer_);
          return self->Close();
        }
        self->Greet();
      });
    } else {
      Greet();
    }
  }

 private:
  void Greet() {
    out_ = session_->Greeting();
    if (out_.empty()) return Read();
    auto self = this->shared_from_this();
    asio::async_write(stream_, asio::buffer(out_), [self](error_code ec, size_t) {
      if (ec) return self->Close();
      self->Read();
    });
  }

  void Read() {
    if (ctx_->stopping->load()) return Close();
    auto self = this->shared_from_this();
    stream_.async_read_some(asio::buffer(buffer_), [self](error_code ec, size_t n) {
      const bool eof = ec == asio::error::eof || ec == ssl::error::stream_truncated;
      if (ec && !eof) return self->Close();
      // Decoding and storing block; the io threads must not.
      asio::post(*self->ctx_->workers, [self, n, eof] { self->Decode(n, eof); });
    });
  }

  void Decode(size_t n, bool eof) {
    batch_ = SocketBatch{};
    const int64_t now = NowNs();
    if (n > 0) session_->Feed(std::string_view(buffer_.data(), n), now, &batch_);
    if (eof) session_->Finish(now, &batch_);
    eof_ = eof;
    ctx_->ReportErrors(batch_.errors, peer_);
    Store(now);
  }

  // On a worker. Deliver takes the events only once the store has them, so a push-back loses
  // nothing and the retry sends them again.
  void Store(int64_t now) {
    auto delivered = ctx_->api->Deliver(ctx_->receiver, kDefaultTenant, std::move(batch_.events), now);
    if (!delivered.ok()) {
      if (Retryable(delivered.status()) && !ctx_->stopping->load()) {
        if (!warned_) LogWarn(ctx_->spec + " from " + peer_ + ": " + delivered.status().ToString() + "; reading paused");
        warned_ = true;
        auto self = this->shared_from_this();
        timer_.expires_after(kRetryInterval);
        timer_.async_wait([self, now](error_code) { asio::post(*self->ctx_->workers, [self, now] { self->Store(now); }); });
        return;
      }
      LogWarn(ctx_->spec + " from " + peer_ + ": " + delivered.status().ToString() + "; closing the connection");
      return asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
    }
    warned_ = false;
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Reply(); });
  }

  void Reply() {
    const bool last = eof_ || batch_.close;
    if (batch_.reply.empty()) return last ? Close() : Read();
    out_ = std::move(batch_.reply);
    auto self = this->shared_from_this();
    asio::async_write(stream_, asio::buffer(out_), [self, last](error_code ec, size_t) {
      if (ec || last) return self->Close();
      self->Read();
    });
  }

  void Close() {
    error_code ec;
    stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
    stream_.lowest_layer().close(ec);
  }

  Stream stream_;
  std::unique_ptr<StreamSession> session_;
  Context* ctx_;
  std::string peer_;
  asio::steady_timer timer_;
  std::vector<char> buffer_;
  SocketBatch batch_;
  std::string out_;
  bool eof_ = false;
  bool warned_ = false;
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual void Stop() = 0;
  virtual std::string Describe() const = 0;
};

class StreamListener final : public Listener {
 public:
  StreamListener(asio::io_context& ioc, std::unique_ptr<StreamReceiver> receiver, ssl::context* tls,
                 std::unique_ptr<Context> ctx)
      : acceptor_(ioc), receiver_(std::move(receiver)), tls_(tls), ctx_(std::move(ctx)) {}

  Status Bind(const tcp::endpoint& ep) {
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("cannot listen on " + Address() + ": " + ec.message());
    return Status::Ok();
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(acceptor_.get_executor()), [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::string peer = PeerName(socket);
        PeerInfo info{.address = peer, .tls = tls_ != nullptr};
        auto session = receiver_->NewSession(info);
        if (tls_ != nullptr)
          std::make_shared<Connection<ssl::stream<tcp::socket>>>(ssl::stream<tcp::socket>(std::move(socket), *tls_),
                                                                  std::move(session), ctx_.get(), peer)
              ->Start();
        else
          std::make_shared<Connection<tcp::socket>>(std::move(socket), std::move(session), ctx_.get(), peer)->Start();
      }
      Accept();
    });
  }

  void Stop() override {
    error_code ec;
    acceptor_.close(ec);
  }
  std::string Describe() const override { return ctx_->spec + " on " + Address(); }

 private:
  std::string Address() const {
    error_code ec;
    auto ep = acceptor_.local_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  tcp::acceptor acceptor_;
  std::unique_ptr<StreamReceiver> receiver_;
  ssl::context* tls_;
  std::unique_ptr<Context> ctx_;
};

// Datagrams are decoded on the io thread (cheap) into a pending batch; one worker at a time stores
// it, while the socket keeps being read.
class DatagramListener final : public Listener {
 public:
  DatagramListener(asio::io_context& ioc, std::unique_ptr<DatagramReceiver> receiver, std::unique_ptr<Context> ctx)
      : socket_(asio::make_strand(ioc)), receiver_(std::move(receiver)), ctx_(std::move(ctx)), buffer_(65536) {}

  Status Bind(const udp::endpoint& ep) {
    error_code ec;
    socket_.open(ep.protocol(), ec);
    if (!ec) socket_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) socket_.bind(ep, ec);
    if (ec) return Status::IOError("cannot listen on " + ep.address().to_string() + ":" + std::to_string(ep.port()) + ": " + ec.message());
    // Bursts arrive faster than a batch is stored; a large kernel buffer absorbs them (the
    // kernel caps it at net.core.rmem_max).
    socket_.set_option(asio::socket_base::receive_buffer_size(16 << 20), ec);
    return Status::Ok();
  }

  void Receive() {
    socket_.async_receive_from(asio::buffer(buffer_), sender_, [this](error_code ec, size_t n) {
      if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
      if (!ec) OnDatagram(n);
      Receive();
    });
  }

  void Stop() override {
    asio::post(socket_.get_executor(), [this] {
      error_code ec;
      socket_.close(ec);
    });
  }
  std::string Describe() const override {
    error_code ec;
    auto ep = socket_.local_endpoint(ec);
    return ctx_->spec + " on " + (ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port()));
  }

 private:
  void OnDatagram(size_t n) {
    SocketBatch batch;
    PeerInfo peer{.address = sender_.address().to_string() + ":" + std::to_string(sender_.port())};
    receiver_->Decode(std::string_view(buffer_.data(), n), peer, NowNs(), &batch);
    ctx_->ReportErrors(batch.errors, peer.address);
    if (batch.events.empty()) return;
    std::lock_guard lock(mu_);
    if (pending_.size() + batch.events.size() > kMaxPendingDatagramEvents) {
      dropped_ += batch.events.size();
      return;
    }
    for (auto& e : batch.events) pending_.push_back(std::move(e));
    if (!storing_) {
      storing_ = true;
      asio::post(*ctx_->workers, [this] { StorePending(); });
    }
  }

  // On a worker; runs until nothing is pending.
  void StorePending() {
    for (;;) {
      std::vector<Event> events;
      size_t dropped = 0;
      {
        std::lock_guard lock(mu_);
        if (pending_.empty()) {
          storing_ = false;
          return;
        }
        events.swap(pending_);
        std::swap(dropped, dropped_);
      }
      if (dropped > 0) {
        ctx_->api->metrics().Add("sawlog_dropped_events_total{receiver=\"" + ctx_->receiver + "\"}", dropped);
        LogWarn(ctx_->spec + ": " + std::to_string(dropped) + " events dropped, arriving faster than they are stored");
      }
      // Kept until stored: a store that pushes back is retried rather than losing the batch.
      for (;;) {
        auto delivered = ctx_->api->Deliver(ctx_->receiver, kDefaultTenant, std::move(events), NowNs());
        if (delivered.ok()) break;
        if (!Retryable(delivered.status()) || ctx_->stopping->load()) {
          ctx_->api->metrics().Add("sawlog_dropped_events_total{receiver=\"" + ctx_->receiver + "\"}", events.size());
          LogWarn(ctx_->spec + ": " + delivered.status().ToString() + "; " + std::to_string(events.size()) +
                  " events not stored");
          break;
        }
        std::this_thread::sleep_for(kRetryInterval);
      }
    }
  }

  udp::socket socket_;
  std::unique_ptr<DatagramReceiver> receiver_;
  std::unique_ptr<Context> ctx_;
  std::vector<char> buffer_;
  udp::endpoint sender_;
  std::mutex mu_;
  std::vector<Event> pending_;
  size_t dropped_ = 0;
  bool storing_ = false;
};

class Listeners final : public SocketListeners {
 public:
  void Stop() override {
    stopping_ = true;
    for (auto& l : listeners_) l->Stop();
  }
  std::vector<std::string> Describe() const override {
    std::vector<std::string> out;
    for (const auto& l : listeners_) out.push_back(l->Describe());
    return out;
  }

  std::atomic<bool> stopping_{false};
  std::unique_ptr<ssl::context> tls_;
  std::vector<std::unique_ptr<Listener>> listeners_;
};

Result<ssl::context*> TlsContext(Listeners* out, const SocketListenerOptions& options, const std::string& value) {
  if (out->tls_) return out->tls_.get();
  if (options.tls_cert_file.empty() || options.tls_key_file.empty())
    return Status::InvalidArgument("--receive " + value + ": TLS needs --tls-cert FILE and --tls-key FILE");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error_code ec;
  ctx->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec) return Status::InvalidArgument("--tls-cert '" + options.tls_cert_file + "': " + ec.message());
  ctx->use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("--tls-key '" + options.tls_key_file + "': " + ec.message());
  out->tls_ = std::move(ctx);
  return out->tls_.get();
}

}  // namespace

std::string ReceiveFlagHelp() {
  std::string s = "Also receive a protocol on a socket: SPEC or SPEC=HOST:PORT (repeatable). SPEC and default port:";
  for (const auto& k : SocketReceiverKinds()) s += " " + std::string(k.spec) + " (" + std::to_string(k.default_port) + ")";
  return s;
}

Result<std::unique_ptr<SocketListeners>> SocketListeners::Start(asio::io_context& ioc, asio::thread_pool& workers,
                                                                Api* api, const SocketListenerOptions& options) {
  auto out = std::make_unique<Listeners>();
  for (const std::string& value : options.receives) {
    const size_t eq = value.find('=');
    const std::string spec = value.substr(0, eq);
    const SocketReceiverKind* kind = FindSocketReceiverKind(spec);
    if (kind == nullptr) return Status::InvalidArgument("--receive " + value + ": unknown receiver '" + spec + "'; " + ReceiveFlagHelp());
    std::string host = options.default_host;
    uint16_t port = kind->default_port;
    if (eq != std::string::npos) {
      std::string addr = value.substr(eq + 1);
      const size_t colon = addr.rfind(':');
      if (colon == std::string::npos) return Status::InvalidArgument("--receive " + value + ": expected SPEC=HOST:PORT");
      if (colon > 0) host = addr.substr(0, colon);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      char* end = nullptr;
      const std::string p = addr.substr(colon + 1);
      unsigned long n = std::strtoul(p.c_str(), &end, 10);
      if (p.empty() || *end != '\0' || n > 65535) return Status::InvalidArgument("--receive " + value + ": bad port '" + p + "'");
      port = static_cast<uint16_t>(n);
    }
    if (host.empty() || host == "localhost") host = "127.0.0.1";
    error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return Status::InvalidArgument("--receive " + value + ": '" + host + "' is not an IP address");
    auto ctx = std::make_unique<Context>();
    ctx->api = api;
    ctx->workers = &workers;
    ctx->spec = spec;
    ctx->stopping = &out->stopping_;
    if (kind->make_datagram != nullptr) {
      auto receiver = kind->make_datagram(options.settings);
      ctx->receiver = std::string(receiver->name());
      auto l = std::make_unique<DatagramListener>(ioc, std::move(receiver), std::move(ctx));
      Status st = l->Bind(udp::endpoint(address, port));
      if (!st.ok()) return st.Annotate("--receive " + value);
      l->Receive();
      out->listeners_.push_back(std::move(l));
    } else {
      ssl::context* tls = nullptr;
      if (kind->transport == "tls") {
        ASSIGN_OR_RETURN(tls, TlsContext(out.get(), options, value));
      }
      auto receiver = kind->make_stream(options.settings);
      ctx->receiver = std::string(receiver->name());
      auto l = std::make_unique<StreamListener>(ioc, std::move(receiver), tls, std::move(ctx));
      Status st = l->Bind(tcp::endpoint(address, port));
      if (!st.ok()) return st.Annotate("--receive " + value);
      l->Accept();
      out->listeners_.push_back(std::move(l));
    }
  }
  return std::unique_ptr<SocketListeners>(std::move(out));
}

}  // namespace sawlog
