// The sockets of the socket receivers (ingest/socket_receivers.h): `--receive syslog/tcp=:514`
// and the like. Each TCP or TLS connection reads, decodes on a worker, stores durably, writes the
// receiver's reply and only then reads again, so a store that pushes back pauses the sender. UDP
// datagrams are decoded as they arrive and stored in batches.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/socket_receivers.h"

namespace sawlog {

class Api;

struct SocketListenerOptions {
  std::vector<std::string> receives;  // the --receive values: SPEC or SPEC=HOST:PORT
  std::string default_host;           // the host of a value without one (that of --listen)
  std::string tls_cert_file;          // PEM, for */tls
  std::string tls_key_file;
  SocketReceiverSettings settings;
};

class SocketListeners {
 public:
  // Binds every socket and starts accepting. Errors name the --receive value.
  static Result<std::unique_ptr<SocketListeners>> Start(boost::asio::io_context& ioc,
                                                        boost::asio::thread_pool& workers, Api* api,
                                                        const SocketListenerOptions& options);
  virtual ~SocketListeners() = default;
  // Stops accepting and receiving; batches being stored finish.
  virtual void Stop() = 0;
  // "syslog/tcp on 127.0.0.1:514", one per listener, for the start-up log line.
  virtual std::vector<std::string> Describe() const = 0;
};

// What `sawlog server --help` says of --receive: the kinds and their default ports.
std::string ReceiveFlagHelp();

}  // namespace sawlog
