// geoip: the location of an IP address from a MaxMind DB file (GeoLite2/GeoIP2 City, Country or
// ASN, or any database of their layout), read with libmaxminddb.
#include <maxminddb.h>

#include <cstdio>

#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"database", OptionType::kString, true, {}, "the .mmdb file; relative to the configuration"},
    {"field", OptionType::kString, false, "client.address", "the field holding the IP address"},
    {"target", OptionType::kString, false, "client.geo", "put before the added fields' names"},
};

// What is taken from the database: its path of keys, and the field (after target.) it becomes.
// Names follow ECS (geo.*, as.*).
struct Item {
  const char* path[4];
  std::string_view field;
};
constexpr Item kItems[] = {
    {{"continent", "code", nullptr}, "continent_code"},
    {{"country", "iso_code", nullptr}, "country_iso_code"},
    {{"country", "names", "en", nullptr}, "country_name"},
    {{"subdivisions", "0", "iso_code", nullptr}, "region_iso_code"},
    {{"city", "names", "en", nullptr}, "city_name"},
    {{"location", "latitude", nullptr}, "location.lat"},
    {{"location", "longitude", nullptr}, "location.lon"},
    {{"autonomous_system_number", nullptr}, "as.number"},
    {{"autonomous_system_organization", nullptr}, "as.organization.name"},
};

std::string ValueText(const MMDB_entry_data_s& d) {
  char buf[64];
  switch (d.type) {
    case MMDB_DATA_TYPE_UTF8_STRING: return std::string(d.utf8_string, d.data_size);
    case MMDB_DATA_TYPE_DOUBLE: std::snprintf(buf, sizeof buf, "%.4f", d.double_value); return buf;
    case MMDB_DATA_TYPE_FLOAT: std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(d.float_value)); return buf;
    case MMDB_DATA_TYPE_UINT16: return std::to_string(d.uint16);
    case MMDB_DATA_TYPE_UINT32: return std::to_string(d.uint32);
    case MMDB_DATA_TYPE_INT32: return std::to_string(d.int32);
    case MMDB_DATA_TYPE_UINT64: return std::to_string(d.uint64);
    case MMDB_DATA_TYPE_BOOLEAN: return d.boolean ? "true" : "false";
    default: return {};
  }
}

class GeoipProcessor final : public Processor {
 public:
  GeoipProcessor(MMDB_s db, std::string field, std::string target)
      : db_(db), field_(std::move(field)), target_(std::move(target)) {}
  ~GeoipProcessor() override { MMDB_close(&db_); }

  // libmaxminddb lookups only read the mapped file: safe from many threads.
  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records) {
      const std::string* ip = GetField(r->event, field_);
      if (ip == nullptr || ip->empty()) continue;
      int gai_error = 0, mmdb_error = 0;
      MMDB_lookup_result_s found = MMDB_lookup_string(&db_, ip->c_str(), &gai_error, &mmdb_error);
      if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !found.found_entry) continue;
      for (const Item& item : kItems) {
        MMDB_entry_data_s data;
        if (MMDB_aget_value(&found.entry, &data, item.path) != MMDB_SUCCESS || !data.has_data) continue;
        std::string text = ValueText(data);
        if (!text.empty()) SetField(&r->event, target_ + "." + std::string(item.field), std::move(text));
      }
    }
  }

 private:
  MMDB_s db_;
  const std::string field_;
  const std::string target_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  const std::string path = o.Path("database");
  MMDB_s db;
  int st = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db);
  if (st != MMDB_SUCCESS) return o.Error("database", path + ": " + MMDB_strerror(st));
  if (o.String("target").empty()) {
    MMDB_close(&db);
    return o.Error("target", "empty prefix");
  }
  return std::unique_ptr<Processor>(std::make_unique<GeoipProcessor>(db, o.String("field"), o.String("target")));
}

}  // namespace

const ProcessorType kGeoipType{"geoip", "adds the location of an IP address from a MaxMind database", kOptions, Make};

}  // namespace sawlog::pipeline
