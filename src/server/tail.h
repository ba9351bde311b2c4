// Live tail: /api/v1/tail streams each newly committed event that matches a filter, as
// Server-Sent Events, within a second of its acknowledgement.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "server/http_types.h"
#include "store/store.h"

namespace sawlog {

// The response for a tail of `query` (a filter; no pipes) over the tenant's new events: a body
// stream that never ends on its own; the client going away ends it and the subscription.
Result<HttpResponse> StartTail(Store* store, const std::string& tenant, const std::string& query, int64_t now_ns);

}  // namespace sawlog
