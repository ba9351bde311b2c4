// The one list of receivers.
#include "ingest/receivers.h"

#include "ingest/socket_receivers.h"

namespace sawlog {

const std::vector<std::unique_ptr<Receiver>>& Receivers() {
  static const auto* const list = [] {
    auto* v = new std::vector<std::unique_ptr<Receiver>>;
    v->push_back(MakeElasticsearchReceiver());
    v->push_back(MakeLokiReceiver());
    return v;
  }();
  return *list;
}

const std::vector<SocketReceiverKind>& SocketReceiverKinds() {
  static const auto* const list = new std::vector<SocketReceiverKind>{
      {"syslog/udp", "udp", 514, nullptr, MakeSyslogDatagramReceiver},
      {"syslog/tcp", "tcp", 514, MakeSyslogStreamReceiver, nullptr},
      {"syslog/tls", "tls", 6514, MakeSyslogStreamReceiver, nullptr},
      {"lines/tcp", "tcp", 5170, MakeLinesStreamReceiver, nullptr},
  };
  return *list;
}

const SocketReceiverKind* FindSocketReceiverKind(std::string_view spec) {
  for (const auto& kind : SocketReceiverKinds())
    if (kind.spec == spec) return &kind;
  return nullptr;
}

}  // namespace sawlog
