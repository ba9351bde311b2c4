// The one list of receivers: HTTP ones, then socket ones.
#include "ingest/receivers.h"
#include "ingest/socket_receivers.h"

namespace sawlog {

ReceiverReply TextErrorReply(const Status& status) {
  ReceiverReply r;
  r.status = HttpStatus(status.code());
  r.content_type = "text/plain";
  r.body = status.message() + "\n";
  return r;
}

const std::vector<std::unique_ptr<Receiver>>& Receivers() {
  static const auto* const list = [] {
    auto* v = new std::vector<std::unique_ptr<Receiver>>;
    v->push_back(MakeElasticsearchReceiver());
    v->push_back(MakeLokiReceiver());
    v->push_back(MakeOtlpReceiver());
    v->push_back(MakeGelfReceiver());
    return v;
  }();
  return *list;
}

const std::vector<SocketReceiverKind>& SocketReceiverKinds() {
  static const auto* const list = new std::vector<SocketReceiverKind>{
      {.spec = "syslog/udp", .transport = "udp", .default_port = 514, .make_datagram = MakeSyslogDatagramReceiver},
      {.spec = "syslog/tcp", .transport = "tcp", .default_port = 514, .make_stream = MakeSyslogStreamReceiver},
      {.spec = "syslog/tls", .transport = "tls", .default_port = 6514, .make_stream = MakeSyslogStreamReceiver},
      {.spec = "lines/tcp", .transport = "tcp", .default_port = 5170, .make_stream = MakeLinesReceiver},
      {.spec = "gelf/udp", .transport = "udp", .default_port = 12201, .make_datagram = MakeGelfUdpReceiver},
      {.spec = "gelf/tcp", .transport = "tcp", .default_port = 12201, .make_stream = MakeGelfTcpReceiver},
      {.spec = "forward/tcp", .transport = "tcp", .default_port = 24224, .make_stream = MakeForwardReceiver},
      {.spec = "forward/tls", .transport = "tls", .default_port = 24224, .make_stream = MakeForwardReceiver},
  };
  return *list;
}

const SocketReceiverKind* FindSocketReceiverKind(std::string_view spec) {
  for (const auto& k : SocketReceiverKinds())
    if (k.spec == spec) return &k;
  return nullptr;
}

}  // namespace sawlog
