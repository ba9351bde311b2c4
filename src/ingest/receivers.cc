// The one list of receivers.
#include "ingest/receivers.h"

namespace sawlog {

const std::vector<std::unique_ptr<Receiver>>& Receivers() {
  static const auto* const list = [] {
    auto* v = new std::vector<std::unique_ptr<Receiver>>;
    v->push_back(MakeElasticsearchReceiver());
    v->push_back(MakeLokiReceiver());
    v->push_back(MakeGelfReceiver());
    return v;
  }();
  return *list;
}

}  // namespace sawlog
