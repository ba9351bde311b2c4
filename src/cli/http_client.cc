#include "cli/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/url.hpp>

namespace sawlog {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class BeastClient final : public HttpClient {
 public:
  BeastClient(std::string host, std::string port, int io_timeout_seconds)
      : host_(std::move(host)), port_(std::move(port)), io_timeout_seconds_(io_timeout_seconds) {}

  Status Open() {
    beast::error_code ec;
    auto results = tcp::resolver(ioc_).resolve(host_, port_, ec);
    if (!ec && io_timeout_seconds_ > 0) {
      // A host that drops SYNs would hold a blocking connect for minutes.
      stream_.expires_after(std::chrono::seconds(io_timeout_seconds_));
      stream_.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
      RunIo();
      stream_.expires_never();
    } else if (!ec) {
      stream_.connect(results, ec);
    }
    if (ec) return Status::Unavailable("cannot connect to the sawlog server at " + host_ + ":" + port_ + ": " + ec.message() + " (is `sawlog server` running? see --server)");
    connected_ = true;
    return Status::Ok();
  }

  Result<ClientResponse> Request(const std::string& method, const std::string& target,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 std::string body) override {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!connected_) RETURN_IF_ERROR(Open());
      http::request<http::string_body> req(http::string_to_verb(method), target, 11);
      SetHeaders(req, headers);
      req.body() = attempt == 0 ? std::move(body) : resend_;
      req.prepare_payload();
      beast::error_code ec;
      http::response_parser<http::string_body> parser;
      parser.body_limit(std::numeric_limits<uint64_t>::max());
      beast::flat_buffer buffer;
      if (io_timeout_seconds_ > 0) {
        // Synchronous Beast calls ignore tcp_stream's expiry: run the asynchronous ones to it.
        stream_.expires_after(std::chrono::seconds(io_timeout_seconds_));
        http::async_write(stream_, req, [&](beast::error_code e, size_t) { ec = e; });
        RunIo();
        if (!ec) {
          http::async_read(stream_, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
          RunIo();
        }
        stream_.expires_never();
      } else {
        http::write(stream_, req, ec);
        if (!ec) http::read(stream_, buffer, parser, ec);
      }
      if (!ec) {
        auto& res = parser.get();
        if (!res.keep_alive()) Disconnect();
        return ClientResponse{static_cast<int>(res.result_int()), std::move(res.body()),
                              std::string(res[http::field::retry_after])};
      }
      Disconnect();
      // A kept-alive connection the server closed: one retry on a fresh connection.
      if (attempt == 0 && (ec == http::error::end_of_stream || ec == asio::error::broken_pipe ||
                           ec == asio::error::connection_reset)) {
        resend_ = std::move(req.body());
        continue;
      }
      return Status::Unavailable("request to " + host_ + ":" + port_ + " failed: " + ec.message());
    }
    return Status::Unavailable("request to " + host_ + ":" + port_ + " failed");
  }

  Status Stream(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
                const std::function<bool(std::string_view)>& on_data) override {
    if (!connected_) RETURN_IF_ERROR(Open());
    http::request<http::empty_body> req(http::verb::get, target, 11);
    SetHeaders(req, headers);
    beast::error_code ec;
    http::write(stream_, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    beast::flat_buffer buffer;
    if (!ec) http::read_header(stream_, buffer, parser, ec);
    if (ec) {
      Disconnect();
      return Status::Unavailable("request to " + host_ + ":" + port_ + " failed: " + ec.message());
    }
    const int status = static_cast<int>(parser.get().result_int());
    while (!parser.is_done()) {
      http::read_some(stream_, buffer, parser, ec);
      if (ec) break;
      std::string& body = parser.get().body();
      if (status == 200 && !body.empty()) {
        if (!on_data(body)) break;
        body.clear();
      }
    }
    Disconnect();  // a stream is not reused
    if (status != 200) return Status::Unavailable("server answered " + std::to_string(status) + ": " + parser.get().body());
    if (ec && ec != http::error::end_of_stream)
      return Status::Unavailable("the stream from " + host_ + ":" + port_ + " broke: " + ec.message());
    return Status::Ok();
  }

 private:
  template <typename Body>
  void SetHeaders(http::request<Body>& req, const std::vector<std::pair<std::string, std::string>>& headers) const {
    req.set(http::field::host, host_);
    req.set(http::field::user_agent, "sawlog-cli");
    for (const auto& [k, v] : headers) req.set(k, v);
  }

  // Runs the started asynchronous operation to its end (or the stream's expiry).
  void RunIo() {
    ioc_.restart();
    ioc_.run();
  }

  void Disconnect() {
    beast::error_code ec;
    stream_.socket().close(ec);
    connected_ = false;
  }

  std::string host_, port_;
  int io_timeout_seconds_;
  asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  bool connected_ = false;
  std::string resend_;
};

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Connect(const std::string& base_url, int io_timeout_seconds) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url || url->scheme() != "http" || url->host().empty())
    return Status::InvalidArgument("--server '" + base_url + "': expected http://HOST:PORT");
  std::string port = url->has_port() ? std::string(url->port()) : "80";
  auto client = std::make_unique<BeastClient>(std::string(url->host()), port, io_timeout_seconds);
  return std::unique_ptr<HttpClient>(std::move(client));
}

std::string UrlEncode(const std::string& s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

}  // namespace sawlog
