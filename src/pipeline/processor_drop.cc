// drop and route: events matching a query filter are dropped, or sent to a tenant/destination.
#include <algorithm>

#include "pipeline/processors.h"
#include "query/query.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kDropOptions[] = {
    {"if", OptionType::kQuery, true, {}, "a query filter (docs/query-language.md); matching events are dropped"},
};
constexpr OptionSpec kRouteOptions[] = {
    {"if", OptionType::kQuery, true, {}, "a query filter; matching events are routed"},
    {"tenant", OptionType::kString, false, {}, "store matching events in this tenant instead of the request's"},
    {"destination", OptionType::kString, false, {}, "a destination name added to the event's destinations"},
};

// A filter compiled once; Matcher is thread-safe once built.
struct Filter {
  std::unique_ptr<query::Node> root;
  std::unique_ptr<query::Matcher> matcher;
};

Result<Filter> MakeFilter(const Options& o) {
  const std::string text = o.String("if");
  auto root = query::ParseFilter(text, 0, text, o.load_time_ns());
  if (!root.ok()) return o.Error("if", root.status().message());
  Filter f{std::move(root).value(), nullptr};
  f.matcher = std::make_unique<query::Matcher>(f.root.get());
  return f;
}

class DropProcessor final : public Processor {
 public:
  explicit DropProcessor(Filter filter) : filter_(std::move(filter)) {}
  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records)
      if (filter_.matcher->Matches(r->event)) r->dropped_by = this;
  }

 private:
  Filter filter_;
};

class RouteProcessor final : public Processor {
 public:
  RouteProcessor(Filter filter, std::string tenant, std::string destination)
      : filter_(std::move(filter)), tenant_(std::move(tenant)), destination_(std::move(destination)) {}
  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records) {
      if (!filter_.matcher->Matches(r->event)) continue;
      if (!tenant_.empty()) r->tenant = tenant_;
      if (!destination_.empty() &&
          std::find(r->destinations.begin(), r->destinations.end(), destination_) == r->destinations.end())
        r->destinations.push_back(destination_);
    }
  }

 private:
  Filter filter_;
  const std::string tenant_;
  const std::string destination_;
};

Result<std::unique_ptr<Processor>> MakeDrop(const Options& o) {
  ASSIGN_OR_RETURN(Filter f, MakeFilter(o));
  return std::unique_ptr<Processor>(std::make_unique<DropProcessor>(std::move(f)));
}

Result<std::unique_ptr<Processor>> MakeRoute(const Options& o) {
  const std::string& tenant = o.String("tenant");
  if (!o.Given("tenant") && !o.Given("destination")) return o.Error("needs 'tenant', 'destination' or both");
  if (o.Given("tenant") && !IsValidTenant(tenant))
    return o.Error("tenant", "invalid tenant '" + tenant + "' (1 to 64 of A-Z a-z 0-9 _ -)");
  if (o.Given("destination") && o.String("destination").empty()) return o.Error("destination", "empty name");
  ASSIGN_OR_RETURN(Filter f, MakeFilter(o));
  return std::unique_ptr<Processor>(std::make_unique<RouteProcessor>(std::move(f), tenant, o.String("destination")));
}

}  // namespace

const ProcessorType kDropType{"drop", "drops the events a query filter matches", kDropOptions, MakeDrop};
const ProcessorType kRouteType{"route", "sends the events a query filter matches to a tenant or named destination",
                               kRouteOptions, MakeRoute};

}  // namespace sawlog::pipeline
