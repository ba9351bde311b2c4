// Running a pipeline over a batch.
#include "pipeline/pipeline.h"

#include "pipeline/event_fields.h"

namespace sawlog::pipeline {

void Pipeline::Run(std::vector<Record>& records, const ProcessContext& ctx) const {
  std::vector<Record*> live;
  live.reserve(records.size());
  for (auto& r : records)
    if (r.dropped_by == nullptr) live.push_back(&r);
  for (const auto& p : processors_) {
    if (live.empty()) break;
    p->Process(live, ctx);
    std::erase_if(live, [](const Record* r) { return r->dropped_by != nullptr; });
  }
  for (Record* r : live) {
    const Event& e = r->event;
    if (e.time > e.ingest_time + kFarFutureNs) SetField(&r->event, kTimeFlagField, "future");
    else if (e.time < e.ingest_time - kFarPastNs) SetField(&r->event, kTimeFlagField, "past");
  }
}

RoutedEvents RunOnEvents(const Pipeline& pipeline, std::vector<Event> events, const std::string& tenant,
                         const ProcessContext& ctx) {
  std::vector<Record> records(events.size());
  for (size_t i = 0; i < events.size(); ++i) records[i].event = std::move(events[i]);
  pipeline.Run(records, ctx);
  RoutedEvents out;
  for (auto& r : records) {
    if (r.dropped_by != nullptr) {
      ++out.dropped;
      continue;
    }
    out.by_tenant[r.tenant.empty() ? tenant : r.tenant].push_back(std::move(r.event));
  }
  return out;
}

}  // namespace sawlog::pipeline
